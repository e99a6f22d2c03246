import contextvars

from django.utils import timezone

from core.batches import Batched
from core.models import AuditEntry

# Which device the current request comes from ("Front tablet", "browser 10.0.0.7"): set by
# the middleware for the length of one request, read by every log_action inside it. Work
# done by Celery or a command has none ("").
current_device: contextvars.ContextVar[str] = contextvars.ContextVar("audit_device",
                                                                     default="")


def user_of(by):
    """The login behind `by`, the staff member acting (None for the public or the system):
    what the audit log and django-simple-history record as the user."""
    return getattr(by, "user", None)


# `audit_batch()`: within the block, `log_action`'s entries are written in one INSERT when it
# ends (core.batches).
_entries = Batched(AuditEntry)
audit_batch = _entries.block


def log_action(*, by, action: str, obj=None, store=None, data: dict | None = None,
               at=None) -> AuditEntry:
    """Record that `by` (the staff member acting, or None for the public and the system) did
    `action` to `obj`, from the request's device.

    Call it inside the service's transaction so the record and the change commit together.
    """
    if store is None and obj is not None:
        store = getattr(obj, "store", None)
    return _entries.write(_entry(by=by, action=action, obj=obj, store=store, data=data, at=at))


def _entry(*, by, action, obj, store, data, at) -> AuditEntry:
    return AuditEntry(
        store=store,
        actor=user_of(by),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        data=data or {},
        device=current_device.get()[:120],
        created_at=at or timezone.now(),
    )


# Logins, logouts and failed logins, from Django's auth signals (connected in CoreConfig).

class _Login:
    """`by` for a login with no staff profile: log_action only needs its `user`."""

    def __init__(self, user):
        self.user = user


def _acting(user):
    """The staff member behind `user` (found through the reverse relation, so core names no
    app) and their store, or a bare login and no store."""
    if user is None:
        return None, None
    member = getattr(user, "staff_member", None)  # None when the login has no profile
    return (member, member.store) if member is not None else (_Login(user), None)


def record_login(sender, request, user, **kwargs):
    # A PIN switch on a floor tablet records itself, with the device and who it replaced.
    if getattr(request, "login_method", "password") == "pin":
        return
    by, store = _acting(user)
    log_action(by=by, action="auth.login", store=store)


def record_logout(sender, request, user, **kwargs):
    by, store = _acting(user)
    if by is not None:
        log_action(by=by, action="auth.logout", store=store)


def record_login_failure(sender, credentials, request=None, **kwargs):
    """A wrong password, recorded against the account it tried (if there is one)."""
    from django.contrib.auth import get_user_model

    username = str(credentials.get("username", ""))[:150]
    user = get_user_model().objects.filter(username=username).first()
    by, store = _acting(user)
    log_action(by=by, action="auth.login_failed", store=store, data={"username": username})
