"""Operations: a request id on every request and log line, optional error reporting, and a
health check that says how long the outbox has been waiting."""

import datetime
import logging

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from core.health import oldest_due_age
from core.request_id import RequestIdFilter, request_id_for
from followups.models import MessageStatus
from tests.factories import MessageFactory

pytestmark = pytest.mark.django_db


def test_a_new_request_id_is_made_and_echoed(client):
    first = client.get(reverse("login"))["X-Request-ID"]
    second = client.get(reverse("login"))["X-Request-ID"]
    assert len(first) == 32 and first != second


def test_an_incoming_request_id_is_honoured(client):
    response = client.get(reverse("login"), HTTP_X_REQUEST_ID="lb-7f3a.01_x")
    assert response["X-Request-ID"] == "lb-7f3a.01_x"


@pytest.mark.parametrize("forged", ["a\nINFO fake log line", "x" * 65, "", "naïve", "a b"])
def test_a_forged_request_id_is_replaced(forged):
    made = request_id_for(forged)
    assert made != forged and len(made) == 32


def test_every_log_line_of_a_request_carries_its_id(client, caplog, sales_client):
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = sales_client.get(reverse("staff:home"), HTTP_X_REQUEST_ID="req-403-check")
    assert response.status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.request_id == "req-403-check"


def test_the_log_format_names_the_request_id(settings):
    console = settings.LOGGING["handlers"]["console"]
    assert "request_id" in console["filters"]
    assert "%(request_id)s" in settings.LOGGING["formatters"][console["formatter"]]["format"]


def test_without_a_dsn_error_reporting_is_not_started(settings):
    import sentry_sdk

    assert settings.SENTRY_DSN == ""
    assert not sentry_sdk.get_client().is_active()


def test_with_a_dsn_error_reporting_starts_without_personal_data(monkeypatch):
    import sentry_sdk

    from core.monitoring import sentry_start

    seen = {}
    monkeypatch.setattr(sentry_sdk, "init", lambda **options: seen.update(options))
    sentry_start(dsn="https://key@sentry.example/1", environment="test")
    assert seen["dsn"] == "https://key@sentry.example/1"
    assert seen["send_default_pii"] is False
    assert seen["max_request_body_size"] == "never"
    assert seen["before_send"]({}, {})["tags"]["request_id"]


def test_healthz_reports_the_age_of_the_oldest_due_unsent_message(client, store):
    now = timezone.now()
    MessageFactory(customer__store=store, due_at=now - datetime.timedelta(minutes=7))
    MessageFactory(customer__store=store, due_at=now - datetime.timedelta(hours=3),
                   status=MessageStatus.SENT)
    MessageFactory(customer__store=store, due_at=now + datetime.timedelta(hours=1))

    body = client.get(reverse("healthz")).json()

    assert body["status"] == "ok"
    assert 7 * 60 <= body["oldest_due_message_age_seconds"] < 8 * 60


def test_healthz_says_null_when_nothing_is_waiting(client):
    assert client.get(reverse("healthz")).json()["oldest_due_message_age_seconds"] is None
    assert oldest_due_age() is None


@override_settings(CELERY_BROKER_URL="redis://127.0.0.1:1/0", CELERY_BROKER_TRANSPORT_OPTIONS={})
def test_healthz_is_503_and_still_reports_the_outbox_when_the_broker_is_down(client, store):
    MessageFactory(customer__store=store,
                   due_at=timezone.now() - datetime.timedelta(minutes=2))
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["oldest_due_message_age_seconds"] >= 120


def test_healthz_is_503_when_the_database_is_down(client, monkeypatch):
    monkeypatch.setattr("core.views.database_ok", lambda: False)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json()["database"] == "down"
    assert response.json()["oldest_due_message_age_seconds"] is None
