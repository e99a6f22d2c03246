"""A birthday reminder end to end through the real Redis broker and a real Celery worker."""

import datetime
import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.utils import timezone

from config.celery import app
from crm.models import Interaction, InteractionKind
from followups.models import Message, MessageStatus
from followups.services import messaging_settings_for
from followups.tasks import plan_followups, send_message

# One xdist process runs every test that starts a real worker on the shared Redis database.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("celery-worker")]


def _wait_for(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return False


def test_a_birthday_reminder_travels_planner_queue_sender_timeline(store, make_customer):
    # Sending hours open all day, so the test does not depend on the clock.
    messaging = messaging_settings_for(store=store)
    messaging.send_from, messaging.send_until = datetime.time(0), datetime.time(23, 59, 59)
    messaging.save()
    birthday = store.today(timezone.now()) + datetime.timedelta(days=14)
    customer, _ = make_customer(on=birthday, first_name="Grace")
    app.control.purge()

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        # The run is queued as one task per day of the window (a chunk each).
        assert plan_followups.delay().get(timeout=20) == messaging.lead_days
        assert _wait_for(lambda: Message.objects.filter(status=MessageStatus.SENT).exists())
        message = Message.objects.get()
        # The broker redelivers the task (acks_late after a lost ack): nothing more is sent.
        assert send_message.delay(message.pk).get(timeout=20) == "nothing to do"

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [customer.email]
    assert "Dear Grace" in mail.outbox[0].body
    assert message.provider_id
    entry = Interaction.objects.get(customer=customer)
    assert entry.kind == InteractionKind.MESSAGE
