from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from core.health import broker_ok, database_ok


@never_cache
def healthz(request):
    checks = {"database": database_ok(), "broker": broker_ok()}
    status = 200 if all(checks.values()) else 503
    body = {"status": "ok" if status == 200 else "unavailable"} | {
        name: "ok" if ok else "down" for name, ok in checks.items()
    }
    return JsonResponse(body, status=status)
