"""The sender: one message out per row, re-checked at send time, recorded on the timeline."""

import datetime
from unittest import mock

import pytest
import time_machine
from django.core import mail

from crm.models import Channel, ConsentMethod, Interaction, InteractionKind, Purpose
from followups import sender, sms
from followups.errors import SendError
from followups.models import Message, MessageStatus
from followups.sender import message_send, messages_dispatch_due
from followups.services import messaging_settings_for
from tests.factories import ConsentFactory, MessageFactory, WishItemFactory

pytestmark = pytest.mark.django_db

MORNING = datetime.datetime(2026, 11, 26, 16, 0, tzinfo=datetime.UTC)  # 10:00 Chicago


@pytest.fixture
def reminder(make_customer):
    customer, occasion = make_customer(on=datetime.date(2026, 12, 10), first_name="Olivia")
    return MessageFactory(customer=customer, occasion=occasion,
                          occurs_on=datetime.date(2026, 12, 10), due_at=MORNING)


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_due_birthday_email_is_sent_rendered_and_on_the_timeline(reminder, salesperson):
    WishItemFactory(customer=reminder.customer, description="Sapphire halo ring")

    assert message_send(message_id=reminder.pk) == "sent"

    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.SENT
    assert reminder.sent_at == MORNING
    assert reminder.provider_id
    assert reminder.to == reminder.customer.email
    assert "Dear Olivia" in reminder.body and "birthday is coming up on December 10" \
        in reminder.body
    assert "Sally Sales" in reminder.body
    [email] = mail.outbox
    assert email.to == [reminder.customer.email]
    assert email.body == reminder.body
    assert "12 Main Street" in email.body  # the store's postal address
    assert email.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.extra_headers["List-Unsubscribe"] == \
        f"<{sender.unsubscribe_url(reminder.customer_id, address=reminder.to)}>"
    assert sender.unsubscribe_url(reminder.customer_id, address=reminder.to) in email.body
    entry = Interaction.objects.get(customer=reminder.customer)
    assert entry.kind == InteractionKind.MESSAGE and "Birthday email" in entry.summary


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_redelivered_task_after_sending_sends_nothing(reminder):
    message_send(message_id=reminder.pk)
    assert message_send(message_id=reminder.pk) == "nothing to do"
    assert len(mail.outbox) == 1
    assert Interaction.objects.filter(kind=InteractionKind.MESSAGE).count() == 1


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_crash_between_sending_and_recording_never_sends_twice(reminder):
    with mock.patch.object(sender, "_record_sent", side_effect=SystemExit("worker killed")), \
            pytest.raises(SystemExit):
        message_send(message_id=reminder.pk)
    assert len(mail.outbox) == 1

    # The broker redelivers the task (acks_late), and the dispatcher runs again.
    assert message_send(message_id=reminder.pk) == "nothing to do"
    assert messages_dispatch_due(now=MORNING) == 0

    assert len(mail.outbox) == 1
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.SENDING


@pytest.mark.time_machine(MORNING, tick=False)
def test_consent_revoked_after_planning_stops_the_message_with_the_reason(reminder):
    ConsentFactory(customer=reminder.customer, granted=False, method=ConsentMethod.UNSUBSCRIBE)
    assert message_send(message_id=reminder.pk) == "suppressed"
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.SUPPRESSED
    assert "No current consent" in reminder.reason
    assert not mail.outbox
    assert not Interaction.objects.exists()


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_bounced_address_stops_the_message(reminder):
    ConsentFactory(customer=reminder.customer, granted=False, method=ConsentMethod.BOUNCE)
    message_send(message_id=reminder.pk)
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.SUPPRESSED and reminder.reason
    assert not mail.outbox


@pytest.mark.time_machine(MORNING, tick=False)
def test_the_fatigue_cap_suppresses_with_the_reason_instead_of_dropping(reminder, store):
    for days_ago in (3, 10):
        MessageFactory(customer=reminder.customer, status=MessageStatus.SENT,
                       sent_at=MORNING - datetime.timedelta(days=days_ago), due_at=MORNING)
    message_send(message_id=reminder.pk)
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.SUPPRESSED
    assert reminder.reason.startswith("Fatigue cap: 2 marketing messages")
    assert not mail.outbox


@pytest.mark.time_machine(MORNING, tick=False)
def test_repair_notices_and_old_messages_do_not_count_toward_the_cap(reminder):
    MessageFactory(customer=reminder.customer, status=MessageStatus.SENT, occasion=None,
                   occurs_on=None, purpose=Purpose.REPAIR_NOTICES, kind="repair_ready",
                   sent_at=MORNING - datetime.timedelta(days=1), due_at=MORNING)
    MessageFactory(customer=reminder.customer, status=MessageStatus.SENT,
                   sent_at=MORNING - datetime.timedelta(days=31), due_at=MORNING)
    assert message_send(message_id=reminder.pk) == "sent"


def test_a_message_due_at_night_waits_for_the_morning(reminder):
    night = datetime.datetime(2026, 11, 27, 3, 30, tzinfo=datetime.UTC)  # 21:30 Chicago
    Message.objects.filter(pk=reminder.pk).update(due_at=night)
    with time_machine.travel(night, tick=False):
        assert message_send(message_id=reminder.pk) == "deferred"
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.PLANNED
    assert reminder.due_at == datetime.datetime(2026, 11, 27, 15, 0, tzinfo=datetime.UTC)
    assert "Quiet hours" in reminder.reason
    assert not mail.outbox
    with time_machine.travel(reminder.due_at, tick=False):
        assert message_send(message_id=reminder.pk) == "sent"


@pytest.mark.parametrize(("night_utc", "morning_utc"), [
    # Chicago leaves daylight time on Nov 1, 2026: 21:00 CDT on Oct 31 -> 09:00 CST on Nov 1.
    (datetime.datetime(2026, 11, 1, 2, 0), datetime.datetime(2026, 11, 1, 15, 0)),
    # ...and enters it on Mar 14, 2027: 22:00 CST on Mar 13 -> 09:00 CDT on Mar 14.
    (datetime.datetime(2027, 3, 14, 4, 0), datetime.datetime(2027, 3, 14, 14, 0)),
])
def test_quiet_hours_follow_the_store_clock_across_daylight_saving(store, night_utc,
                                                                   morning_utc):
    messaging = messaging_settings_for(store=store)
    night = night_utc.replace(tzinfo=datetime.UTC)
    morning = morning_utc.replace(tzinfo=datetime.UTC)
    assert not messaging.may_send_at(night)
    assert messaging.next_send_time(night) == morning
    assert messaging.may_send_at(morning)
    assert not messaging.may_send_at(morning - datetime.timedelta(minutes=1))


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_text_goes_through_the_sms_backend_with_stop_wording(make_customer):
    customer, occasion = make_customer(channels=[Channel.SMS], phone="+12175550123")
    message = MessageFactory(customer=customer, occasion=occasion, channel=Channel.SMS,
                             due_at=MORNING)
    message_send(message_id=message.pk)
    [text] = sms.outbox
    assert text["to"] == "+12175550123"
    assert text["body"].endswith("Reply STOP to opt out.")
    message.refresh_from_db()
    assert (message.status, message.provider_id) == (MessageStatus.SENT, text["sid"])


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_transient_error_retries_later_with_backoff_then_gives_up(reminder):
    error = SendError("Provider timed out", permanent=False)
    with mock.patch.object(sender, "_deliver", side_effect=error):
        assert message_send(message_id=reminder.pk) == "retry later"
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.PLANNED
    assert reminder.due_at == MORNING + datetime.timedelta(minutes=2)
    assert reminder.attempts == 1
    Message.objects.filter(pk=reminder.pk).update(attempts=sender.MAX_ATTEMPTS - 1,
                                                  due_at=MORNING)
    with mock.patch.object(sender, "_deliver", side_effect=error):
        assert message_send(message_id=reminder.pk) == "failed"
    reminder.refresh_from_db()
    assert (reminder.status, reminder.reason) == (MessageStatus.FAILED, "Provider timed out")


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_message_not_yet_due_is_left_for_the_dispatcher(reminder):
    Message.objects.filter(pk=reminder.pk).update(due_at=MORNING + datetime.timedelta(hours=1))
    assert message_send(message_id=reminder.pk) == "not due"
    assert messages_dispatch_due(now=MORNING) == 0
    assert messages_dispatch_due(now=MORNING + datetime.timedelta(hours=1)) == 1
    # Queued once; the next minute's run does not queue it again.
    assert messages_dispatch_due(now=MORNING + datetime.timedelta(hours=1, minutes=1)) == 0
    assert not mail.outbox


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_message_another_worker_is_sending_counts_toward_the_cap(reminder):
    for _ in range(2):
        MessageFactory(customer=reminder.customer, status=MessageStatus.SENDING,
                       due_at=MORNING, updated_at=MORNING)
    assert message_send(message_id=reminder.pk) == "suppressed"
    assert not mail.outbox


@pytest.mark.time_machine(MORNING, tick=False)
def test_anymails_message_id_becomes_the_provider_id(reminder, settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.ANYMAIL = {"WEBHOOK_SECRET": "u:p"}
    assert message_send(message_id=reminder.pk) == "sent"
    reminder.refresh_from_db()
    [email] = mail.outbox
    assert reminder.provider_id == str(email.anymail_status.message_id)


def test_the_command_queues_what_has_come_due(reminder, capsys, monkeypatch,
                                              django_capture_on_commit_callbacks):
    from django.core.management import call_command

    from followups.tasks import send_message

    queued = []
    monkeypatch.setattr(send_message, "delay", queued.append)
    with time_machine.travel(MORNING, tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        call_command("send_due_messages")
    assert "1 messages queued" in capsys.readouterr().out
    assert queued == [reminder.pk]
