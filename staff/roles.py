"""Roles are Django groups; this table is the one place that says what each role may do.

Views check these permissions on the server (`core.access.staff_required`), so hiding a link
is never the only guard.
"""

from django.db import models

SALESPERSON = "salesperson"
SERVICE = "service"
MANAGER = "manager"


class Role(models.TextChoices):
    SALESPERSON = SALESPERSON, "Salesperson"
    SERVICE = SERVICE, "Service"
    MANAGER = MANAGER, "Manager"


# Least privilege at the repair counter: service staff find a customer for a take-in, see and
# correct their contact details, repairs and repair-notice consent (crm.view_contact,
# crm.change_contact), and nothing else: no lists, occasions, notes, timeline or export.
_EVERYONE = {
    "crm.view_contact",
    "crm.change_contact",
    "crm.redeem_voucher",
    "repairs.view_envelope",
}
_FLOOR = {
    "crm.view_customer",
    "crm.add_customer",
    "crm.change_customer",
    "crm.log_walk_in",
    "followups.view_followups",
    "events.view_events",
    "insights.view_my_year",
    "appointments.book_appointment",
}
_COUNTER = {
    "crm.add_customer",
    "repairs.add_envelope",
    "repairs.change_envelope",
}
_OFFICE = {
    "crm.merge_customer",
    "crm.import_customer",
    "crm.export_customer",
    "crm.erase_customer",
    "crm.manage_preferences",
    "crm.manage_promotions",
    "crm.view_history",
    "staff.manage_staff",
    "repairs.view_capture_report",
    "followups.manage_messaging",
    "events.manage_events",
    "insights.view_dashboard",
}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    SALESPERSON: _EVERYONE | _FLOOR,
    SERVICE: _EVERYONE | _COUNTER,
    MANAGER: _EVERYONE | _FLOOR | _COUNTER | _OFFICE,
}

# Where each role lands after logging in: a salesperson's day starts on Today (replies
# waiting, appointments, tasks due, the day's occasions).
ROLE_HOME = {
    SALESPERSON: "followups:today",
    SERVICE: "repairs:home",
    MANAGER: "insights:dashboard",
}


def sync_role_groups(sender=None, **kwargs):
    """Create the role groups and give each exactly its permissions (idempotent)."""
    from django.contrib.auth.models import Group, Permission

    using = kwargs.get("using", "default")
    for role, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        wanted = []
        for perm in sorted(perms):
            app_label, codename = perm.split(".")
            found = Permission.objects.using(using).filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if found is not None:
                wanted.append(found)
        group.permissions.set(wanted)
