"""Writes that matter for staff and who looks after whom."""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.audit import log_action
from core.errors import LoupeError
from crm.models import Customer, Interaction, InteractionKind
from crm.services import interaction_add
from staff.models import Assignment, AssignmentReason, StaffMember, Store
from staff.roles import Role
from staff.selectors import orphan_suggestions


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


@dataclass(frozen=True)
class Move:
    """Give one client to an associate, if they are still with who the manager saw."""

    customer_id: int
    shown_associate_id: int | None
    associate_id: int


@transaction.atomic
def clients_reassign(*, store, moves: list[Move], set_by: StaffMember | None,
                     reason: str = AssignmentReason.REASSIGNMENT, note: str = "",
                     at=None) -> int:
    """Hand many clients on at once, all or nothing; returns how many changed hands.

    Queries do not grow with the number of clients: one lock, one close of the open
    assignments, one update per receiving associate, one insert each for history and timeline.
    If any client changed hands since the page was shown (another manager got there first),
    nothing is applied.
    """
    at = at or timezone.now()
    wanted = {m.customer_id: m for m in moves}
    if not wanted:
        raise LoupeError("Tick at least one client to reassign.", field="customers")
    receivers = _receivers(store=store, ids={m.associate_id for m in wanted.values()})
    # Lock in id order so two managers reassigning overlapping lists cannot deadlock.
    current = dict(Customer.objects.select_for_update().filter(store=store, pk__in=wanted)
                   .order_by("pk").values_list("pk", "assigned_to_id"))
    stale = [pk for pk, m in wanted.items()
             if pk not in current or current[pk] != m.shown_associate_id]
    if stale:
        raise LoupeError(_stale_message(stale), code="stale")
    changing = [m for m in wanted.values() if current[m.customer_id] != m.associate_id]
    if not changing:
        return 0
    _apply(changing, receivers=receivers, set_by=set_by, reason=reason, note=note, at=at)
    counts = Counter(m.associate_id for m in changing)
    log_action(actor=set_by.user if set_by else None, action="clients.reassigned", store=store,
               data={"count": len(changing), "reason": str(reason),
                     "to": {str(pk): n for pk, n in counts.items()}}, at=at)
    return len(changing)


def _receivers(*, store, ids: set[int]) -> dict[int, StaffMember]:
    receivers = {m.pk: m for m in StaffMember.objects.for_store(store).filter(pk__in=ids)}
    if len(receivers) != len(ids):
        raise LoupeError("Pick an associate of this store.", field="associate")
    for member in receivers.values():
        if not member.is_active:
            raise LoupeError(f"{member.display_name} has left the store: pick an active "
                             f"associate. Nothing was changed.", field="associate")
        if not member.can_sell:
            raise LoupeError(f"{member.display_name} works at the service counter and cannot "
                             f"look after clients. Nothing was changed.", field="associate")
    return receivers


def _stale_message(stale_ids: list[int]) -> str:
    names = list(Customer.objects.filter(pk__in=stale_ids).order_by("last_name", "first_name")
                 .values_list("first_name", "last_name")[:5])
    shown = ", ".join(f"{first} {last}".strip() for first, last in names)
    more = f" and {len(stale_ids) - len(names)} more" if len(stale_ids) > len(names) else ""
    return (f"Someone else changed who looks after {shown}{more} since this page was shown. "
            f"Nothing was changed: look at the list again and redo your choice.")


def _apply(changing: list[Move], *, receivers, set_by, reason, note, at) -> None:
    ids = [m.customer_id for m in changing]
    Assignment.objects.filter(customer_id__in=ids, ended_at__isnull=True).update(ended_at=at)
    by_receiver = defaultdict(list)
    for m in changing:
        by_receiver[m.associate_id].append(m.customer_id)
    for associate_id, customer_ids in by_receiver.items():
        Customer.objects.filter(pk__in=customer_ids).update(assigned_to_id=associate_id,
                                                            updated_at=at)
    why = AssignmentReason(reason).label
    Assignment.objects.bulk_create(
        Assignment(customer_id=m.customer_id, associate_id=m.associate_id, started_at=at,
                   set_by=set_by, reason=reason, note=note) for m in changing
    )
    Interaction.objects.bulk_create(
        Interaction(customer_id=m.customer_id, kind=InteractionKind.CHANGE, staff=set_by,
                    occurred_at=at,
                    summary=f"Now looked after by {receivers[m.associate_id].display_name} "
                            f"({why}).")
        for m in changing
    )


@transaction.atomic
def staff_member_add(*, store, username: str, display_name: str, role: str, password: str,
                     strengths=(), added_by: StaffMember) -> StaffMember:
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
    log_action(actor=added_by.user, action="staff.added", obj=member, data={"role": role})
    return member


@transaction.atomic
def staff_member_change(*, member: StaffMember, display_name: str, role: str, strengths,
                        changed_by: StaffMember) -> StaffMember:
    """Rename, set strengths, and move between roles (the login's group follows the role)."""
    locked = StaffMember.objects.select_for_update().get(pk=member.pk)
    if role not in Role.values:
        raise LoupeError("Pick a role.", field="role")
    if locked.pk == changed_by.pk and role != Role.MANAGER:
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
    log_action(actor=changed_by.user, action="staff.changed", obj=locked,
               data={"role": role, "role_before": before})
    return locked


@transaction.atomic
def staff_member_depart(*, member: StaffMember, departed_on, departed_by: StaffMember,
                        at=None) -> int:
    """Mark an associate as left: the login stops working at once, every record stays.

    With the store's "reassign immediately" policy on, their clients are handed to the
    suggested associates in this same transaction; otherwise they wait as orphans.
    Returns how many clients were handed on. Marking someone departed twice changes nothing.
    """
    at = at or timezone.now()
    locked = StaffMember.objects.select_for_update().select_related("store").get(pk=member.pk)
    if locked.pk == departed_by.pk:
        raise LoupeError("You cannot mark yourself as departed: ask another manager.")
    problem = StaffMember.departure_date_problem(departed_on, today=locked.store.today(at))
    if problem:
        raise LoupeError(problem, field="departed_on")
    if locked.departed_on is not None:
        return 0
    StaffMember.objects.filter(pk=locked.pk).update(departed_on=departed_on)
    get_user_model().objects.filter(pk=locked.user_id).update(is_active=False)
    member.departed_on = locked.departed_on = departed_on
    log_action(actor=departed_by.user, action="staff.departed", obj=locked,
               data={"departed_on": departed_on.isoformat(),
                     "policy": locked.store.reassign_on_departure}, at=at)
    if not locked.store.reassign_on_departure:
        return 0
    return _hand_on_clients_of(locked, by=departed_by, at=at)


def _hand_on_clients_of(departed: StaffMember, *, by: StaffMember, at) -> int:
    store = departed.store
    clients = Customer.objects.for_store(store).filter(assigned_to=departed)
    suggestions = orphan_suggestions(store=store, orphans=clients)
    moves = [Move(customer_id=pk, shown_associate_id=departed.pk,
                  associate_id=pick.associate_id)
             for pk, pick in suggestions.picks.items()]
    if not moves:
        return 0
    return clients_reassign(store=store, moves=moves, set_by=by,
                            reason=AssignmentReason.DEPARTURE,
                            note=f"{departed.display_name} left", at=at)


@transaction.atomic
def store_policy_set(*, store, reassign_on_departure: bool, managers_take_clients: bool,
                     changed_by: StaffMember) -> None:
    policy = {"reassign_on_departure": reassign_on_departure,
              "managers_take_clients": managers_take_clients}
    Store.objects.filter(pk=store.pk).update(**policy)
    for name, value in policy.items():
        setattr(store, name, value)
    log_action(actor=changed_by.user, action="store.policy_changed", obj=store, store=store,
               data=policy)
