"""The per-associate table's rows, written in Python for speed, are the markup the template
engine gave for them (the partial's row and cells as they were, kept here as the reference)."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import engines
from django.utils import translation

from insights.models import Goal
from insights.selectors import Period
from staff.models import StaffMember

HERE = Path(__file__).parent
# The partial's row as the template engine drew it before `associate_row`, its cells those
# the engine drew before `associate_cells`.
REFERENCE = (HERE / "associate_row_reference.html").read_text().replace(
    "{% associate_cells row period %}", (HERE / "associate_cells_reference.html").read_text())

ROWS = [
    # Nothing in the period: no shares, no take-in share.
    {"walk_ins": 0, "reachable_pct": None, "consent_pct": None, "on_time": 0, "calls_due": 0,
     "reached": 0, "voicemails": 0, "appointments": 0, "take_ins": 0,
     "take_ins_email_pct": None, "sales": 0, "sales_amount": Decimal(0), "new_profiles": 0},
    # A busy month: thousands, shares, cents rounded away.
    {"walk_ins": 1234, "reachable_pct": 75, "consent_pct": 50, "on_time": 3, "calls_due": 4,
     "reached": 2, "voicemails": 1, "appointments": 12, "take_ins": 2,
     "take_ins_email_pct": 50, "sales": 116, "sales_amount": Decimal("1264276.50"),
     "new_profiles": 2},
    # Half a dollar rounds up, across a thousand.
    {"walk_ins": 7, "reachable_pct": 100, "consent_pct": 0, "on_time": 0, "calls_due": 1,
     "reached": 0, "voicemails": 3, "appointments": 0, "take_ins": 1,
     "take_ins_email_pct": 0, "sales": 1, "sales_amount": Decimal("999.50"),
     "new_profiles": 0},
]
GOALS = [None, Goal(sales_amount=Decimal("125000.40"), new_profiles=1200, appointments=0),
         Goal(sales_amount=Decimal(0), new_profiles=0, appointments=35)]
MEMBERS = [StaffMember(pk=371, display_name="Sally <Sales> & Co"),
           StaffMember(pk=372, display_name="Dana Gone", departed_on=datetime.date(2026, 3, 1))]


def _drawn(template, row, period, show_goals):
    return " ".join(engines["django"].from_string(template).render(
        {"row": row, "period": period, "show_goals": show_goals}).split())


@pytest.mark.parametrize("language", ["en", "de", "fr"])
@pytest.mark.parametrize("values", ROWS)
@pytest.mark.parametrize("goal", GOALS)
@pytest.mark.parametrize("member", MEMBERS)
@pytest.mark.parametrize("show_goals", [True, False])
def test_the_row_is_the_markup_the_template_gave(values, goal, member, show_goals, language):
    row = values | {"member": member, "goal": goal}
    period = Period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    with translation.override(language):
        written = _drawn("{% load insights_table %}"
                         "{% associate_row row period goals=show_goals %}", row, period,
                         show_goals)
        assert written == _drawn(REFERENCE, row, period, show_goals)
    assert f'href="/dashboard/customers/walk_ins/?associate={member.pk}&amp;start=2026-11-01' \
        in written
    assert "Sally &lt;Sales&gt; &amp; Co" in written or member.pk == 372
    assert ('/goals/' in written) == (show_goals and member.is_active)
