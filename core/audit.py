from django.utils import timezone

from core.models import AuditEntry


def log_action(*, actor, action: str, obj=None, store=None, data: dict | None = None,
               at=None) -> AuditEntry:
    """Record that `actor` (a User or None for the system) did `action` to `obj`.

    Call it inside the service's transaction so the record and the change commit together.
    """
    if store is None and obj is not None:
        store = getattr(obj, "store", None)
    return AuditEntry.objects.create(
        store=store,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        data=data or {},
        created_at=at or timezone.now(),
    )
