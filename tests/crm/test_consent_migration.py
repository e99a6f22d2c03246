"""Migration crm 0010 gives every consent row recorded before it the address on file then."""

import datetime
import importlib

import pytest
import time_machine
from django.apps import apps
from django.db import connection

from crm.models import Channel, Consent, ConsentMethod, Customer, Purpose
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

migration = importlib.import_module("crm.migrations.0010_consent_address")

JAN = datetime.datetime(2025, 1, 10, 15, tzinfo=datetime.UTC)
MAR = datetime.datetime(2025, 3, 10, 15, tzinfo=datetime.UTC)
MAY = datetime.datetime(2025, 5, 10, 15, tzinfo=datetime.UTC)


@pytest.fixture
def old_ledger():
    """The table as it was before the migration: rows without an address are allowed (the
    test's transaction puts the constraints back)."""
    with connection.cursor() as cursor:
        for constraint in migration.CONSTRAINTS:
            cursor.execute(f"ALTER TABLE crm_consent DROP CONSTRAINT {constraint.name}")

    def row(customer, channel, at, purpose=Purpose.OCCASION_REMINDERS):
        return Consent.objects.create(customer=customer, channel=channel, address="",
                                      purpose=purpose, granted=True,
                                      method=ConsentMethod.TABLET, created_at=at)

    return row


def _fill():
    migration.fill_consent_addresses(apps, None)


def test_each_row_gets_the_address_on_file_when_it_was_recorded(store, old_ledger):
    with time_machine.travel(JAN, tick=False):
        ava = CustomerFactory(store=store, email="ava@first.example", phone="+12175550142")
    with time_machine.travel(MAR, tick=False):
        ava.email, ava.phone = "ava@second.example", "+12175550199"
        ava.save()
    before = old_ledger(ava, Channel.EMAIL, JAN + datetime.timedelta(days=1))
    after = old_ledger(ava, Channel.EMAIL, MAY)
    text = old_ledger(ava, Channel.SMS, JAN + datetime.timedelta(days=2))

    _fill()

    for row in (before, after, text):
        row.refresh_from_db()
    assert (before.address, after.address) == ("ava@first.example", "ava@second.example")
    assert text.address == "+12175550142"


def test_a_row_recorded_as_the_profile_was_created_takes_its_first_address(store,
                                                                           old_ledger):
    """The walk-in reads the clock before it saves the profile: no history is older."""
    with time_machine.travel(MAR, tick=False):
        ava = CustomerFactory(store=store, email="ava@first.example")
    with time_machine.travel(MAY, tick=False):
        ava.email = "ava@second.example"
        ava.save()
    row = old_ledger(ava, Channel.EMAIL, MAR - datetime.timedelta(seconds=1))
    _fill()
    row.refresh_from_db()
    assert row.address == "ava@first.example"


def test_without_history_the_address_on_the_profile_now_is_used(store, old_ledger):
    [ava] = Customer.objects.bulk_create([Customer(store=store, first_name="Ava",
                                                   email="ava@mail.example",
                                                   secondary_email="")])
    row = old_ledger(ava, Channel.EMAIL, JAN)
    _fill()
    row.refresh_from_db()
    assert row.address == "ava@mail.example"


def test_the_second_email_stands_in_when_there_was_no_main_one(store, old_ledger):
    with time_machine.travel(JAN, tick=False):
        ava = CustomerFactory(store=store, email="", secondary_email="ava@work.example")
    row = old_ledger(ava, Channel.EMAIL, MAR)
    _fill()
    row.refresh_from_db()
    assert row.address == "ava@work.example"


def test_a_row_with_no_address_ever_on_file_is_kept_as_it_was(store, old_ledger):
    with time_machine.travel(JAN, tick=False):
        ava = CustomerFactory(store=store, phone="")
    call = old_ledger(ava, Channel.PHONE, MAR)
    _fill()
    call.refresh_from_db()
    assert call.address == ""
    assert Consent.objects.count() == 1
