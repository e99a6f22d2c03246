"""Writes that matter for staff and who looks after whom."""

from django.db import transaction
from django.utils import timezone

from core.audit import log_action
from crm.models import Customer, InteractionKind
from crm.services import interaction_add
from staff.models import Assignment, StaffMember


@transaction.atomic
def client_assign(*, customer: Customer, associate: StaffMember | None, set_by=None,
                  reason: str, note: str = "", at=None) -> Assignment | None:
    """Hand one customer to `associate` (None leaves them unassigned), with history.

    Assigning to the associate they already have changes nothing and returns None.
    """
    at = at or timezone.now()
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.assigned_to_id == (associate.pk if associate else None):
        return None
    Assignment.objects.filter(customer=locked, ended_at__isnull=True).update(ended_at=at)
    assignment = Assignment.objects.create(customer=locked, associate=associate, started_at=at,
                                           set_by=set_by, reason=reason, note=note)
    Customer.objects.filter(pk=locked.pk).update(assigned_to=associate)
    customer.assigned_to = associate
    who = associate.display_name if associate else "nobody"
    interaction_add(customer=locked, kind=InteractionKind.CHANGE, staff=set_by, at=at,
                    summary=f"Now looked after by {who} ({assignment.get_reason_display()}).")
    log_action(actor=set_by.user if set_by else None, action="client.assigned", obj=locked,
               data={"associate": associate.pk if associate else None, "reason": reason}, at=at)
    return assignment
