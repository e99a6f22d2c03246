"""The orphan list's cells written in Python are the partial's markup they replace, whatever
the client: a prospect or a buyer, with or without a phone, loves, dates, a visit, a former
associate, and names that need escaping."""

import datetime
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from crm.models import Occasion, OccasionKind, Preference
from crm.selectors import orphans_of_store
from staff.selectors import add_upcoming
from staff.templatetags.orphan_cells import dollars, escape
from tests.factories import CustomerFactory, OccasionFactory, StaffMemberFactory

REFERENCE = Path(__file__).with_name("orphan_cells_reference.html").read_text()
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NOW = datetime.datetime(2026, 11, 30, 23, 30, tzinfo=CHICAGO)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


@pytest.fixture
def orphans(store):
    gone = StaffMemberFactory(store=store, display_name="Lou <Left> & Co",
                              departed_on=datetime.date(2026, 1, 5))
    loves = [Preference.objects.create(store=store, name=name, position=n)
             for n, name in enumerate(["Pearls & gold", "<Bridal>"])]
    buyer = CustomerFactory(store=store, first_name="Ann", last_name='O"Neil <b>',
                            assigned_to=gone, lifetime_value=Decimal("12345.60"),
                            first_purchase_on=datetime.date(2025, 3, 1),
                            last_visit_at=NOW - datetime.timedelta(hours=1))
    buyer.preferences.set(loves)
    OccasionFactory(customer=buyer, kind=OccasionKind.OTHER, label="Grad & party", month=12,
                    day=2)
    OccasionFactory(customer=buyer, kind=OccasionKind.BIRTHDAY, month=1, day=9)
    CustomerFactory(store=store, first_name="Bo", phone="", assigned_to=None,
                    last_visit_at=None)
    return store


def test_orphan_cells_are_the_partials_markup(orphans, settings):
    timezone.activate(CHICAGO)
    rows = list(orphans_of_store(store=orphans))
    add_upcoming(rows, today=NOW.date())
    ours = Template("{% load orphan_cells %}{% orphan_cells c %}")
    theirs = Template(REFERENCE)
    for c in rows:
        assert ours.render(Context({"c": c})) == theirs.render(Context({"c": c}))
    assert len(rows) == 2
    timezone.deactivate()


@given(st.decimals(min_value=0, max_value=Decimal("99999999.99"), places=2))
def test_dollars_are_what_floatformat_writes(amount):
    assert dollars(amount) == floatformat(amount, "0g")


@pytest.mark.parametrize("value", [Decimal("-0.50"), Decimal("NaN"), 12.5, None, "7", 0])
def test_dollars_of_anything_else_are_djangos(value):
    assert dollars(value) == floatformat(value, "0g")


@pytest.mark.parametrize("text", ['O"Neil <b> & \'Co\'', mark_safe("<em>kept</em>"),
                                  gettext_lazy("prospect"), 12, ""])
def test_escape_is_djangos_conditional_escape(text):
    assert escape(text) == conditional_escape(text)


@pytest.mark.parametrize("kind", [*OccasionKind.values, "gone-from-the-choices"])
def test_an_occasions_title_is_its_kinds_label(kind):
    occasion = Occasion(kind=kind, month=1, day=2)
    assert occasion.title == occasion.get_kind_display()
    occasion.label = "Graduation"
    assert occasion.title == ("Graduation" if kind == OccasionKind.OTHER
                              else occasion.get_kind_display())
