"""Whether the customer asked for occasion reminders at an address on the profile now, kept on
the customer's row by triggers (crm migration 0028) for FOLLOW-UP: always what
`consent_granted_now()` reads from the ledger, in the same statement, whatever wrote it."""

import datetime

import pytest
from django.db import connection

from crm import selectors
from crm.models import Channel, Consent, ConsentMethod, Customer, Purpose
from crm.services.customers import consent_record
from crm.services.privacy import customer_erase
from tests.factories import CustomerFactory, OccasionFactory

AT = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)
DAYS = datetime.timedelta(days=1)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(AT + 20 * DAYS, tick=False)]


def _kept(customers) -> dict[int, bool]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, occasion_reminders_now FROM crm_customer WHERE id = ANY(%s)",
                       [[c.pk for c in customers]])
        rows = dict(cursor.fetchall())
    return {c.pk: rows[c.pk] for c in customers}


def _ledger(customers) -> dict[int, bool]:
    granted = set(Customer.objects.filter(selectors.consent_granted_now(),
                                          pk__in=[c.pk for c in customers])
                  .values_list("pk", flat=True))
    return {c.pk: c.pk in granted for c in customers}


def _record(customer, address, *, granted=True, channel=Channel.EMAIL,
            purpose=Purpose.OCCASION_REMINDERS, at=AT):
    method = ConsentMethod.TABLET if granted else ConsentMethod.UNSUBSCRIBE
    consent_record(customer=customer, channel=channel, address=address, purpose=purpose,
                   granted=granted, method=method, at=at)


@pytest.fixture
def mixed(store, manager):
    """Customer by customer, what the ledger says now (the name says what happened)."""
    made = {name: CustomerFactory(store=store, first_name=name, last_visit_at=AT)
            for name in ["granted", "revoked_later", "older_yes_recorded_later", "other_purpose",
                         "moved_away", "moved_to_second", "erased", "by_phone", "phone_cleared",
                         "text_no_call_yes", "never_asked"]}
    _record(made["granted"], made["granted"].email)
    _record(made["revoked_later"], made["revoked_later"].email)
    _record(made["revoked_later"], made["revoked_later"].email, granted=False, at=AT + DAYS)
    late = made["older_yes_recorded_later"]
    _record(late, late.email, granted=False, at=AT)
    _record(late, late.email, at=AT - 30 * DAYS)
    _record(made["other_purpose"], made["other_purpose"].email, purpose=Purpose.EVENTS)
    for name in ("moved_away", "moved_to_second"):
        _record(made[name], made[name].email)
    moved = made["moved_away"]
    moved.email = "moved.away@mail.example"
    moved.save()
    second = made["moved_to_second"]
    second.secondary_email, second.email = second.email, "new.main@mail.example"
    second.save(update_fields=["email", "secondary_email"])
    _record(made["erased"], made["erased"].email)
    customer_erase(customer=made["erased"], by=manager)
    _record(made["by_phone"], str(made["by_phone"].phone), channel=Channel.PHONE)
    cleared = made["phone_cleared"]
    _record(cleared, str(cleared.phone), channel=Channel.SMS)
    Customer.objects.filter(pk=cleared.pk).update(phone="")
    both = made["text_no_call_yes"]
    _record(both, str(both.phone), channel=Channel.PHONE)
    _record(both, str(both.phone), channel=Channel.SMS, granted=False, at=AT + DAYS)
    return made


def test_the_kept_answer_is_the_ledgers_customer_by_customer(mixed):
    customers = list(mixed.values())
    kept = _kept(customers)
    assert kept == _ledger(customers)
    assert sorted(name for name, c in mixed.items() if kept[c.pk]) == [
        "by_phone", "granted", "moved_to_second", "text_no_call_yes"]


def test_a_bulk_load_and_a_delete_recompute_every_customer_they_touch(store):
    customers = [CustomerFactory(store=store) for _ in range(4)]
    Consent.objects.bulk_create([
        Consent(customer=c, channel=Channel.EMAIL, address=c.email,
                purpose=Purpose.OCCASION_REMINDERS, granted=n == 0,
                method=ConsentMethod.TABLET, created_at=AT - n * DAYS)
        for c in customers for n in range(2)])
    assert set(_kept(customers).values()) == {True}

    Consent.objects.filter(customer__in=customers[:2], granted=True).delete()

    assert list(_kept(customers).values()) == [False, False, True, True] == list(
        _ledger(customers).values())


def test_a_tie_on_the_hour_goes_to_the_row_written_last(store):
    ann = CustomerFactory(store=store)
    _record(ann, ann.email, at=AT)
    _record(ann, ann.email, granted=False, at=AT)
    assert _kept([ann]) == _ledger([ann]) == {ann.pk: False}


def test_follow_up_on_the_kept_answers_is_the_ledgers_recount(store, mixed, monkeypatch):
    """The same list, in the same order, as the ledger's (the query SQLite runs)."""
    OccasionFactory(customer=mixed["never_asked"], month=11, day=25)
    OccasionFactory(customer=mixed["revoked_later"], month=3, day=1)
    listed = list(selectors.customers_follow_up(store=store, lead_days=14)
                  .values_list("first_name", flat=True))
    monkeypatch.setattr(connection, "vendor", "sqlite")
    from_the_ledger = selectors.customers_follow_up(store=store, lead_days=14)
    monkeypatch.undo()
    assert listed == list(from_the_ledger.values_list("first_name", flat=True))
    assert sorted(listed) == ["by_phone", "granted", "moved_to_second", "never_asked",
                              "text_no_call_yes"]


def test_sqlite_still_reads_the_ledger(store, mixed, monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    follow_up = selectors.customers_follow_up(store=store, lead_days=14)
    assert "occasion_reminders_now" not in str(follow_up.query)
    assert sorted(follow_up.values_list("first_name", flat=True)) == [
        "by_phone", "granted", "moved_to_second", "text_no_call_yes"]
