"""The roll-ups the dashboard reads hold what a full recount finds, and a refresh costs what
changed since the last one."""

import datetime

import pytest
from django.core.management import call_command

from crm.models import Customer
from insights import selectors
from insights.models import LastContact, OrphansAtMonthEnd
from insights.services import rollups_refresh
from tests.insights.conftest import MOMENT, TODAY, at, buy, reply, visit

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MOMENT, tick=False)]


def _recount(store) -> dict:
    return dict(Customer.objects.for_store(store)
                .annotate(contact=selectors.last_contact(store)).values_list("pk", "contact"))


def _kept(store) -> dict:
    return dict(LastContact.objects.filter(store=store).values_list("customer_id", "at"))


def test_an_incremental_refresh_keeps_every_last_contact_a_recount_finds(
        store, other_store, make_customer, time_machine):
    ann, ben, cal = (make_customer(first_name=n) for n in ("Ann", "Ben", "Cal"))
    visit(ann, at(2025, 1, 10))
    buy(ben, datetime.date(2025, 3, 1), 200)
    make_customer(store=other_store)
    assert rollups_refresh()["last_contacts"] == 4
    assert _kept(store) == _recount(store)

    # The next run re-reads what changed just before the last one (the overlap); the one
    # after that finds nothing changed and rewrites nothing.
    time_machine.move_to(MOMENT + datetime.timedelta(hours=1))
    rollups_refresh()
    time_machine.move_to(MOMENT + datetime.timedelta(hours=2))
    assert rollups_refresh()["last_contacts"] == 0

    time_machine.move_to(MOMENT + datetime.timedelta(hours=3))
    visit(ann, at(2026, 6, 15, 14))
    buy(ben, datetime.date(2026, 6, 1), 300)  # keyed in today for a sale two weeks ago
    reply(cal, at(2026, 6, 15, 14))
    new = make_customer(first_name="Dot", created=at(2026, 6, 15, 14))
    assert rollups_refresh()["last_contacts"] == 4
    assert _kept(store) == _recount(store)
    assert _kept(store)[ben.pk] == at(2026, 6, 1, 0, 0)
    assert new.pk in _kept(store)


def test_the_command_refreshes_and_a_past_month_is_counted_once(store, make_customer,
                                                                 capsys):
    make_customer(first_name="Yuri", assigned_to=None)
    call_command("refresh_insights")
    assert "11 month ends counted" in capsys.readouterr().out
    assert OrphansAtMonthEnd.objects.filter(store=store).count() == 11
    rollups_refresh()
    assert OrphansAtMonthEnd.objects.filter(store=store).count() == 11
    points = selectors.orphans_over_time(store=store, today=TODAY)["points"]
    assert [p["n"] for p in points] == [1] * 12
