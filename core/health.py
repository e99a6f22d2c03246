from django.conf import settings
from django.db import connection
from kombu import Connection


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
