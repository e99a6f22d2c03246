"""Optional error reporting (sentry-sdk), started from settings only when SENTRY_DSN is set."""

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration

from core.request_id import current_request_id


def _tag_request_id(event, hint):
    # The same id as the log lines and the response header, so a report leads to its logs.
    event.setdefault("tags", {})["request_id"] = current_request_id()
    return event


def sentry_start(*, dsn: str, environment: str) -> None:
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        # No names, emails, cookies, IP addresses or request bodies in the reports.
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
        before_send=_tag_request_id,
    )
