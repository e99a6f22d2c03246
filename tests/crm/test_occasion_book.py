"""Each occasion carries its customer's store and associate (crm migration 0029), kept by
triggers in the statement that changes them, whatever writes it, so FOLLOW-UP reads an
associate's coming dates by index: always equal to a recount from the customers, and the list
read that way is the list the rule gives."""

import datetime
import zoneinfo

import pytest
from django.db import connection

from crm import selectors, worklists
from crm.models import Customer, Occasion, OccasionKind
from crm.services.assignment import Move, clients_reassign
from crm.services.merge import customer_merge
from crm.services.occasions import occasion_record
from tests.factories import (
    ConsentFactory,
    CustomerFactory,
    OccasionFactory,
    StaffMemberFactory,
    StoreFactory,
)

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
NOW = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=CHICAGO)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


def _kept() -> dict[int, tuple]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, customer_store_id, customer_assigned_to_id FROM crm_occasion")
        return {pk: (store, associate) for pk, store, associate in cursor.fetchall()}


def _recounted() -> dict[int, tuple]:
    return {pk: (store, associate) for pk, store, associate in Occasion.objects.values_list(
        "pk", "customer__store_id", "customer__assigned_to_id")}


@pytest.fixture
def book(store, salesperson):
    """Two customers of the salesperson's, one nobody looks after, each with dates."""
    customers = [CustomerFactory(store=store, assigned_to=salesperson, last_visit_at=NOW),
                 CustomerFactory(store=store, assigned_to=salesperson, last_visit_at=NOW),
                 CustomerFactory(store=store, assigned_to=None, last_visit_at=NOW)]
    for n, customer in enumerate(customers):
        OccasionFactory(customer=customer, kind=OccasionKind.BIRTHDAY, month=12, day=1 + n)
        OccasionFactory(customer=customer, kind=OccasionKind.ANNIVERSARY, month=6, day=1 + n)
    return customers


def test_a_new_occasion_carries_its_customers_store_and_associate(book, salesperson, manager):
    occasion_record(customer=book[0], kind=OccasionKind.OTHER, label="Graduation", month=12,
                    day=9, by=manager)
    Occasion.objects.bulk_create([Occasion(customer=book[2], kind=OccasionKind.OTHER,
                                           label="Promotion", month=1, day=2)])
    assert _kept() == _recounted()
    assert set(_kept().values()) == {(book[0].store_id, salesperson.pk), (book[0].store_id, None)}


def test_a_handover_moves_the_occasions_with_the_client(book, store, salesperson, manager):
    other = StaffMemberFactory(store=store)
    clients_reassign(store=store, by=manager, moves=[
        Move(customer_id=book[0].pk, shown_associate_id=salesperson.pk, associate_id=other.pk),
        Move(customer_id=book[2].pk, shown_associate_id=None, associate_id=salesperson.pk)])
    assert _kept() == _recounted()
    gone = StaffMemberFactory(store=store)
    Customer.objects.filter(assigned_to=salesperson).update(assigned_to=gone)  # bulk, no service
    assert _kept() == _recounted()
    gone.delete()  # on_delete=SET_NULL: Django's own update of their clients
    assert _kept() == _recounted()
    assert set(_kept().values()) == {(store.pk, None), (store.pk, other.pk)}


def test_an_occasion_written_back_from_an_old_read_keeps_the_associate(book, store,
                                                                         salesperson):
    read_before = Occasion.objects.get(customer=book[0], kind=OccasionKind.BIRTHDAY)
    Customer.objects.filter(pk=book[0].pk).update(store=StoreFactory(), assigned_to=None)
    read_before.day = 5
    read_before.save()
    assert _kept() == _recounted()


def test_a_merge_hands_the_dates_to_the_survivor_and_its_associate(book, store, salesperson,
                                                                    manager):
    """The survivor (nobody's) takes the merged profile's dates and its associate."""
    customer_merge(survivor=book[2], merged=book[1], by=manager)
    assert _kept() == _recounted()
    assert {associate for _, associate in _kept().values()} == {salesperson.pk}


def test_follow_up_read_by_index_is_the_rules_list(store, salesperson, manager):
    """Dates coming, a yes to reminders, both, neither, someone else's, handed over since:
    the associate's FOLLOW-UP read from the kept columns is what the rule says, in order."""
    other = StaffMemberFactory(store=store)
    made = []
    for n in range(12):
        customer = CustomerFactory(store=store, assigned_to=[salesperson, other][n % 2],
                                   last_visit_at=NOW - datetime.timedelta(days=n),
                                   first_name=f"C{n:02d}")
        if n % 3 == 0:
            OccasionFactory(customer=customer, month=12, day=1 + n)
        if n % 4 == 0:
            ConsentFactory(customer=customer, created_at=NOW - datetime.timedelta(days=40))
        made.append(customer)
    clients_reassign(store=store, by=manager, moves=[
        Move(customer_id=made[3].pk, shown_associate_id=other.pk, associate_id=salesperson.pk),
        Move(customer_id=made[0].pk, shown_associate_id=salesperson.pk, associate_id=other.pk)])
    listed = [c.pk for c in worklists.follow_up(store=store, staff=salesperson, lead_days=14)]
    by_rule = selectors.customers_follow_up(store=store, lead_days=14).filter(
        assigned_to=salesperson)
    assert sorted(listed) == sorted(by_rule.values_list("pk", flat=True))
    assert listed == [c.pk for c in worklists.follow_up(store=store, staff=salesperson,
                                                        anyone=True, lead_days=14)
                      if c.assigned_to_id == salesperson.pk]
    assert made[3].pk in listed and made[0].pk not in listed
