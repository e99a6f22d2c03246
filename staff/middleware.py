import time
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from core.audit import current_device
from staff import floor

# What a locked tablet still answers: the lock and switch screens themselves, logging out,
# the health check and static files.
_OPEN_WHEN_LOCKED = ("/staff/floor/", "/logout/", "/healthz", f"/{settings.STATIC_URL}")


class FloorMiddleware:
    """On a floor tablet: `request.floor_device`, the idle lock and never-cached pages.

    A locked session (by the button, the page's idle timer, or found idle here) gets only the
    lock screen, whatever page it asks for, so nothing of the last customer shows. Pages on a
    tablet are never cached, so Back after a switch shows no one's earlier pages. Every
    request also says which device it came from, for the audit trail.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        device = floor.device_of(request)
        request.floor_device = device
        request.floor_locked = False
        where = device.name if device else f"browser {request.META.get('REMOTE_ADDR', '')}"
        token = current_device.set(where)
        try:
            response = (self._throttled_login(request, device)
                        or self._lock_screen(request, device) or self.get_response(request))
        finally:
            current_device.reset(token)
        if device is not None:
            add_never_cache_headers(response)
        return response

    @staticmethod
    def _throttled_login(request, device):
        """A tablet that saw too many wrong passwords or PINs takes no password either."""
        if device is None or request.method != "POST" or request.path != reverse("login"):
            return None
        until = floor.locked_until(device=device)
        if until is None:
            return None
        return render(request, "registration/locked_out.html",
                      {"retry": floor.retry_message(until, store=device.store)}, status=429)

    @staticmethod
    def _lock_screen(request, device):
        if device is None or not request.user.is_authenticated:
            return None
        session, now = request.session, time.time()
        if not floor.is_locked(session) and floor.has_idled(session, store=device.store,
                                                           now=now):
            floor.lock(session)
        if not floor.is_locked(session):
            floor.touch(session, now=now)
            return None
        request.floor_locked = True
        if request.path.startswith(_OPEN_WHEN_LOCKED):
            return None
        to = f"{reverse('staff:floor')}?{urlencode({'next': request.get_full_path()})}"
        if request.htmx:
            return HttpResponse(status=204, headers={"HX-Redirect": to})
        return redirect(to)
