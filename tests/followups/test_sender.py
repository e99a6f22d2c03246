"""The sender: one message out per row, re-checked at send time, recorded on the timeline."""

import datetime
from unittest import mock

import pytest
import time_machine
from anymail.exceptions import AnymailInvalidAddress
from django.core import mail
from django.core.mail import BadHeaderError

from crm.models import Channel, ConsentMethod, Interaction, InteractionKind, Occasion, Purpose
from followups import compose, sender, sms
from followups.errors import SendError
from followups.models import Message, MessageStatus
from followups.sender import message_send, messages_dispatch_due
from followups.services import messaging_settings_for
from tests.factories import (
    ConsentFactory,
    EnvelopeFactory,
    MessageFactory,
    MessageTemplateFactory,
    OccasionFactory,
    WishItemFactory,
)

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
        f"<{compose.unsubscribe_url(reminder.customer_id, address=reminder.to)}>"
    assert compose.unsubscribe_url(reminder.customer_id, address=reminder.to) in email.body
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
                       occurs_on=MORNING.date() + datetime.timedelta(days=14 - days_ago),
                       sent_at=MORNING - datetime.timedelta(days=days_ago), due_at=MORNING)
    message_send(message_id=reminder.pk)
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.SUPPRESSED
    assert reminder.reason.startswith("Fatigue cap: 2 marketing touches")
    assert not mail.outbox


@pytest.mark.time_machine(MORNING, tick=False)
def test_repair_notices_and_old_messages_do_not_count_toward_the_cap(reminder):
    MessageFactory(customer=reminder.customer, status=MessageStatus.SENT, occasion=None,
                   occurs_on=None, purpose=Purpose.REPAIR_NOTICES, kind="repair_ready",
                   sent_at=MORNING - datetime.timedelta(days=1), due_at=MORNING)
    MessageFactory(customer=reminder.customer, status=MessageStatus.SENT,
                   occurs_on=MORNING.date() - datetime.timedelta(days=17),
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
    for days in (1, 2):
        MessageFactory(customer=reminder.customer, status=MessageStatus.SENDING,
                       occurs_on=datetime.date(2026, 12, 10) + datetime.timedelta(days=days),
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
    monkeypatch.setattr(send_message, "apply_async",
                        lambda args, **options: queued.append(args[0]))
    with time_machine.travel(MORNING, tick=False), \
            django_capture_on_commit_callbacks(execute=True):
        call_command("send_due_messages")
    assert "1 messages queued" in capsys.readouterr().out
    assert queued == [reminder.pk]


def _sent(customer, *, days_ago, **fields):
    """A message that went out `days_ago` days before MORNING."""
    fields.setdefault("status", MessageStatus.SENT)
    # Each its own occasion date, so each is its own touch (and its own outbox row).
    fields.setdefault("occurs_on", (MORNING - datetime.timedelta(days=days_ago)).date()
                      + datetime.timedelta(days=14))
    return MessageFactory(customer=customer, sent_at=MORNING - datetime.timedelta(days=days_ago),
                          due_at=MORNING, **fields)


@pytest.mark.time_machine(MORNING, tick=False)
def test_an_occasions_email_and_text_are_one_touch_so_her_birthday_reminder_still_goes(
        make_customer):
    # She said yes to email and text: the anniversary pair went out last week.
    customer, birthday = make_customer(on=datetime.date(2026, 12, 10),
                                       channels=[Channel.EMAIL, Channel.SMS])
    anniversary = OccasionFactory(customer=customer, kind="anniversary", month=12, day=3)
    for channel in (Channel.EMAIL, Channel.SMS):
        _sent(customer, days_ago=6, occasion=anniversary, occurs_on=datetime.date(2026, 12, 3),
              kind="anniversary", channel=channel)
    email, text = (MessageFactory(customer=customer, occasion=birthday, channel=channel,
                                  occurs_on=datetime.date(2026, 12, 10), due_at=MORNING)
                   for channel in (Channel.EMAIL, Channel.SMS))

    assert message_send(message_id=email.pk) == "sent"
    # Her birthday email is the second touch; its text is the same touch, not a third.
    assert message_send(message_id=text.pk) == "sent"

    assert len(mail.outbox) == 1 and len(sms.outbox) == 1
    assert not Message.objects.filter(status=MessageStatus.SUPPRESSED).exists()


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_third_occasion_within_the_month_is_still_held_by_the_cap(make_customer):
    customer, birthday = make_customer(on=datetime.date(2026, 12, 10),
                                       channels=[Channel.EMAIL, Channel.SMS])
    for day, kind in ((1, "anniversary"), (3, "partner_birthday")):
        occasion = OccasionFactory(customer=customer, kind=kind, month=12, day=day)
        for channel in (Channel.EMAIL, Channel.SMS):
            _sent(customer, days_ago=5, occasion=occasion, kind=kind, channel=channel,
                  occurs_on=datetime.date(2026, 12, day))
    reminder = MessageFactory(customer=customer, occasion=birthday, due_at=MORNING,
                              occurs_on=datetime.date(2026, 12, 10))
    assert message_send(message_id=reminder.pk) == "suppressed"
    reminder.refresh_from_db()
    assert reminder.reason.startswith("Fatigue cap: 2 marketing touches")
    assert not mail.outbox


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_repair_ready_notice_goes_out_over_the_cap_and_does_not_count_toward_it(
        make_customer, store):
    customer, birthday = make_customer(on=datetime.date(2026, 12, 10))
    ConsentFactory(customer=customer, purpose=Purpose.REPAIR_NOTICES)
    for days_ago in (3, 10):
        _sent(customer, days_ago=days_ago)
    envelope = EnvelopeFactory(customer=customer)
    notice = MessageFactory(customer=customer, occasion=None, occurs_on=None, envelope=envelope,
                            purpose=Purpose.REPAIR_NOTICES, kind="repair_ready", due_at=MORNING)

    assert message_send(message_id=notice.pk) == "sent"

    # The notice is not a third touch: with one reminder sent, the birthday's still goes.
    Message.objects.filter(sent_at=MORNING - datetime.timedelta(days=10)).delete()
    reminder = MessageFactory(customer=customer, occasion=birthday, due_at=MORNING,
                              occurs_on=datetime.date(2026, 12, 10))
    assert message_send(message_id=reminder.pk) == "sent"
    assert len(mail.outbox) == 2


@pytest.mark.time_machine(MORNING, tick=False)
@pytest.mark.parametrize(("error", "reason"), [
    (BadHeaderError("Header values can't contain newlines"), "Could not build the email"),
    (ValueError("Invalid email address 'olivia@@mail'"), "Invalid email address"),
    (KeyError("surprise"), "Unexpected error (KeyError)"),
])
def test_an_error_the_sender_does_not_recognise_fails_the_message_with_its_reason(
        reminder, error, reason):
    with mock.patch.object(sender, "_deliver", side_effect=error):
        assert message_send(message_id=reminder.pk) == "failed"
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.FAILED
    assert reason in reminder.reason
    assert not Interaction.objects.exists()
    # Failed is final: the dispatcher does not offer it again.
    assert messages_dispatch_due(now=MORNING + datetime.timedelta(hours=1)) == 0


@pytest.mark.time_machine(MORNING, tick=False)
def test_the_providers_invalid_address_error_fails_the_message_instead_of_stranding_it(
        reminder, settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    refused = AnymailInvalidAddress("Invalid email address 'olivia@@mail.example'")
    with mock.patch("django.core.mail.EmailMessage.send", side_effect=refused):
        assert message_send(message_id=reminder.pk) == "failed"
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.FAILED
    assert "olivia@@mail.example" in reminder.reason
    assert not mail.outbox


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_connection_error_from_the_provider_is_retried_not_stranded(reminder):
    with mock.patch.object(sender, "_deliver", side_effect=ConnectionResetError("reset")):
        assert message_send(message_id=reminder.pk) == "retry later"
    reminder.refresh_from_db()
    assert (reminder.status, reminder.attempts) == (MessageStatus.PLANNED, 1)
    assert "reset" in reminder.reason


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_name_saved_with_a_line_break_still_goes_out_with_a_one_line_subject(make_customer,
                                                                              store):
    customer, occasion = make_customer(first_name="Olivia\nBcc: everyone@mail.example",
                                       email="olivia@mail.example")
    MessageTemplateFactory(store=store, subject="For {{ first_name }}, from {{ store }}")
    message = MessageFactory(customer=customer, occasion=occasion, due_at=MORNING,
                             occurs_on=datetime.date(2026, 12, 10))
    assert message_send(message_id=message.pk) == "sent"
    [email] = mail.outbox
    assert "\n" not in email.subject
    assert email.subject.startswith("For Olivia Bcc: everyone@mail.example, from")
    assert email.to == [customer.email]


@pytest.mark.time_machine(MORNING, tick=False)
def test_the_sweep_flags_a_message_stuck_in_sending_and_never_sends_it_again(reminder,
                                                                            manager_client):
    with mock.patch.object(sender, "_record_sent", side_effect=SystemExit("worker killed")), \
            pytest.raises(SystemExit):
        message_send(message_id=reminder.pk)
    fresh = MessageFactory(customer=reminder.customer, status=MessageStatus.SENDING,
                           occurs_on=reminder.occurs_on + datetime.timedelta(days=1),
                           updated_at=MORNING + datetime.timedelta(minutes=10))

    later = MORNING + datetime.timedelta(minutes=20)
    assert sender.messages_flag_stuck(now=later) == 1
    assert sender.messages_flag_stuck(now=later) == 0

    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.NEEDS_LOOK
    assert "may or may not have gone out" in reminder.reason
    fresh.refresh_from_db()
    assert fresh.status == MessageStatus.SENDING  # still within its worker's time
    assert messages_dispatch_due(now=later) == 0
    assert message_send(message_id=reminder.pk) == "nothing to do"
    assert len(mail.outbox) == 1
    page = manager_client.get("/followups/messages/", {"status": "needs_look"}).content.decode()
    assert "1 message needs a look" in page
    assert reminder.customer.full_name in page


def test_the_sweep_command_reports_what_it_flagged(reminder, capsys):
    from django.core.management import call_command

    Message.objects.filter(pk=reminder.pk).update(
        status=MessageStatus.SENDING, updated_at=MORNING - datetime.timedelta(hours=1))
    with time_machine.travel(MORNING, tick=False):
        call_command("flag_stuck_messages")
    assert "1 stuck messages marked for a look" in capsys.readouterr().out
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.NEEDS_LOOK


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_late_delivery_report_settles_a_message_that_needed_a_look(reminder):
    from followups.services import message_record_event

    Message.objects.filter(pk=reminder.pk).update(status=MessageStatus.NEEDS_LOOK,
                                                  reason="Stuck", provider_id="pm-1")
    message_record_event(provider="anymail-postmark", event_id="e1", provider_id="pm-1",
                         status=MessageStatus.DELIVERED)
    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.DELIVERED


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_reminder_for_an_occasion_already_past_is_not_sent(make_customer):
    customer, occasion = make_customer(on=datetime.date(2026, 11, 20))
    message = MessageFactory(customer=customer, occasion=occasion, due_at=MORNING,
                             occurs_on=datetime.date(2026, 11, 20))
    assert message_send(message_id=message.pk) == "suppressed"
    message.refresh_from_db()
    assert message.reason == "Too late: the occasion was on Nov 20."
    assert not mail.outbox


@pytest.mark.time_machine(MORNING, tick=False)
@pytest.mark.parametrize(("change", "reason"), [
    ({"day": 11}, "The occasion was moved to another date."),
    (None, "The occasion was removed from the profile."),
])
def test_a_reminder_for_a_date_no_longer_on_file_is_not_sent(reminder, change, reason):
    # Changed behind the services' back, so nothing withdrew it: the sender checks again.
    if change:
        Occasion.objects.filter(pk=reminder.occasion_id).update(**change)
    else:
        Message.objects.filter(pk=reminder.pk).update(occasion=None)

    assert message_send(message_id=reminder.pk) == "suppressed"

    reminder.refresh_from_db()
    assert (reminder.status, reminder.reason) == (MessageStatus.SUPPRESSED, reason)
    assert not mail.outbox
    assert not Interaction.objects.filter(kind=InteractionKind.MESSAGE).exists()
