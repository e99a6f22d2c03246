"""Redis down loses nothing and fails no request: the outbox row is the record, and the
dispatcher hands it to the sender once Redis is back."""

import datetime
import time

import pytest
from django.core import mail

from core.queueing import publish
from crm.models import Channel, Purpose
from followups import services
from followups.models import Message, MessageStatus
from followups.sender import message_send, messages_dispatch_due
from followups.tasks import send_message
from tests.factories import ConsentFactory, CustomerFactory, EnvelopeFactory, MessageFactory

pytestmark = pytest.mark.django_db

MORNING = datetime.datetime(2026, 11, 26, 16, 0, tzinfo=datetime.UTC)  # 10:00 Chicago


def test_every_hand_over_asks_the_broker_to_keep_no_result(monkeypatch):
    """Waiting on the result store would hold a request while Redis is down."""
    handed = []
    monkeypatch.setattr(send_message, "apply_async",
                        lambda args, **options: handed.append((args, options)))
    assert publish(send_message, 7) is True
    assert handed == [((7,), {"ignore_result": True})]


def test_queueing_with_the_broker_down_gives_up_fast_and_leaves_the_row_for_the_dispatcher(
        store, broker, django_capture_on_commit_callbacks):
    message = MessageFactory(customer=CustomerFactory(store=store), queued_at=MORNING)
    started = time.monotonic()
    with broker.down(), django_capture_on_commit_callbacks(execute=True):
        services.queue_after_commit([message.pk])
    assert time.monotonic() - started < 5
    message.refresh_from_db()
    assert (message.status, message.queued_at) == (MessageStatus.PLANNED, None)


def test_the_dispatcher_with_the_broker_down_fails_nothing_and_tries_again_next_run(
        store, broker, django_capture_on_commit_callbacks, monkeypatch):
    messages = [MessageFactory(customer=CustomerFactory(store=store), due_at=MORNING)
                for _ in range(3)]
    with broker.down(), django_capture_on_commit_callbacks(execute=True):
        assert messages_dispatch_due(now=MORNING) == 3
    assert not Message.objects.filter(queued_at__isnull=False).exists()

    queued = []
    monkeypatch.setattr(send_message, "apply_async",
                        lambda args, **options: queued.append(args[0]))
    with django_capture_on_commit_callbacks(execute=True):
        assert messages_dispatch_due(now=MORNING + datetime.timedelta(minutes=1)) == 3
    assert sorted(queued) == sorted(m.pk for m in messages)


@pytest.mark.time_machine(MORNING, tick=False)
def test_marking_a_repair_ready_with_redis_down_answers_normally_and_the_notice_goes_later(
        service_client, store, broker, django_capture_on_commit_callbacks, monkeypatch):
    customer = CustomerFactory(store=store, first_name="Ruth", phone="")
    ConsentFactory(customer=customer, channel=Channel.EMAIL, purpose=Purpose.REPAIR_NOTICES)
    envelope = EnvelopeFactory(customer=customer, number=1042)
    url = f"/repairs/{envelope.pk}/status/"

    with broker.down(), django_capture_on_commit_callbacks(execute=True):
        response = service_client.post(url, {"to_status": "ready"})

    assert response.status_code == 302
    envelope.refresh_from_db()
    assert envelope.status == "ready"
    notice = Message.objects.get(envelope=envelope)
    assert (notice.status, notice.queued_at) == (MessageStatus.PLANNED, None)
    assert not mail.outbox

    # Redis is back: the dispatcher's next run hands the notice to the sender.
    monkeypatch.setattr(send_message, "apply_async",
                        lambda args, **options: message_send(message_id=args[0]))
    with django_capture_on_commit_callbacks(execute=True):
        assert messages_dispatch_due(now=MORNING) == 1
    [email] = mail.outbox
    assert email.to == [envelope.email] and "1042" in email.body
    notice.refresh_from_db()
    assert notice.status == MessageStatus.SENT


def test_the_dispatcher_queues_at_most_the_providers_rate_a_run_the_oldest_first(
        store, settings, django_capture_on_commit_callbacks, monkeypatch):
    """A 100,000-guest campaign goes at OUTBOX_DISPATCH_PER_MINUTE, not 500, a minute."""
    settings.OUTBOX_DISPATCH_PER_MINUTE = 2
    due = [MessageFactory(customer=CustomerFactory(store=store),
                          due_at=MORNING - datetime.timedelta(minutes=n)) for n in range(3)]
    queued = []
    monkeypatch.setattr(send_message, "apply_async",
                        lambda args, **options: queued.append(args[0]))
    with django_capture_on_commit_callbacks(execute=True):
        assert messages_dispatch_due(now=MORNING) == 2
    assert queued == [due[2].pk, due[1].pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert messages_dispatch_due(now=MORNING + datetime.timedelta(minutes=1)) == 1
    assert queued[-1] == due[0].pk
