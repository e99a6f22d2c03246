"""Text-message backends, shaped like Django's email backends and chosen by SMS_BACKEND.

Each backend has one method, `send(to=, body=, sender=, status_callback=)`, returning
`SmsResult(provider_id, status)` or raising `SendError`.
"""

import dataclasses
import logging
import uuid

from django.conf import settings
from django.utils.module_loading import import_string

from followups.errors import SendError

logger = logging.getLogger(__name__)

# Twilio errors that mean "this number will never take our texts": never retried.
TWILIO_UNREACHABLE = {
    21610: "The recipient has texted STOP to this number",
    21614: "Not a mobile number",
    21211: "Invalid phone number",
}


@dataclasses.dataclass(frozen=True)
class SmsResult:
    provider_id: str
    status: str = "sent"


class BaseBackend:
    def send(self, *, to: str, body: str, sender: str = "",
             status_callback: str = "") -> SmsResult:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    """Writes each text to the log (the laptop default)."""

    def send(self, *, to, body, sender="", status_callback=""):
        logger.info("Text to %s from %s:\n%s", to, sender or "(store)", body)
        return SmsResult(provider_id=f"console-{uuid.uuid4().hex}")


# Like django.core.mail.outbox: what the locmem backend "sent", for tests.
outbox: list[dict] = []


class LocmemBackend(BaseBackend):
    """Keeps texts in `followups.sms.outbox`."""

    def send(self, *, to, body, sender="", status_callback=""):
        sid = f"SM{uuid.uuid4().hex}"
        outbox.append({"to": to, "body": body, "sender": sender, "sid": sid})
        return SmsResult(provider_id=sid, status="queued")


class TwilioBackend(BaseBackend):
    """Sends through Twilio's REST API with the twilio library."""

    def __init__(self, *, http_client=None):
        from twilio.rest import Client

        self.client = Client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN,
                             http_client=http_client)

    def send(self, *, to, body, sender="", status_callback=""):
        from twilio.base.exceptions import TwilioRestException

        kwargs = {"to": to, "body": body, "from_": sender or settings.TWILIO_FROM_NUMBER}
        if status_callback:
            kwargs["status_callback"] = status_callback
        try:
            message = self.client.messages.create(**kwargs)
        except TwilioRestException as exc:
            raise _twilio_error(exc) from exc
        except OSError as exc:  # connection refused, DNS, timeouts
            raise SendError(f"Twilio unreachable: {exc}", permanent=False) from exc
        # Twilio sends no callback for the first status: keep the one the API returned.
        return SmsResult(provider_id=message.sid, status=message.status or "queued")


def _twilio_error(exc) -> SendError:
    code = exc.code or 0
    if code in TWILIO_UNREACHABLE:
        return SendError(f"Twilio {code}: {TWILIO_UNREACHABLE[code]}", permanent=True,
                         unreachable=True)
    transient = exc.status == 429 or exc.status >= 500
    return SendError(f"Twilio {code or exc.status}: {exc.msg}", permanent=not transient)


def get_backend(path: str | None = None) -> BaseBackend:
    return import_string(path or settings.SMS_BACKEND)()
