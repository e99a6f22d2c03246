"""The twilio backend, exercised at the HTTP boundary: the request the twilio library sends
and the responses Twilio gives back."""

import datetime
import json
from unittest import mock

import pytest
from twilio.http import HttpClient
from twilio.http.response import Response

from crm.models import Channel, ConsentMethod, Purpose
from crm.selectors import consent_current
from followups import sms
from followups.errors import SendError
from followups.models import MessageStatus
from followups.sender import message_send
from followups.sms import LocmemBackend, TwilioBackend, get_backend
from tests.factories import MessageFactory

MORNING = datetime.datetime(2026, 11, 26, 16, 0, tzinfo=datetime.UTC)


class RecordingTwilio(HttpClient):
    """Stands where the network would: records each request, answers with a canned response."""

    def __init__(self, status=201, body=None):
        super().__init__(logger=None, is_async=False)
        self.status, self.body = status, body or {"sid": "SM123", "status": "queued"}
        self.requests = []

    def request(self, method, uri, params=None, data=None, headers=None, auth=None,
                timeout=None, allow_redirects=False):
        self.requests.append({"method": method, "uri": uri, "data": data, "auth": auth})
        return Response(self.status, json.dumps(self.body))


def test_a_text_is_the_post_twilio_expects(settings):
    settings.TWILIO_ACCOUNT_SID = "AC0123"
    settings.TWILIO_AUTH_TOKEN = "secret-token"
    http = RecordingTwilio()

    result = TwilioBackend(http_client=http).send(
        to="+12175550123", body="Your repair is ready.", sender="+12175550100",
        status_callback="https://crm.example/followups/webhooks/twilio/status/")

    [request] = http.requests
    assert request["method"] == "POST"
    assert request["uri"] == "https://api.twilio.com/2010-04-01/Accounts/AC0123/Messages.json"
    assert request["auth"] == ("AC0123", "secret-token")
    assert request["data"]["To"] == "+12175550123"
    assert request["data"]["From"] == "+12175550100"
    assert request["data"]["Body"] == "Your repair is ready."
    assert request["data"]["StatusCallback"].endswith("/twilio/status/")
    assert (result.provider_id, result.status) == ("SM123", "queued")


def test_twilio_error_21610_is_permanent_and_means_unreachable():
    http = RecordingTwilio(status=400, body={
        "code": 21610, "message": "Attempt to send to unsubscribed recipient", "status": 400})
    with pytest.raises(SendError) as caught:
        TwilioBackend(http_client=http).send(to="+12175550123", body="Hi")
    assert caught.value.permanent and caught.value.unreachable
    assert "21610" in caught.value.reason


def test_a_twilio_server_error_is_worth_retrying():
    http = RecordingTwilio(status=503, body={"code": 20503, "message": "Unavailable",
                                             "status": 503})
    with pytest.raises(SendError) as caught:
        TwilioBackend(http_client=http).send(to="+12175550123", body="Hi")
    assert not caught.value.permanent


@pytest.mark.django_db
@pytest.mark.time_machine(MORNING, tick=False)
def test_21610_fails_the_message_revokes_texts_and_is_never_retried(make_customer):
    customer, occasion = make_customer(channels=[Channel.SMS], phone="+12175550123")
    message = MessageFactory(customer=customer, occasion=occasion, channel=Channel.SMS,
                             due_at=MORNING)
    http = RecordingTwilio(status=400, body={"code": 21610, "message": "unsubscribed",
                                             "status": 400})
    with mock.patch.object(sms, "get_backend", return_value=TwilioBackend(http_client=http)):
        assert message_send(message_id=message.pk) == "failed"
        assert message_send(message_id=message.pk) == "nothing to do"

    assert len(http.requests) == 1
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "21610" in message.reason
    assert not consent_current(customer=customer, channel=Channel.SMS,
                               address=str(customer.phone),
                               purpose=Purpose.OCCASION_REMINDERS)
    assert customer.consents.filter(channel=Channel.SMS, granted=False,
                                    method=ConsentMethod.PROVIDER).exists()


def test_the_locmem_backend_keeps_an_outbox_and_the_setting_chooses_it(settings):
    settings.SMS_BACKEND = "followups.sms.LocmemBackend"
    backend = get_backend()
    assert isinstance(backend, LocmemBackend)
    backend.send(to="+12175550123", body="Hello")
    assert [t["body"] for t in sms.outbox] == ["Hello"]


def test_the_console_backend_writes_to_the_log(caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="followups.sms"):
        result = sms.ConsoleBackend().send(to="+12175550123", body="Hello there")
    assert "Hello there" in caplog.text
    assert result.provider_id.startswith("console-")
