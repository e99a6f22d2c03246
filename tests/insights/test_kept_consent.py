"""Occasion-reminder consent kept on the customer's row by triggers (crm migration 0028) for
the dashboard's walk-ins with consent: always what crm's rule (`consent_granted_now`) reads
from the ledger, in the same statement, whatever wrote the ledger or the profile."""

import datetime

import pytest
from django.db import connection

from crm.models import Channel, Consent, ConsentMethod, Customer, Purpose, WalkIn
from crm.selectors import consent_granted_now
from crm.services.customers import consent_record
from crm.services.privacy import customer_erase
from insights import selectors
from insights.selectors import Period
from tests.factories import CustomerFactory
from tests.insights.conftest import TODAY, at, walk_in

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(at(2026, 6, 15))]
DAYS = datetime.timedelta(days=1)
AT = at(2026, 6, 1)


def _kept(store) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM crm_customer WHERE store_id = %s "
                       "AND occasion_reminders_now", [store.pk])
        return {row[0] for row in cursor.fetchall()}


def _recounted(store) -> set[int]:
    """The same customers found by crm's rule, the ledger read customer by customer."""
    rule = Customer.objects.filter(consent_granted_now())
    return {c.pk for c in Customer.objects.filter(store=store)
            if rule.filter(pk=c.pk).exists()}


def _record(customer, address, *, granted=True, channel=Channel.EMAIL,
            purpose=Purpose.OCCASION_REMINDERS, at=AT):
    method = ConsentMethod.TABLET if granted else ConsentMethod.UNSUBSCRIBE
    consent_record(customer=customer, channel=channel, address=address, purpose=purpose,
                   granted=granted, method=method, at=at)


def test_each_change_of_ledger_or_profile_is_kept_at_once(store, manager):
    ann, bob, cy, dee, eve, fay = (CustomerFactory(store=store, secondary_email="")
                                   for _ in range(6))
    _record(ann, ann.email)
    _record(bob, str(bob.phone), channel=Channel.SMS)
    _record(cy, str(cy.phone), channel=Channel.PHONE)
    _record(dee, dee.email, purpose=Purpose.EVENTS)
    _record(eve, eve.email)
    _record(fay, fay.email)
    assert _kept(store) == _recounted(store) == {ann.pk, bob.pk, cy.pk, eve.pk, fay.pk}

    # Taken back; an older yes recorded later does not replace the newer no.
    _record(ann, ann.email, granted=False, at=AT + DAYS)
    _record(ann, ann.email, at=AT - DAYS)
    # A new address has no consent; the old one, now the second email, keeps its own.
    bob.phone = "+13125550199"
    bob.save()
    eve.email, eve.secondary_email = "eve.new@mail.example", eve.email
    eve.save()
    customer_erase(customer=fay, by=manager)
    assert _kept(store) == _recounted(store) == {cy.pk, eve.pk}

    Consent.objects.filter(customer=cy).delete()
    Consent.objects.bulk_create([
        Consent(customer=dee, channel=Channel.EMAIL, address=dee.email,
                purpose=Purpose.OCCASION_REMINDERS, granted=True,
                method=ConsentMethod.IMPORT, created_at=AT)])
    assert _kept(store) == _recounted(store) == {dee.pk, eve.pk}


def test_a_profile_saved_from_a_stale_read_keeps_the_revocation(store):
    ann = CustomerFactory(store=store)
    _record(ann, ann.email)
    read_earlier = Customer.objects.get(pk=ann.pk)

    _record(ann, ann.email, granted=False, at=AT + DAYS)
    read_earlier.first_name = "Annie"
    read_earlier.save()

    assert _kept(store) == _recounted(store) == set()


def test_walk_ins_with_consent_equal_a_recount_on_a_mixed_table(store, salesperson):
    """The figure (kept column) equals crm's rule applied walk-in by walk-in."""
    customers = [CustomerFactory(store=store, assigned_to=salesperson) for _ in range(12)]
    for n, customer in enumerate(customers):
        walk_in(customer, salesperson, at(2026, 6, 1 + n % 10))
        if n % 3 == 0:
            _record(customer, customer.email)
        if n % 4 == 0:
            _record(customer, str(customer.phone), channel=Channel.SMS, granted=n % 8 == 0)
        if n % 5 == 0:
            _record(customer, customer.email, granted=False, at=AT + DAYS)
    walk_in(customers[0], salesperson, at(2026, 6, 12))
    rule = Customer.objects.filter(consent_granted_now())
    expected = sum(1 for w in WalkIn.objects.filter(customer__store=store)
                   if rule.filter(pk=w.customer_id).exists())

    (row,) = selectors.associate_figures(store=store, period=Period.month_to_date(TODAY),
                                         today=TODAY, associate=salesperson)
    behind = selectors.customers_behind(store=store, figure="consent",
                                        period=Period.month_to_date(TODAY), today=TODAY)

    assert row["consent"] == expected
    assert {c.pk for c in behind} == _recounted(store)
    assert 0 < expected < row["walk_ins"]
