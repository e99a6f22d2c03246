"""Writes that matter for the team: members, roles, departures and the store's policy.

Who looks after whom is crm's (`crm.services.assignment`); a departure hands clients on
through it.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import log_action
from core.errors import LoupeError
from crm.models import AssignmentReason
from crm.selectors import clients_of
from crm.services import Move, clients_reassign
from staff.models import StaffMember, Store
from staff.roles import Role
from staff.selectors import orphan_suggestions


@transaction.atomic
def staff_member_add(*, store, username: str, display_name: str, role: str, password: str,
                     strengths=(), by: StaffMember) -> StaffMember:
    """Create the login and the staff member, in their role's group."""
    username = username.strip()
    if role not in Role.values:
        raise LoupeError("Pick a role.", field="role")
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise LoupeError("That username is taken: choose another.", field="username")
    first, _, last = display_name.strip().partition(" ")
    user = User(username=username, first_name=first, last_name=last)
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise LoupeError(" ".join(error.messages), field="password1") from error
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=role))
    member = StaffMember.objects.create(user=user, store=store, role=role,
                                        display_name=display_name.strip())
    member.strengths.set(strengths)
    log_action(by=by, action="staff.added", obj=member, data={"role": role})
    return member


@transaction.atomic
def staff_member_change(*, member: StaffMember, display_name: str, role: str, strengths,
                        by: StaffMember) -> StaffMember:
    """Rename, set strengths, and move between roles (the login's group follows the role)."""
    locked = StaffMember.objects.select_for_update().get(pk=member.pk)
    if role not in Role.values:
        raise LoupeError("Pick a role.", field="role")
    if locked.pk == by.pk and role != Role.MANAGER:
        raise LoupeError("You cannot take away your own manager role: ask another manager.",
                         field="role")
    if role == Role.SERVICE and locked.role != Role.SERVICE:
        count = locked.clients.count()
        if count:
            raise LoupeError(f"{locked.display_name} looks after {count} clients: reassign "
                             f"them before moving to the service counter.", field="role")
    if role != locked.role:
        locked.user.groups.remove(*Group.objects.filter(name__in=Role.values))
        locked.user.groups.add(Group.objects.get(name=role))
    before = locked.role
    locked.display_name, locked.role = display_name.strip(), role
    locked.save(update_fields=["display_name", "role"])
    locked.strengths.set(strengths)
    log_action(by=by, action="staff.changed", obj=locked,
               data={"role": role, "role_before": before})
    return locked


@transaction.atomic
def staff_member_depart(*, member: StaffMember, departed_on, by: StaffMember,
                        at=None) -> int:
    """Mark an associate as left: the login stops working at once, every record stays.

    With the store's "reassign immediately" policy on, their clients are handed to the
    suggested associates in this same transaction; otherwise they wait as orphans.
    Returns how many clients were handed on. Marking someone departed twice changes nothing.
    """
    at = at or timezone.now()
    locked = StaffMember.objects.select_for_update().select_related("store").get(pk=member.pk)
    if locked.pk == by.pk:
        raise LoupeError("You cannot mark yourself as departed: ask another manager.")
    problem = StaffMember.departure_date_problem(departed_on, today=locked.store.today(at))
    if problem:
        raise LoupeError(problem, field="departed_on")
    if locked.departed_on is not None:
        return 0
    StaffMember.objects.filter(pk=locked.pk).update(departed_on=departed_on)
    get_user_model().objects.filter(pk=locked.user_id).update(is_active=False)
    member.departed_on = locked.departed_on = departed_on
    log_action(by=by, action="staff.departed", obj=locked,
               data={"departed_on": departed_on.isoformat(),
                     "policy": locked.store.reassign_on_departure}, at=at)
    if not locked.store.reassign_on_departure:
        return 0
    return _hand_on_clients_of(locked, by=by, at=at)


def _hand_on_clients_of(departed: StaffMember, *, by: StaffMember, at) -> int:
    store = departed.store
    clients = clients_of(staff_member=departed)
    suggestions = orphan_suggestions(store=store, orphans=clients)
    moves = [Move(customer_id=pk, shown_associate_id=departed.pk,
                  associate_id=pick.associate_id)
             for pk, pick in suggestions.picks.items()]
    if not moves:
        return 0
    return clients_reassign(store=store, moves=moves, by=by,
                            reason=AssignmentReason.DEPARTURE,
                            note=f"{departed.display_name} left", at=at)


@transaction.atomic
def store_policy_set(*, store, reassign_on_departure: bool, managers_take_clients: bool,
                     by: StaffMember) -> None:
    policy = {"reassign_on_departure": reassign_on_departure,
              "managers_take_clients": managers_take_clients}
    Store.objects.filter(pk=store.pk).update(**policy)
    for name, value in policy.items():
        setattr(store, name, value)
    log_action(by=by, action="store.policy_changed", obj=store, store=store,
               data=policy)
