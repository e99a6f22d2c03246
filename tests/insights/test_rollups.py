"""The roll-ups the dashboard reads hold what a full recount finds, and a refresh costs what
changed since the last one."""

import datetime
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from crm.models import Customer, Source
from insights import selectors, services
from insights.models import (
    CapturedOnDay,
    ContactsOnDay,
    LastContact,
    OrphansAtMonthEnd,
    RollUpMark,
)
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


def _recount_days(store) -> tuple[Counter, Counter]:
    """The daily roll-ups' figures counted afresh from the customers and last contacts."""
    captured, contacts = Counter(), Counter()
    for created, source in Customer.objects.for_store(store).values_list("created_at", "source"):
        captured[(timezone.localtime(created, store.tz).date(), source)] += 1
    for moment in LastContact.objects.filter(store=store).values_list("at", flat=True):
        contacts[timezone.localtime(moment, store.tz).date()] += 1
    return captured, contacts


def _kept_days(store) -> tuple[Counter, Counter]:
    return (Counter({(r.day, r.source): r.customers
                     for r in CapturedOnDay.objects.filter(store=store)}),
            Counter({r.day: r.customers for r in ContactsOnDay.objects.filter(store=store)}))


def test_the_daily_roll_ups_refreshed_after_changes_equal_a_recount(
        store, other_store, make_customer, time_machine):
    ann, ben, cal, eve = (make_customer(first_name=n) for n in ("Ann", "Ben", "Cal", "Eve"))
    visit(ann, at(2025, 1, 10))
    buy(ben, datetime.date(2025, 3, 1), 200)
    make_customer(store=other_store, created=at(2025, 2, 1))
    rollups_refresh()
    assert _kept_days(store) == _recount_days(store)
    assert sum(_kept_days(store)[0].values()) == 4

    time_machine.move_to(MOMENT + datetime.timedelta(hours=3))
    visit(ann, at(2026, 6, 15, 14))  # her last contact moves from January 2025 to today
    buy(ben, datetime.date(2026, 6, 1), 300)
    make_customer(first_name="Dot", created=at(2026, 6, 15, 14), source=Source.WEBSITE)
    Customer.objects.filter(pk=cal.pk).delete()  # erased
    Customer.objects.filter(pk=eve.pk).update(store=other_store, updated_at=timezone.now())
    before = selectors.customer_base(store=store, today=TODAY)
    # Dot counts at once (the last refresh's day is counted live); Cal's erasure and Eve's
    # move wait for the next refresh.
    assert before["customers"] == 5
    rollups_refresh()

    for shop in (store, other_store):
        assert _kept_days(shop) == _recount_days(shop)
    incremental = selectors.customer_base(store=store, today=TODAY)
    CapturedOnDay.objects.all().delete()
    ContactsOnDay.objects.all().delete()
    LastContact.objects.all().delete()
    RollUpMark.objects.all().delete()
    rollups_refresh()  # the first run: everything counted whole
    assert selectors.customer_base(store=store, today=TODAY) == incremental
    assert (incremental["customers"], incremental["lapsed_now"]) == (3, 0)


def test_a_refresh_after_more_changes_than_it_looks_up_recounts_the_store_whole(
        store, other_store, make_customer, time_machine, monkeypatch):
    """Past MAX_TOUCHED customers touched (a big import), the refresh recounts the store in
    one pass; what it keeps is the same as a recount."""
    ann, ben, cal = (make_customer(first_name=n) for n in ("Ann", "Ben", "Cal"))
    make_customer(store=other_store)
    rollups_refresh()
    monkeypatch.setattr(services, "MAX_TOUCHED", 2)

    time_machine.move_to(MOMENT + datetime.timedelta(hours=3))
    visit(ann, at(2026, 6, 15, 14))
    buy(ben, datetime.date(2026, 6, 1), 300)
    reply(cal, at(2026, 6, 15, 14))
    refreshed = rollups_refresh()
    assert refreshed["last_contacts"] == 3 + 1  # every customer of the store, and the other's
    assert _kept(store) == _recount(store)
    assert _kept(store)[cal.pk] == at(2026, 6, 15, 14)
    assert _kept_days(store) == _recount_days(store)


def test_an_incremental_refresh_looks_up_only_the_customers_touched_since(
        store, make_customer, time_machine):
    ann, ben, cal, dot = (make_customer(first_name=n) for n in ("Ann", "Ben", "Cal", "Dot"))
    rollups_refresh()
    time_machine.move_to(MOMENT + datetime.timedelta(hours=3))
    since = timezone.now()
    visit(ann, at(2026, 6, 15, 16))
    buy(ben, datetime.date(2026, 6, 1), 300)  # keyed in now, for a sale two weeks ago
    reply(cal, at(2026, 6, 15, 16))
    assert sorted(services._touched_since(store, since)) == sorted([ann.pk, ben.pk, cal.pk])
