"""What the follow-up tests share: texts kept in memory, and customers who asked (or not)."""

import datetime

import pytest

from crm.models import Channel, Purpose
from followups import sms
from tests.factories import ConsentFactory, CustomerFactory, OccasionFactory


@pytest.fixture(autouse=True)
def _texts_in_memory(settings):
    settings.SMS_BACKEND = "followups.sms.LocmemBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TWILIO_AUTH_TOKEN = "twilio-test-auth-token"
    settings.TWILIO_ACCOUNT_SID = "ACtest"
    settings.TWILIO_FROM_NUMBER = "+12175550100"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def make_customer(store, salesperson):
    """A customer of the salesperson with an occasion on `on`, and consent on `channels`."""

    def make(*, on=datetime.date(2026, 12, 10), channels=(Channel.EMAIL,), kind="birthday",
             purpose=Purpose.OCCASION_REMINDERS, **fields):
        fields.setdefault("assigned_to", salesperson)
        customer = CustomerFactory(store=store, **fields)
        occasion = OccasionFactory(customer=customer, kind=kind, month=on.month, day=on.day)
        for channel in channels:
            ConsentFactory(customer=customer, channel=channel, purpose=purpose,
                           created_at=datetime.datetime(2026, 1, 5, 12, tzinfo=datetime.UTC))
        return customer, occasion

    return make
