import datetime

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone
from kombu import Connection

# The outbox's statuses that still owe a send (followups.MessageStatus.PLANNED); core names
# no app, so the model is looked up by its label and the status by its value.
OUTBOX = "followups.Message"
UNSENT = "planned"


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "down" to a health check
        return False


def broker_ok() -> bool:
    try:
        with Connection(settings.CELERY_BROKER_URL,
                        transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
                        connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
            return True
    except Exception:  # noqa: BLE001
        return False


def oldest_due_age(now: datetime.datetime | None = None) -> int | None:
    """Seconds since the oldest message that is due and still unsent came due (None: none is
    waiting, or the database cannot say). A number that keeps growing means the dispatcher or
    the workers have stopped: the outbox rows, not the broker, are what is owed."""
    now = now or timezone.now()
    try:
        oldest = (apps.get_model(OUTBOX).objects.filter(status=UNSENT, due_at__lte=now)
                  .order_by("due_at").values_list("due_at", flat=True).first())
    except Exception:  # noqa: BLE001 - the database check reports the failure
        return None
    return None if oldest is None else int((now - oldest).total_seconds())
