"""Appointments' tests keep texts in memory, like the follow-ups' (the confirmations go
through the same outbox)."""

import pytest

from followups import sms


@pytest.fixture(autouse=True)
def _texts_in_memory(settings):
    settings.SMS_BACKEND = "followups.sms.LocmemBackend"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sms.outbox.clear()
    yield
    sms.outbox.clear()
