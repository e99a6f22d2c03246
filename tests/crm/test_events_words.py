"""The ledger's latest word about events at each address of the profile, kept on the customer's
row by triggers (crm migration 0024) for the campaign audience: always what the ledger says,
in the same transaction, whatever wrote the ledger or the profile."""

import datetime

import pytest
from django.db import connection

from crm.models import Channel, Consent, ConsentMethod, Purpose
from crm.services.customers import consent_record
from crm.services.privacy import customer_erase
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
DAYS = datetime.timedelta(days=1)
AT = datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC)


def _kept(customer) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT events_word_email, events_word_secondary_email, "
                       "events_word_phone FROM crm_customer WHERE id = %s", [customer.pk])
        return cursor.fetchone()


def _ledger(customer) -> tuple[str, str, str]:
    """The same three words read row by row, as the sender reads consent."""
    customer.refresh_from_db()

    def word(channel, address):
        row = address and Consent.objects.current_row(
            customer=customer, channel=channel, address=address, purpose=Purpose.EVENTS)
        if not row:
            return ""
        return "granted" if row.granted else row.method

    return (word(Channel.EMAIL, customer.email), word(Channel.EMAIL, customer.secondary_email),
            word(Channel.SMS, str(customer.phone) if customer.phone else ""))


def _record(customer, address, *, granted=True, method=ConsentMethod.TABLET,
            channel=Channel.EMAIL, purpose=Purpose.EVENTS, at=AT):
    consent_record(customer=customer, channel=channel, address=address, purpose=purpose,
                   granted=granted, method=method, at=at)


def test_each_word_recorded_is_on_the_profile_at_once(store):
    ann = CustomerFactory(store=store)
    assert _kept(ann) == ("", "", "")

    _record(ann, ann.email)
    _record(ann, str(ann.phone), channel=Channel.SMS)
    assert _kept(ann) == ("granted", "", "granted")

    _record(ann, ann.email, granted=False, method=ConsentMethod.UNSUBSCRIBE, at=AT + DAYS)
    _record(ann, str(ann.phone), channel=Channel.SMS, granted=False, method=ConsentMethod.STOP,
            at=AT + DAYS)
    assert _kept(ann) == ("unsubscribe", "", "stop") == _ledger(ann)


def test_an_older_word_recorded_later_does_not_replace_the_newest(store):
    ann = CustomerFactory(store=store)
    _record(ann, ann.email, granted=False, method=ConsentMethod.BOUNCE, at=AT)

    _record(ann, ann.email, method=ConsentMethod.IMPORT, at=AT - 30 * DAYS)

    assert _kept(ann) == ("bounce", "", "") == _ledger(ann)


def test_another_purpose_leaves_the_events_words_alone(store):
    ann = CustomerFactory(store=store)
    _record(ann, ann.email)

    _record(ann, ann.email, purpose=Purpose.OCCASION_REMINDERS, granted=False,
            method=ConsentMethod.UNSUBSCRIBE, at=AT + DAYS)

    assert _kept(ann) == ("granted", "", "")


def test_a_new_address_starts_without_a_word_and_the_old_one_keeps_its_own(store):
    ann = CustomerFactory(store=store, email="ann@mail.example")
    _record(ann, "ann@mail.example")

    ann.email, ann.secondary_email = "ann.new@mail.example", "ann@mail.example"
    ann.save()
    assert _kept(ann) == ("", "granted", "") == _ledger(ann)

    ann.secondary_email = ""
    ann.save(update_fields=["secondary_email"])
    assert _kept(ann) == ("", "", "")


def test_saving_a_profile_read_before_a_revocation_keeps_the_revocation(store):
    ann = CustomerFactory(store=store)
    _record(ann, ann.email)
    read_earlier = type(ann).objects.get(pk=ann.pk)

    _record(ann, ann.email, granted=False, method=ConsentMethod.UNSUBSCRIBE, at=AT + DAYS)
    read_earlier.first_name = "Annie"
    read_earlier.save()

    assert _kept(ann) == ("unsubscribe", "", "")


def test_a_bulk_load_and_a_delete_recompute_every_customer_they_touch(store):
    customers = [CustomerFactory(store=store) for _ in range(4)]
    Consent.objects.bulk_create([
        Consent(customer=c, channel=Channel.EMAIL, address=c.email, purpose=Purpose.EVENTS,
                granted=n % 2 == 0, method=ConsentMethod.IMPORT if n % 2 == 0 else
                ConsentMethod.COMPLAINT, created_at=AT - n * DAYS)
        for c in customers for n in range(2)])
    assert [_kept(c) for c in customers] == [("granted", "", "")] * 4

    Consent.objects.filter(customer__in=customers[:2], granted=True).delete()

    assert [_kept(c)[0] for c in customers] == ["complaint", "complaint", "granted", "granted"]
    assert [_kept(c) for c in customers] == [_ledger(c) for c in customers]


def test_an_erased_customer_keeps_no_word(store, manager):
    ann = CustomerFactory(store=store, secondary_email="ann.work@mail.example")
    _record(ann, ann.email)
    _record(ann, "ann.work@mail.example")

    customer_erase(customer=ann, by=manager)

    assert _kept(ann) == ("", "", "") == _ledger(ann)
