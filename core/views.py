from django.http import JsonResponse
from django.shortcuts import redirect
from django.views.decorators.cache import never_cache

from core.access import has_staff_profile, staff_required
from core.health import broker_ok, database_ok
from staff.roles import ROLE_HOME


def home(request):
    """Each role lands on its own home page; a superuser with no staff profile, on the admin."""
    if request.user.is_superuser and not has_staff_profile(request):
        return redirect("admin:index")
    return _role_home(request)


@staff_required()
def _role_home(request):
    return redirect(ROLE_HOME[request.staff.role])


@never_cache
def healthz(request):
    checks = {"database": database_ok(), "broker": broker_ok()}
    status = 200 if all(checks.values()) else 503
    body = {"status": "ok" if status == 200 else "unavailable"} | {
        name: "ok" if ok else "down" for name, ok in checks.items()
    }
    return JsonResponse(body, status=status)
