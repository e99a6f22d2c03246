"""An upcoming trunk show and a draft campaign for it; texts and emails kept in memory."""

import datetime

import pytest

from crm.models import Channel, Purpose
from events import services
from followups import sms
from tests.factories import ConsentFactory, CustomerFactory

# Nov 26, 2026, 10:00 in Chicago (the test store's timezone): inside sending hours.
MORNING = datetime.datetime(2026, 11, 26, 16, 0, tzinfo=datetime.UTC)
CHICAGO = datetime.timezone(datetime.timedelta(hours=-6))
SHOW = datetime.datetime(2026, 12, 12, 18, 0, tzinfo=CHICAGO)
DEADLINE = datetime.datetime(2026, 12, 10, 23, 59, tzinfo=CHICAGO)


@pytest.fixture(autouse=True)
def _outbox_in_memory(settings):
    settings.SMS_BACKEND = "followups.sms.LocmemBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TWILIO_AUTH_TOKEN = "twilio-test-auth-token"
    settings.TWILIO_FROM_NUMBER = "+12175550100"
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def event(store, manager):
    return services.event_create(store=store, title="Trunk show", starts_at=SHOW,
                                 place="Main floor", rsvp_deadline=DEADLINE, capacity=10,
                                 categories=list(store.preferences.all()[:1]), by=manager)


@pytest.fixture
def campaign(event, manager):
    return services.campaign_create(event=event, by=manager)


@pytest.fixture
def guest(store):
    """A customer whose email has consent to events and news."""

    def make(*, channels=(Channel.EMAIL,), purpose=Purpose.EVENTS, at=None, **fields):
        customer = CustomerFactory(store=store, **fields)
        for channel in channels:
            ConsentFactory(customer=customer, channel=channel, purpose=purpose,
                           created_at=at or datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC))
        return customer

    return make
