from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from core.health import broker_ok, database_ok, oldest_due_age


@never_cache
def healthz(request):
    """Database and broker (503 when either is down) and how long the oldest due, unsent
    message has waited (seconds; null when nothing is waiting), for a monitor to alert on."""
    checks = {"database": database_ok(), "broker": broker_ok()}
    status = 200 if all(checks.values()) else 503
    body = {"status": "ok" if status == 200 else "unavailable"} | {
        name: "ok" if ok else "down" for name, ok in checks.items()
    }
    body["oldest_due_message_age_seconds"] = oldest_due_age() if checks["database"] else None
    return JsonResponse(body, status=status)
