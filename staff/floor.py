"""The shared floor tablet: the cookie that marks it, its lock, and the PIN throttle.

A floor device is a browser carrying a signed cookie that names an active FloorDevice. On it
the session says whose screen is locked (`LOCKED`) and when it was last used (`SEEN`). Wrong
PINs (and wrong passwords typed on the tablet) are counted in the cache, per account and per
device, so one person guessing on one tablet is stopped on both counts.
"""

import datetime
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from staff.models import FloorDevice

DEVICE_COOKIE = "loupe_floor_device"
DEVICE_SALT = "loupe.floor-device"
DEVICE_COOKIE_AGE = 5 * 365 * 24 * 3600  # the tablet stays marked until a manager retires it

LOCKED = "floor_locked"  # session: the screen is locked (its owner stays logged in)
SEEN = "floor_seen"  # session: epoch seconds of the last request
# Rewriting the session on every click costs a write each time; to within a few seconds is
# all the idle lock needs.
SEEN_RESOLUTION = 10

# A tablet shared by the whole floor sees more honest slips than one account does.
DEVICE_LIMIT_FACTOR = 2


def new_device_token() -> str:
    return secrets.token_urlsafe(32)


def device_of(request) -> FloorDevice | None:
    """The active floor device this browser was marked as, or None (one query, and only
    when the cookie is there and its signature holds)."""
    token = request.get_signed_cookie(DEVICE_COOKIE, default="", salt=DEVICE_SALT,
                                      max_age=DEVICE_COOKIE_AGE)
    if not token:
        return None
    return (FloorDevice.objects.select_related("store")
            .filter(token=token, retired_at__isnull=True).first())


def remember_device(response, device: FloorDevice) -> None:
    response.set_signed_cookie(DEVICE_COOKIE, device.token, salt=DEVICE_SALT,
                               max_age=DEVICE_COOKIE_AGE, httponly=True, samesite="Lax",
                               secure=settings.SESSION_COOKIE_SECURE)


def forget_device(response) -> None:
    response.delete_cookie(DEVICE_COOKIE, samesite="Lax")


# The lock, kept in the session.

def is_locked(session) -> bool:
    return bool(session.get(LOCKED))


def lock(session) -> None:
    session[LOCKED] = True


def unlock(session, *, now: float | None = None) -> None:
    session.pop(LOCKED, None)
    session[SEEN] = now or time.time()


def has_idled(session, *, store, now: float) -> bool:
    seen = session.get(SEEN)
    return seen is not None and now - seen > store.floor_idle_minutes * 60


def touch(session, *, now: float) -> None:
    if now - session.get(SEEN, 0) >= SEEN_RESOLUTION:
        session[SEEN] = now


# The throttle: failures counted in the cache for the cool-off time.

def _cooloff() -> datetime.timedelta:
    return settings.AXES_COOLOFF_TIME


def _limits() -> dict[str, int]:
    limit = settings.AXES_FAILURE_LIMIT
    return {"member": limit, "device": limit * DEVICE_LIMIT_FACTOR}


def _keys(scope: str, ident) -> tuple[str, str]:
    return f"floor:fail:{scope}:{ident}", f"floor:until:{scope}:{ident}"


def _scopes(*, member=None, device=None) -> list[tuple[str, int]]:
    return ([("member", member.pk)] if member is not None else []) + \
        ([("device", device.pk)] if device is not None else [])


def locked_until(*, member=None, device=None) -> datetime.datetime | None:
    """When the account or the device may try again, if either is throttled now."""
    keys = [_keys(scope, ident)[1] for scope, ident in _scopes(member=member, device=device)]
    stamps = [stamp for stamp in cache.get_many(keys).values() if stamp]
    if not stamps:
        return None
    return datetime.datetime.fromtimestamp(max(stamps), tz=datetime.UTC)


def record_failure(*, member=None, device=None) -> datetime.datetime | None:
    """Count one wrong PIN (or password) against the account and the device; return when
    they may try again if this failure reached a limit."""
    cooloff = int(_cooloff().total_seconds())
    for scope, ident in _scopes(member=member, device=device):
        count_key, until_key = _keys(scope, ident)
        cache.add(count_key, 0, timeout=cooloff)
        if cache.incr(count_key) >= _limits()[scope]:
            cache.set(until_key, (timezone.now() + _cooloff()).timestamp(), timeout=cooloff)
    return locked_until(member=member, device=device)


def clear_failures(*, member=None, device=None) -> None:
    cache.delete_many([key for scope, ident in _scopes(member=member, device=device)
                       for key in _keys(scope, ident)])


def retry_message(until: datetime.datetime, *, store) -> str:
    """"Too many tries ... try again at 10:52 (in 30 minutes)" in the store's time."""
    minutes = max(1, -(-int((until - timezone.now()).total_seconds()) // 60))
    at = timezone.localtime(until, store.tz)
    return (f"Too many wrong tries. Try again at {at:%-I:%M %p} (in {minutes} minute"
            f"{'s' if minutes != 1 else ''}), or ask a manager to unlock.")
