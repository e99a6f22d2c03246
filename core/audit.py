from django.utils import timezone

from core.models import AuditEntry


def user_of(by):
    """The login behind `by`, the staff member acting (None for the public or the system):
    what the audit log and django-simple-history record as the user."""
    return getattr(by, "user", None)


def log_action(*, by, action: str, obj=None, store=None, data: dict | None = None,
               at=None) -> AuditEntry:
    """Record that `by` (the staff member acting, or None for the public and the system) did
    `action` to `obj`.

    Call it inside the service's transaction so the record and the change commit together.
    """
    if store is None and obj is not None:
        store = getattr(obj, "store", None)
    return AuditEntry.objects.create(
        store=store,
        actor=user_of(by),
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        data=data or {},
        created_at=at or timezone.now(),
    )
