"""A customer's email reply (anymail's inbound webhook, here Postmark's): into their thread
and one "reply waiting" item on their associate's Today, even when delivered twice."""

import base64
import datetime
import json

import pytest

from crm.models import InteractionKind
from followups import services
from followups.models import MessagingSettings, ProviderEvent, Task, TaskKind
from tests.factories import CustomerFactory, MessageFactory

MONDAY_10 = datetime.datetime(2026, 11, 30, 16, tzinfo=datetime.UTC)
INBOUND = "/followups/anymail/postmark/inbound/"
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MONDAY_10, tick=False)]


@pytest.fixture
def auth(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "postmark:hook-secret"}
    return "Basic " + base64.b64encode(b"postmark:hook-secret").decode()


def _email(*, sender, event_id="pm-in-1", in_reply_to="", text="Saturday works for me.",
           to="hello@store.example"):
    headers = [{"Name": "In-Reply-To", "Value": in_reply_to}] if in_reply_to else []
    return json.dumps({"FromFull": {"Email": sender, "Name": ""}, "ToFull": [{"Email": to}],
                       "Subject": "Re: Your appointment", "TextBody": text,
                       "StrippedTextReply": text, "MessageID": event_id, "Headers": headers})


def _post(client, auth, body):
    return client.post(INBOUND, body, content_type="application/json",
                       HTTP_AUTHORIZATION=auth)


def test_a_reply_to_our_email_reaches_the_customer_it_answered_once(client, auth, store,
                                                                     salesperson):
    nora = CustomerFactory(store=store, assigned_to=salesperson, email="nora@mail.example")
    # Another profile with the same address (a couple sharing one): the reply is Nora's.
    CustomerFactory(store=store, email="nora@mail.example")
    MessageFactory(customer=nora, channel="email", to=nora.email, provider_id="<abc@loupe>")
    for _ in range(2):  # the provider delivers the webhook again
        assert _post(client, auth, _email(sender="Nora@Mail.example",
                                          in_reply_to="<abc@loupe>")).status_code == 200
    [waiting] = Task.objects.filter(kind=TaskKind.REPLY)
    assert (waiting.customer, waiting.assignee) == (nora, salesperson)
    assert "Saturday works for me." in waiting.note
    assert nora.interactions.filter(kind=InteractionKind.REPLY,
                                    summary__contains="Saturday works").count() == 1
    assert ProviderEvent.objects.filter(provider="anymail-inbound").count() == 1


def test_a_new_email_is_matched_by_its_sender_in_the_store_written_to(client, auth, store,
                                                                       other_store):
    MessagingSettings.objects.filter(store=store).update(sender_email="hello@store.example")
    ours = CustomerFactory(store=store, email="ava@mail.example", assigned_to=None)
    theirs = CustomerFactory(store=other_store, email="ava@mail.example")
    _post(client, auth, _email(sender="ava@mail.example", event_id="pm-in-2"))
    [waiting] = Task.objects.filter(kind=TaskKind.REPLY)
    # An orphaned client's reply waits on the managers' Today (no assignee).
    assert (waiting.customer, waiting.assignee) == (ours, None)
    assert not theirs.interactions.exists()


def test_the_reply_box_answers_an_email_by_email(client, auth, store, salesperson):
    nora = CustomerFactory(store=store, assigned_to=salesperson, email="nora@mail.example",
                           phone="+12175550123")
    _post(client, auth, _email(sender=nora.email, event_id="pm-in-7"))
    assert services.reply_default_address(nora) == "nora@mail.example"


def test_a_second_email_updates_the_one_item_waiting(client, auth, store, salesperson):
    nora = CustomerFactory(store=store, assigned_to=salesperson, email="nora@mail.example")
    _post(client, auth, _email(sender=nora.email, event_id="pm-in-3"))
    _post(client, auth, _email(sender=nora.email, event_id="pm-in-4", text="Or Sunday?"))
    [waiting] = Task.objects.filter(kind=TaskKind.REPLY, done_at__isnull=True)
    assert "Or Sunday?" in waiting.note
    assert nora.interactions.filter(kind=InteractionKind.REPLY).count() == 2


def test_an_email_from_a_stranger_or_without_the_secret_changes_nothing(client, auth, store):
    CustomerFactory(store=store, email="nora@mail.example")
    _post(client, auth, _email(sender="stranger@mail.example", event_id="pm-in-5"))
    forged = client.post(INBOUND, _email(sender="nora@mail.example", event_id="pm-in-6"),
                         content_type="application/json",
                         HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"x:y").decode())
    assert forged.status_code in (400, 401, 403)
    assert not Task.objects.exists()
