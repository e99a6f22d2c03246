"""Providers' webhooks: signed, applied once however often they are delivered."""

import base64
import json

import pytest
from django.urls import reverse
from twilio.request_validator import RequestValidator

from crm.models import Channel, ConsentMethod, Interaction, InteractionKind, Purpose
from crm.selectors import consent_current
from followups.models import MessageStatus, ProviderEvent
from tests.factories import ConsentFactory, MessageFactory

pytestmark = pytest.mark.django_db

INBOUND = "/followups/webhooks/twilio/inbound/"
STATUS = "/followups/webhooks/twilio/status/"
PHONE = "+12175550123"


def _signed(client, path, params, *, url=None, **extra):
    url = url or f"http://testserver{path}"
    signature = RequestValidator("twilio-test-auth-token").compute_signature(url, params)
    return client.post(path, params, HTTP_X_TWILIO_SIGNATURE=signature, **extra)


def _texter(make_customer):
    customer, _ = make_customer(channels=[Channel.EMAIL, Channel.SMS], phone=PHONE)
    ConsentFactory(customer=customer, channel=Channel.SMS, purpose=Purpose.REPAIR_NOTICES)
    return customer


def _texts_allowed(customer, purpose=Purpose.OCCASION_REMINDERS):
    return consent_current(customer=customer, channel=Channel.SMS, address=PHONE,
                           purpose=purpose)


def test_the_urls_are_where_twilio_is_told_to_call():
    assert reverse("followups:twilio-inbound") == INBOUND
    assert reverse("followups:twilio-status") == STATUS


def test_stop_with_a_valid_signature_revokes_every_kind_of_text(client, make_customer):
    customer = _texter(make_customer)
    response = _signed(client, INBOUND, {"From": PHONE, "To": "+12175550100", "Body": "Stop"})
    assert response.status_code == 200
    assert not _texts_allowed(customer)
    assert not _texts_allowed(customer, Purpose.REPAIR_NOTICES)
    assert customer.consents.filter(granted=False, method=ConsentMethod.STOP).count() == 2
    # Email consent is untouched.
    assert consent_current(customer=customer, channel=Channel.EMAIL, address=customer.email,
                           purpose=Purpose.OCCASION_REMINDERS)


def test_an_invalid_signature_is_refused_and_changes_nothing(client, make_customer):
    customer = _texter(make_customer)
    rows = customer.consents.count()
    response = client.post(INBOUND, {"From": PHONE, "Body": "STOP"},
                           HTTP_X_TWILIO_SIGNATURE="forged")
    unsigned = client.post(INBOUND, {"From": PHONE, "Body": "STOP"})
    assert (response.status_code, unsigned.status_code) == (403, 403)
    assert customer.consents.count() == rows
    assert _texts_allowed(customer)


def test_the_signature_checks_the_https_url_behind_a_tls_proxy(client, settings,
                                                                make_customer):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    customer = _texter(make_customer)
    params = {"From": PHONE, "Body": "STOP"}
    response = _signed(client, INBOUND, params, url=f"https://testserver{INBOUND}",
                       HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert not _texts_allowed(customer)


def test_start_regrants_what_stop_took_away(client, make_customer):
    customer = _texter(make_customer)
    _signed(client, INBOUND, {"From": PHONE, "Body": "STOP"})
    response = _signed(client, INBOUND, {"From": PHONE, "Body": "unstop"})
    assert "subscribed again" in response.content.decode()
    assert _texts_allowed(customer)
    assert _texts_allowed(customer, Purpose.REPAIR_NOTICES)
    # Never asked for events by text: START does not invent that consent.
    assert not _texts_allowed(customer, Purpose.EVENTS)


def test_help_gets_the_store_number_and_changes_nothing(client, make_customer, store):
    customer = _texter(make_customer)
    store.phone = "+12175550100"
    store.save()
    response = _signed(client, INBOUND, {"From": PHONE, "Body": "HELP"})
    assert "+12175550100" in response.content.decode()
    assert _texts_allowed(customer)


def test_any_other_reply_lands_on_the_timeline_for_the_associate(client, make_customer,
                                                                   salesperson, sales_client):
    customer = _texter(make_customer)
    _signed(client, INBOUND, {"From": PHONE, "Body": "Thanks! Can I come Saturday?"})
    reply = Interaction.objects.get(customer=customer)
    assert reply.kind == InteractionKind.REPLY
    assert "Can I come Saturday?" in reply.summary
    assert _texts_allowed(customer)
    page = sales_client.get(reverse("followups:today")).content.decode()
    assert "Can I come Saturday?" in page


def test_the_same_status_callback_twice_changes_state_once(client, make_customer):
    customer = _texter(make_customer)
    message = MessageFactory(customer=customer, channel=Channel.SMS, status=MessageStatus.SENT,
                             provider_id="SMabc")
    params = {"MessageSid": "SMabc", "MessageStatus": "delivered"}
    assert _signed(client, STATUS, params).status_code == 204
    assert _signed(client, STATUS, params).status_code == 204
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED
    assert ProviderEvent.objects.filter(provider="twilio").count() == 1
    # A late "sent" never moves a delivered message back.
    _signed(client, STATUS, {"MessageSid": "SMabc", "MessageStatus": "sent"})
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED


def test_an_undelivered_21610_callback_fails_the_message_and_revokes_texts(client,
                                                                           make_customer):
    customer = _texter(make_customer)
    message = MessageFactory(customer=customer, channel=Channel.SMS, status=MessageStatus.SENT,
                             provider_id="SMxyz")
    params = {"MessageSid": "SMxyz", "MessageStatus": "undelivered", "ErrorCode": "21610"}
    _signed(client, STATUS, params)
    _signed(client, STATUS, params)
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED and "21610" in message.reason
    assert not _texts_allowed(customer)
    assert customer.consents.filter(channel=Channel.SMS, granted=False).count() == 2


def test_a_forged_status_callback_is_refused(client, make_customer):
    customer = _texter(make_customer)
    message = MessageFactory(customer=customer, channel=Channel.SMS, status=MessageStatus.SENT,
                             provider_id="SMabc")
    response = client.post(STATUS, {"MessageSid": "SMabc", "MessageStatus": "failed"},
                           HTTP_X_TWILIO_SIGNATURE="forged")
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert not ProviderEvent.objects.exists()


# anymail's Postmark tracking webhook, behind basic auth WEBHOOK_SECRET.
POSTMARK = "/followups/anymail/postmark/tracking/"


@pytest.fixture
def webhook_secret(settings):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "postmark:hook-secret"}
    return "Basic " + base64.b64encode(b"postmark:hook-secret").decode()


def _bounce(message_id, *, event_id=42, kind="HardBounce"):
    return json.dumps({"RecordType": "Bounce", "ID": event_id, "Type": kind,
                       "MessageID": message_id, "Email": "olivia@mail.example",
                       "BouncedAt": "2026-11-26T16:00:00Z", "Description": "No such mailbox"})


def test_a_hard_bounce_posted_twice_fails_once_and_revokes_email(client, make_customer,
                                                                 webhook_secret):
    customer, _ = make_customer()
    message = MessageFactory(customer=customer, status=MessageStatus.SENT,
                             provider_id="pm-123")
    for _ in range(2):
        response = client.post(POSTMARK, _bounce("pm-123"), content_type="application/json",
                               HTTP_AUTHORIZATION=webhook_secret)
        assert response.status_code == 200
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert ProviderEvent.objects.count() == 1
    assert customer.consents.filter(channel=Channel.EMAIL, granted=False,
                                    method=ConsentMethod.BOUNCE).count() == 1
    assert not consent_current(customer=customer, channel=Channel.EMAIL,
                               address=customer.email, purpose=Purpose.OCCASION_REMINDERS)


def test_a_delivery_event_marks_the_email_delivered(client, make_customer, webhook_secret):
    customer, _ = make_customer()
    message = MessageFactory(customer=customer, status=MessageStatus.SENT,
                             provider_id="pm-456")
    body = json.dumps({"RecordType": "Delivery", "MessageID": "pm-456",
                       "Recipient": customer.email, "DeliveredAt": "2026-11-26T16:00:00Z"})
    client.post(POSTMARK, body, content_type="application/json",
                HTTP_AUTHORIZATION=webhook_secret)
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED


def test_the_email_webhook_without_the_secret_is_refused(client, make_customer,
                                                         webhook_secret):
    customer, _ = make_customer()
    message = MessageFactory(customer=customer, status=MessageStatus.SENT,
                             provider_id="pm-123")
    response = client.post(POSTMARK, _bounce("pm-123"), content_type="application/json",
                           HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"x:y").decode())
    assert response.status_code == 400
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert consent_current(customer=customer, channel=Channel.EMAIL, address=customer.email,
                           purpose=Purpose.OCCASION_REMINDERS)
    assert not ProviderEvent.objects.exists()


@pytest.mark.parametrize("secret", ["", None])
def test_a_forged_bounce_with_no_secret_configured_is_refused(client, make_customer, settings,
                                                             secret):
    settings.ANYMAIL = {} if secret is None else {"WEBHOOK_SECRET": secret}
    customer, _ = make_customer()
    message = MessageFactory(customer=customer, status=MessageStatus.SENT,
                             provider_id="pm-123")
    response = client.post(POSTMARK, _bounce("pm-123"), content_type="application/json")
    assert response.status_code == 403
    assert b"WEBHOOK_SECRET is not set" in response.content
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert consent_current(customer=customer, channel=Channel.EMAIL, address=customer.email,
                           purpose=Purpose.OCCASION_REMINDERS)
    assert not customer.consents.filter(granted=False).exists()
    assert not ProviderEvent.objects.exists()


def test_every_email_webhook_refuses_while_no_secret_is_set(client, settings):
    from anymail import urls

    settings.ANYMAIL = {"WEBHOOK_SECRET": ""}
    for pattern in urls.urlpatterns:
        path = "/followups/anymail/" + str(pattern.pattern).lstrip("^").rstrip("$")
        if "(" in path or "<" in path:
            continue
        assert client.post(path, "{}", content_type="application/json").status_code == 403, path


def test_check_deploy_errors_when_an_email_provider_has_no_webhook_secret(settings, monkeypatch):
    from django.core.management import call_command
    from django.core.management.base import SystemCheckError

    # The browser tests' conftest sets this in the same process; a deployment never does.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)

    settings.ANYMAIL_ESP = "postmark"
    settings.ANYMAIL = {"WEBHOOK_SECRET": "", "POSTMARK_SERVER_TOKEN": "token"}
    with pytest.raises(SystemCheckError, match="followups.E001"):
        call_command("check", "--deploy", "--fail-level", "ERROR")

    settings.ANYMAIL = {"WEBHOOK_SECRET": "postmark:hook-secret"}
    call_command("check", "--deploy", "--fail-level", "ERROR")


def test_no_email_provider_needs_no_webhook_secret(settings):
    from followups.checks import email_webhook_has_a_secret

    settings.ANYMAIL_ESP = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.ANYMAIL = {}
    assert email_webhook_has_a_secret() == []
    settings.EMAIL_BACKEND = "anymail.backends.postmark.EmailBackend"
    assert [e.id for e in email_webhook_has_a_secret()] == ["followups.E001"]
