"""Two-way conversations: a reply in the thread has every check a planned message has, goes
once, waits in quiet hours and stops at a STOP; a customer's text puts one "reply waiting"
item on the right Today, however often the webhook is delivered."""

import datetime
import uuid

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from twilio.request_validator import RequestValidator

from core.errors import LoupeError
from crm.models import Channel, Interaction, InteractionKind, Purpose
from followups import selectors, services, sms
from followups.models import Message, MessageStatus, Task, TaskKind
from followups.sender import message_send
from tests.factories import ConsentFactory, CustomerFactory, MessageFactory

# Monday Nov 30 2026, 10:00 in Chicago (the test store's clock): inside sending hours.
MONDAY_10 = datetime.datetime(2026, 11, 30, 16, tzinfo=datetime.UTC)
PHONE = "+12175550123"
INBOUND = "/followups/webhooks/twilio/inbound/"
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MONDAY_10, tick=False)]


@pytest.fixture
def nora(store, salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson, first_name="Nora",
                               last_name="Lee", phone=PHONE)
    ConsentFactory(customer=customer, channel=Channel.SMS, purpose=Purpose.OCCASION_REMINDERS)
    return customer


def _reply(customer, by, words="Saturday at 11 works, see you then!", address=PHONE,
           key=None):
    return services.customer_reply_send(customer=customer, address=address, words=words,
                                        key=key or uuid.uuid4(), by=by)


def _inbound(client, body, sid, sender=PHONE):
    params = {"From": sender, "To": "+12175550100", "Body": body, "MessageSid": sid}
    signature = RequestValidator("twilio-test-auth-token").compute_signature(
        f"http://testserver{INBOUND}", params)
    return client.post(INBOUND, params, HTTP_X_TWILIO_SIGNATURE=signature)


def test_a_reply_goes_once_even_when_the_form_is_sent_twice(nora, salesperson,
                                                            django_capture_on_commit_callbacks):
    key = uuid.uuid4()
    first = _reply(nora, salesperson, key=key)
    again = _reply(nora, salesperson, key=key)
    assert first.pk == again.pk
    assert Message.objects.count() == 1
    assert (first.purpose, first.kind, first.written_by) == (Purpose.OCCASION_REMINDERS,
                                                             "reply", salesperson)
    assert message_send(message_id=first.pk) == "sent"
    assert message_send(message_id=first.pk) == "nothing to do"
    assert [t["body"] for t in sms.outbox] == ["Saturday at 11 works, see you then!"]


def test_a_reply_without_consent_at_that_address_is_refused_and_nothing_saved(store,
                                                                             salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson, phone=PHONE)
    ConsentFactory(customer=customer, channel=Channel.EMAIL)  # the email only
    with pytest.raises(LoupeError, match=r"has not agreed to hear from us at \+12175550123"):
        _reply(customer, salesperson)
    assert not Message.objects.exists()


def test_an_address_not_on_the_profile_is_refused(nora, salesperson):
    with pytest.raises(LoupeError, match="on the profile"):
        _reply(nora, salesperson, address="+12175559999")
    assert not Message.objects.exists()


@pytest.mark.parametrize(("words", "problem"), [("   ", "Write a message first."),
                                                ("x" * 1601, "Too long: 1601 characters")])
def test_an_empty_or_over_long_text_is_refused(nora, salesperson, words, problem):
    with pytest.raises(LoupeError, match=problem):
        _reply(nora, salesperson, words=words)
    assert not Message.objects.exists()


def test_inside_quiet_hours_the_reply_waits_and_says_until_when(nora, salesperson):
    late = datetime.datetime(2026, 12, 1, 3, 30, tzinfo=datetime.UTC)  # 21:30 in Chicago
    with time_machine.travel(late, tick=False):
        message = _reply(nora, salesperson)
        assert message_send(message_id=message.pk) == "not due"
    assert message.due_at == datetime.datetime(2026, 12, 1, 15, tzinfo=datetime.UTC)
    assert "Quiet hours: waits until Dec 01 09:00." in services.reply_status(message)
    assert not sms.outbox
    with time_machine.travel(message.due_at, tick=False):
        assert message_send(message_id=message.pk) == "sent"
    assert len(sms.outbox) == 1


def test_a_stop_before_the_reply_goes_out_stops_it(client, nora, salesperson):
    late = datetime.datetime(2026, 12, 1, 3, 30, tzinfo=datetime.UTC)
    with time_machine.travel(late, tick=False):
        message = _reply(nora, salesperson)
        _inbound(client, "STOP", "SMstop1")
    with time_machine.travel(message.due_at, tick=False):
        assert message_send(message_id=message.pk) == "suppressed"
    message.refresh_from_db()
    assert message.status == MessageStatus.SUPPRESSED
    assert not sms.outbox
    with pytest.raises(LoupeError, match="has not agreed"):  # and no new reply either
        _reply(nora, salesperson)


def test_an_email_reply_has_its_subject_and_the_footer(store, salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson, first_name="Ava")
    ConsentFactory(customer=customer, channel=Channel.EMAIL, purpose=Purpose.EVENTS)
    message = services.customer_reply_send(customer=customer, address=customer.email,
                                           words="The ring is in.", key=uuid.uuid4(),
                                           subject="Your ring", by=salesperson)
    assert message_send(message_id=message.pk) == "sent"
    [email] = mail.outbox
    assert email.subject == "Your ring"
    assert email.body.startswith("The ring is in.\n\n--\n")
    assert "Unsubscribe:" in email.body


def test_a_text_delivered_twice_makes_one_reply_waiting_item(client, nora, salesperson):
    for _ in range(2):
        assert _inbound(client, "Is the ring ready?", "SM111").status_code == 200
    [waiting] = selectors.replies_waiting(staff=salesperson)
    assert (waiting.customer, waiting.kind, waiting.note) == (nora, TaskKind.REPLY,
                                                              "Is the ring ready?")
    assert Interaction.objects.filter(customer=nora, kind=InteractionKind.REPLY).count() == 1


def test_a_second_text_updates_the_item_that_waits(client, nora, salesperson):
    _inbound(client, "Is the ring ready?", "SM111")
    _inbound(client, "Also, are you open Sunday?", "SM112")
    [waiting] = selectors.replies_waiting(staff=salesperson)
    assert waiting.note == "Also, are you open Sunday?"
    assert Interaction.objects.filter(customer=nora, kind=InteractionKind.REPLY).count() == 2


def test_an_orphans_text_waits_for_the_managers(client, store, salesperson, manager):
    orphan = CustomerFactory(store=store, assigned_to=None, phone=PHONE)
    _inbound(client, "Hello?", "SM200")
    assert [t.customer for t in selectors.replies_waiting(staff=manager)] == [orphan]
    assert list(selectors.replies_waiting(staff=salesperson)) == []


def test_answering_closes_the_reply_waiting_item(client, nora, salesperson):
    _inbound(client, "Is the ring ready?", "SM111")
    _reply(nora, salesperson)
    assert list(selectors.replies_waiting(staff=salesperson)) == []
    assert Task.objects.get().outcome == "Answered in the thread"


def test_the_thread_has_texts_in_and_out_newest_last(client, nora, salesperson):
    MessageFactory(customer=nora, channel=Channel.SMS, to=PHONE, status=MessageStatus.SENT,
                   sent_at=MONDAY_10 - datetime.timedelta(days=2),
                   due_at=MONDAY_10 - datetime.timedelta(days=2))
    _inbound(client, "Thanks! Is the ring ready?", "SM111")
    with time_machine.travel(MONDAY_10 + datetime.timedelta(minutes=5), tick=False):
        reply = _reply(nora, salesperson)
    thread = selectors.customer_thread(customer=nora)
    assert [direction for _, direction, _ in thread] == ["out", "in", "out"]
    assert thread[-1][2] == reply


def test_the_conversation_page_keeps_a_refused_message_in_the_box(sales_client, store,
                                                                  salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson, phone=PHONE)
    url = reverse("followups:conversation", kwargs={"customer_id": customer.pk})
    response = sales_client.post(url, {"address": PHONE, "words": "Your ring is ready",
                                       "key": str(uuid.uuid4())})
    page = response.content.decode()
    assert response.status_code == 200
    assert "has not agreed to hear from us" in page and "Your ring is ready" in page
    assert not Message.objects.exists()


def test_the_conversation_page_sends_and_says_so(sales_client, nora,
                                                 django_capture_on_commit_callbacks):
    url = reverse("followups:conversation", kwargs={"customer_id": nora.pk})
    with django_capture_on_commit_callbacks():
        response = sales_client.post(url, {"address": PHONE, "words": "See you Saturday",
                                           "key": str(uuid.uuid4())}, follow=True)
    assert "Your reply to +12175550123 is on its way." in response.content.decode()
    assert Message.objects.get().words == "See you Saturday"


def test_another_stores_manager_cannot_open_the_conversation(other_manager_client, nora):
    url = reverse("followups:conversation", kwargs={"customer_id": nora.pk})
    assert other_manager_client.get(url).status_code == 404
    assert other_manager_client.post(url, {"address": PHONE, "words": "Hi",
                                           "key": str(uuid.uuid4())}).status_code == 404
    assert not Message.objects.exists()
