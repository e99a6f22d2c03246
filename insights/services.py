"""Writes of the dashboard: an associate's goals for a year."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from core.audit import log_action
from core.errors import LoupeError
from insights.models import Goal


def may_set_goals(*, associate, by) -> bool:
    """A manager sets anyone's goals in their store; an associate sets their own."""
    if by is None or associate.store_id != by.store_id or not by.is_active:
        return False
    return by.is_manager or by.pk == associate.pk


@transaction.atomic
def goal_set(*, associate, year: int, sales_amount: Decimal, new_profiles: int, by) -> Goal:
    """Set (or change) an associate's goals for `year`; setting the same twice is once."""
    if not may_set_goals(associate=associate, by=by):
        raise LoupeError("Only a manager, or the associate themselves, can set these goals.")
    if sales_amount is None or sales_amount < 0:
        raise LoupeError("Enter a sales goal of zero or more.", field="sales_amount")
    if new_profiles is None or new_profiles < 0:
        raise LoupeError("Enter a number of new profiles of zero or more.",
                         field="new_profiles")
    if not 2000 <= year <= 2100:
        raise LoupeError("Pick a year between 2000 and 2100.", field="year")
    now = timezone.now()
    goal, _ = Goal.objects.update_or_create(
        associate=associate, year=year,
        defaults={"store": associate.store, "sales_amount": sales_amount,
                  "new_profiles": new_profiles, "set_by": by, "updated_at": now})
    log_action(actor=by.user, action="insights.goal_set", obj=goal, store=associate.store,
               at=now, data={"associate": associate.pk, "year": year,
                             "sales_amount": str(sales_amount), "new_profiles": new_profiles})
    return goal
