"""The "your repair is ready" notice: once per envelope and channel, sent after commit."""

import datetime

import pytest
import time_machine
from django.core import mail

from crm.models import Channel, ConsentMethod, Purpose
from followups import sms
from followups.models import Message, MessageStatus
from followups.services import repair_ready_notify
from followups.tasks import send_message
from tests.factories import ConsentFactory, CustomerFactory, EnvelopeFactory

pytestmark = pytest.mark.django_db

MORNING = datetime.datetime(2026, 11, 26, 16, 0, tzinfo=datetime.UTC)


@pytest.fixture
def envelope(store):
    customer = CustomerFactory(store=store, first_name="Ruth", phone="+12175550188")
    ConsentFactory(customer=customer, channel=Channel.EMAIL, purpose=Purpose.REPAIR_NOTICES)
    return EnvelopeFactory(customer=customer, number=1042)


@pytest.mark.time_machine(MORNING, tick=False)
def test_marking_ready_twice_plans_one_email_and_sends_it_after_commit(
        envelope, django_capture_on_commit_callbacks, monkeypatch):
    queued = []
    monkeypatch.setattr(send_message, "apply_async",
                        lambda args, **options: queued.append(args[0]))
    with django_capture_on_commit_callbacks(execute=True):
        repair_ready_notify(envelope=envelope)
    with django_capture_on_commit_callbacks(execute=True):
        repair_ready_notify(envelope=envelope)

    message = Message.objects.get()
    assert (message.channel, message.to, message.status) == ("email", envelope.email, "planned")
    assert message.purpose == Purpose.REPAIR_NOTICES
    assert queued == [message.pk]


@pytest.mark.time_machine(MORNING, tick=False)
def test_nothing_is_queued_until_the_transaction_commits(envelope,
                                                         django_capture_on_commit_callbacks,
                                                         monkeypatch):
    queued = []
    monkeypatch.setattr(send_message, "apply_async",
                        lambda args, **options: queued.append(args[0]))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        repair_ready_notify(envelope=envelope)
    assert queued == []
    assert len(callbacks) == 1


@pytest.mark.time_machine(MORNING, tick=False)
def test_the_ready_email_renders_the_envelope_number(envelope):
    from followups.sender import message_send

    [message] = repair_ready_notify(envelope=envelope)
    assert message_send(message_id=message.pk) == "sent"
    [email] = mail.outbox
    assert "envelope 1042" in email.body and "Dear Ruth" in email.body


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_text_too_when_they_gave_a_phone_and_agreed_to_texts(envelope):
    ConsentFactory(customer=envelope.customer, channel=Channel.SMS,
                   purpose=Purpose.REPAIR_NOTICES)
    repair_ready_notify(envelope=envelope)
    repair_ready_notify(envelope=envelope)
    assert sorted(Message.objects.values_list("channel", "to")) == [
        ("email", envelope.email), ("sms", "+12175550188")]


@pytest.mark.time_machine(MORNING, tick=False)
def test_no_text_without_sms_consent_even_with_a_phone(envelope):
    repair_ready_notify(envelope=envelope)
    assert list(Message.objects.values_list("channel", flat=True)) == ["email"]
    assert not sms.outbox


# Frozen before the fixtures too: the envelope's grant must come before this revocation.
@pytest.mark.time_machine(MORNING, tick=False)
def test_without_repair_notice_consent_the_email_is_held_back_with_the_reason(envelope):
    ConsentFactory(customer=envelope.customer, channel=Channel.EMAIL,
                   purpose=Purpose.REPAIR_NOTICES, granted=False,
                   method=ConsentMethod.UNSUBSCRIBE)
    [message] = repair_ready_notify(envelope=envelope)
    assert message.status == MessageStatus.SUPPRESSED
    assert "No consent to repair notices by email" in message.reason


def test_marked_ready_after_closing_time_waits_for_the_morning(envelope):
    evening = datetime.datetime(2026, 11, 27, 3, 0, tzinfo=datetime.UTC)  # 21:00 Chicago
    with time_machine.travel(evening, tick=False):
        [message] = repair_ready_notify(envelope=envelope)
    assert message.due_at == datetime.datetime(2026, 11, 27, 15, 0, tzinfo=datetime.UTC)
