"""A small store whose every figure is counted by hand in the tests' docstrings.

The clock stands at noon on June 15, 2026 in the store (America/Chicago); "today" is June 15.
"""

import datetime
import uuid
import zoneinfo
from decimal import Decimal

import pytest

from core.audit import log_action
from crm.models import Customer, Interaction, InteractionKind, Purchase, WalkIn
from tests.factories import CustomerFactory

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
MOMENT = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=CHICAGO)
TODAY = datetime.date(2026, 6, 15)
LONG_AGO = datetime.datetime(2024, 1, 1, 12, 0, tzinfo=CHICAGO)


def at(year, month, day, hour=12, minute=0):
    """A moment on the store's clock."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=CHICAGO)


@pytest.fixture
def make_customer(store):
    def make(*, created=None, store=store, **fields):
        customer = CustomerFactory(store=store, **fields)
        Customer.objects.filter(pk=customer.pk).update(created_at=created or LONG_AGO)
        customer.refresh_from_db()
        return customer

    return make


def visit(customer, moment):
    Interaction.objects.create(customer=customer, kind=InteractionKind.VISIT, summary="Visit",
                               occurred_at=moment)
    Customer.objects.filter(pk=customer.pk).update(last_visit_at=moment)


def reply(customer, moment):
    Interaction.objects.create(customer=customer, kind=InteractionKind.REPLY,
                               summary="Thanks!", occurred_at=moment)


def buy(customer, day, amount, associate=None):
    Purchase.objects.create(customer=customer, store=customer.store, purchased_on=day,
                            amount=Decimal(amount), associate=associate)


def walk_in(customer, by, moment):
    WalkIn.objects.create(key=uuid.uuid4(), customer=customer, logged_by=by, created_at=moment)


def created_by(customer, by, moment):
    """The audit entry customer_create writes."""
    log_action(by=by, action="customer.created", obj=customer, store=customer.store,
               at=moment)
