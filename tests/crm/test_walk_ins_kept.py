"""What the dashboard asks of each walk-in's customer (their store, a phone or an email,
occasion-reminder consent now), kept on the walk-in's row by triggers (crm migration 0030):
always what the customer and crm's consent rule say, in the same statement as any change."""

import datetime
import uuid

import pytest
from django.db import connection

from crm.models import Channel, Customer, Purpose, WalkIn
from crm.selectors import consent_granted_now
from crm.services.customers import consent_record
from crm.services.privacy import customer_erase
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
AT = datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC)


def _kept() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, customer_store_id, customer_reachable_now, "
                       "customer_consents_now FROM crm_walkin")
        return {row[0]: row[1:] for row in cursor.fetchall()}


def _recounted() -> dict:
    """The same answers read from each walk-in's customer now, consent by crm's rule."""
    consenting = Customer.objects.filter(consent_granted_now())
    return {w.pk: (w.customer.store_id, bool(w.customer.phone or w.customer.email),
                   consenting.filter(pk=w.customer_id).exists())
            for w in WalkIn.objects.select_related("customer")}


def _walk_in(customer, by):
    return WalkIn.objects.create(key=uuid.uuid4(), customer=customer, logged_by=by,
                                 created_at=AT)


def _consent(customer, address, *, granted=True, channel=Channel.EMAIL, at=AT):
    consent_record(customer=customer, channel=channel, address=address,
                   purpose=Purpose.OCCASION_REMINDERS, granted=granted,
                   method="tablet" if granted else "unsubscribe", at=at)


def test_each_change_of_walk_in_customer_or_ledger_is_kept_at_once(store, other_store,
                                                                   salesperson, manager):
    ann, bob, cy, dee = (CustomerFactory(store=store, secondary_email="") for _ in range(4))
    Customer.objects.filter(pk=dee.pk).update(phone="", email="")
    _consent(ann, ann.email)
    visits = [_walk_in(c, salesperson) for c in (ann, bob, cy, dee)]
    WalkIn.objects.bulk_create([WalkIn(key=uuid.uuid4(), customer=bob, logged_by=salesperson,
                                       created_at=AT)])
    assert _kept() == _recounted()
    assert _kept()[visits[0].pk] == (store.pk, True, True)
    assert _kept()[visits[3].pk] == (store.pk, False, False)

    _consent(bob, str(bob.phone), channel=Channel.SMS)  # granted after the walk-in
    _consent(ann, ann.email, granted=False, at=AT + datetime.timedelta(days=1))
    cy.email, cy.phone = "", ""  # no way to reach Cy any more
    cy.save()
    Customer.objects.filter(pk=dee.pk).update(email="dee@mail.example")
    Customer.objects.filter(pk=bob.pk).update(store=other_store)  # moved, walk-ins and all
    assert _kept() == _recounted()
    assert _kept()[visits[1].pk] == (other_store.pk, True, True)

    WalkIn.objects.filter(pk=visits[2].pk).update(customer=ann)  # logged for the wrong one
    customer_erase(customer=bob, by=manager)
    Customer.objects.filter(last_visit_at__isnull=True).update(notes="nothing asked")
    assert _kept() == _recounted()
    assert _kept()[visits[1].pk] == (other_store.pk, False, False)
    assert _kept()[visits[2].pk] == (store.pk, True, False)
