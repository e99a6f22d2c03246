"""Writes that matter for the team: members, roles, departures and the store's policy.

Who looks after whom is crm's (`crm.services.assignment`); a departure hands clients on
through it.
"""

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
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
from staff import floor
from staff.models import FloorDevice, StaffMember, Store
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
                     by: StaffMember, lapsed_after_months: int | None = None,
                     yearly_growth_target: int | None = None,
                     floor_idle_minutes: int | None = None) -> None:
    """Save the store's policy; the dashboard's lapse period and growth target stay as they
    are when not given."""
    policy = {"reassign_on_departure": reassign_on_departure,
              "managers_take_clients": managers_take_clients}
    if lapsed_after_months is not None:
        if not 1 <= lapsed_after_months <= 60:
            raise LoupeError("A client lapses after 1 to 60 months.",
                             field="lapsed_after_months")
        policy["lapsed_after_months"] = lapsed_after_months
    if yearly_growth_target is not None:
        policy["yearly_growth_target"] = yearly_growth_target
    if floor_idle_minutes is not None:
        if not 1 <= floor_idle_minutes <= 60:
            raise LoupeError("Floor tablets lock after 1 to 60 idle minutes.",
                             field="floor_idle_minutes")
        policy["floor_idle_minutes"] = floor_idle_minutes
    Store.objects.filter(pk=store.pk).update(**policy)
    for name, value in policy.items():
        setattr(store, name, value)
    log_action(by=by, action="store.policy_changed", obj=store, store=store,
               data=policy)


# The shared floor tablet.

PIN_PATTERN = r"^[0-9]{4,6}$"


def pin_problem(pin: str) -> str:
    """Why `pin` cannot be someone's PIN, or "" if it can."""
    if not re.fullmatch(PIN_PATTERN, pin or ""):
        return "A PIN is 4 to 6 digits."
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        return "Anyone could guess that PIN: avoid repeated or consecutive digits."
    return ""


@transaction.atomic
def staff_pin_set(*, member: StaffMember, pin: str, by: StaffMember) -> None:
    """Set (or, by a manager, reset) `member`'s quick-switch PIN, stored hashed."""
    problem = pin_problem(pin)
    if problem:
        raise LoupeError(problem, field="pin")
    StaffMember.objects.filter(pk=member.pk).update(pin_hash=make_password(pin))
    action = "staff.pin_set" if by.pk == member.pk else "staff.pin_reset"
    log_action(by=by, action=action, obj=member)


@transaction.atomic
def staff_unlock(*, member: StaffMember, by: StaffMember) -> None:
    """Let `member` try their password and PIN again at once (a manager's call)."""
    from axes.utils import reset

    floor.clear_failures(member=member)
    reset(username=member.user.get_username())
    log_action(by=by, action="staff.unlocked", obj=member)


@transaction.atomic
def floor_device_mark(*, store, name: str, by: StaffMember) -> FloorDevice:
    """Record a browser as one of the store's floor tablets; the caller gives it the cookie."""
    name = " ".join(name.split())
    if not name:
        raise LoupeError("Name the tablet (for example \"Front counter\").", field="name")
    if FloorDevice.objects.filter(store=store, name__iexact=name,
                                  retired_at__isnull=True).exists():
        raise LoupeError("A tablet in use already has that name: choose another.",
                         field="name")
    device = FloorDevice.objects.create(store=store, name=name, marked_by=by,
                                        token=floor.new_device_token(),
                                        marked_at=timezone.now())
    log_action(by=by, action="floor.device_marked", obj=device)
    return device


@transaction.atomic
def floor_device_retire(*, device: FloorDevice, by: StaffMember) -> None:
    """Stop treating a tablet as a floor device (lost, replaced); its cookie stops working."""
    retired = FloorDevice.objects.filter(pk=device.pk, retired_at__isnull=True).update(
        retired_at=timezone.now())
    if retired:
        floor.clear_failures(device=device)
        log_action(by=by, action="floor.device_retired", obj=device)


def floor_device_unlock(*, device: FloorDevice, by: StaffMember) -> None:
    floor.clear_failures(device=device)
    log_action(by=by, action="floor.device_unlocked", obj=device)


def floor_locked(*, device: FloorDevice, by: StaffMember, why: str) -> None:
    """Record that the screen of `by` locked on `device` (by the button or when idle)."""
    log_action(by=by, action="floor.locked", obj=device, store=device.store,
               data={"why": why})


def floor_pin_check(*, device: FloorDevice, member: StaffMember, pin: str) -> None:
    """Raise unless `member` may take over `device` with `pin`; count a wrong PIN against
    the account and the device, and record it."""
    until = floor.locked_until(member=member, device=device)
    if until is None and not member.has_pin:
        raise LoupeError(f"{member.display_name} has no PIN yet: log in with your password "
                         f"and set one on your profile.", field="pin")
    if until is None and member.pin_matches(pin):
        return
    if until is None:
        until = floor.record_failure(member=member, device=device)
        log_action(by=member, action="floor.pin_failed", obj=member, store=device.store,
                   data={"device": device.name})
        if until is None:
            raise LoupeError("That PIN is not right: try again.", field="pin")
    raise LoupeError(floor.retry_message(until, store=device.store), field="pin",
                     code="throttled")


def floor_switched(*, device: FloorDevice, member: StaffMember, previous_user) -> None:
    """Record a PIN switch (or an unlock by the same associate) once the session is theirs."""
    floor.clear_failures(member=member)
    data = {"unlock": previous_user is not None and previous_user.pk == member.user_id}
    if previous_user is not None and not data["unlock"]:
        data["from"] = previous_user.get_username()
    log_action(by=member, action="floor.switch", obj=member, store=device.store, data=data)
