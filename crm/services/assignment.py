"""Who looks after whom: handing customers to associates, one or many, with history.

Every change of `Customer.assigned_to` goes through here, so the open `Assignment` row, the
timeline entry and the audit entry always travel with it. Associates are StaffMember rows of
the layer above; crm reaches them through the store's `staff` relation and receives them as
arguments, so it never imports staff.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from core.audit import log_action
from core.columns import rows_insert
from core.errors import LoupeError
from crm.models import Assignment, AssignmentReason, Customer, InteractionKind, among
from crm.services.timeline import interaction_add, interactions_add
from crm.signals import clients_assigned


def _looked_after(name: str, reason: str) -> str:
    return f"Now looked after by {name} ({AssignmentReason(reason).label})."


@transaction.atomic
def client_assign(*, customer: Customer, associate, by=None, reason: str, note: str = "",
                  at=None) -> Assignment | None:
    """Hand one customer to `associate` (a StaffMember; None leaves them unassigned).

    Assigning to the associate they already have changes nothing and returns None.
    """
    at = at or timezone.now()
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.assigned_to_id == (associate.pk if associate else None):
        return None
    Assignment.objects.filter(customer=locked, ended_at__isnull=True).update(ended_at=at)
    assignment = Assignment.objects.create(customer=locked, associate=associate, started_at=at,
                                           set_by=by, reason=reason, note=note)
    Customer.objects.filter(pk=locked.pk).update(assigned_to=associate)
    customer.assigned_to = associate
    clients_assigned.send(sender=Customer, at=at, moves=[
        (locked.pk, locked.assigned_to_id, associate.pk if associate else None)])
    who = associate.display_name if associate else "nobody"
    interaction_add(customer=locked, kind=InteractionKind.CHANGE, by=by, at=at,
                    summary=_looked_after(who, reason))
    log_action(by=by, action="client.assigned", obj=locked,
               data={"associate": associate.pk if associate else None, "reason": reason}, at=at)
    return assignment


def client_first_assign(*, customer: Customer, by, reason: str, at) -> Assignment:
    """The first associate of a profile inserted in the caller's transaction with
    `assigned_to` already set (call inside it): nobody else can see the profile yet, so there
    is nothing to lock, no assignment to close and no task to follow them."""
    associate = customer.assigned_to
    assignment = Assignment.objects.create(customer=customer, associate=associate,
                                           started_at=at, set_by=by, reason=reason)
    interaction_add(customer=customer, kind=InteractionKind.CHANGE, by=by, at=at,
                    summary=_looked_after(associate.display_name, reason))
    log_action(by=by, action="client.assigned", obj=customer,
               data={"associate": associate.pk, "reason": reason}, at=at)
    return assignment


@dataclass(frozen=True)
class Move:
    """Give one client to an associate, if they are still with who the manager saw."""

    customer_id: int
    shown_associate_id: int | None
    associate_id: int


@transaction.atomic
def clients_reassign(*, store, moves: list[Move], by,
                     reason: str = AssignmentReason.REASSIGNMENT, note: str = "",
                     at=None) -> int:
    """Hand many clients on at once, all or nothing; returns how many changed hands.

    Queries do not grow with the number of clients: one lock, one close of the open
    assignments, one update of the clients (on PostgreSQL; one per receiving associate on
    SQLite), one insert each for history and timeline.
    If any client changed hands since the page was shown (another manager got there first),
    nothing is applied.
    """
    at = at or timezone.now()
    wanted = {m.customer_id: m for m in moves}
    if not wanted:
        raise LoupeError("Tick at least one client to reassign.", field="customers")
    receivers = _receivers(store=store, ids={m.associate_id for m in wanted.values()})
    # Lock in id order so two managers reassigning overlapping lists cannot deadlock.
    current = dict(Customer.objects.select_for_update().filter(among("pk", wanted), store=store)
                   .order_by("pk").values_list("pk", "assigned_to_id"))
    stale = [pk for pk, m in wanted.items()
             if pk not in current or current[pk] != m.shown_associate_id]
    if stale:
        raise LoupeError(_stale_message(stale), code="stale")
    changing = [m for m in wanted.values() if current[m.customer_id] != m.associate_id]
    if not changing:
        return 0
    _hand_over(changing, at=at)
    clients_handed_over(store=store, by=by, reason=reason, note=note, at=at,
                        receivers=receivers, moves=[
                            (m.customer_id, current[m.customer_id], m.associate_id)
                            for m in changing])
    return len(changing)


def clients_handed_over(*, store, moves: list[tuple[int, int | None, int]], by, reason: str,
                        note: str = "", at, receivers: dict | None = None) -> None:
    """What travels with clients changing hands, once their rows say so: the open
    assignments closed and the new ones opened, a timeline entry each, their open tasks
    following them (`clients_assigned`) and one audit entry. `moves` holds (customer id, from
    associate id, to associate id).

    `clients_reassign` calls it after its own update; the purchases import after the one
    UPDATE per batch that also derives the buyers' totals (a customer row written once, not
    twice: each write of crm_customer touches every one of its indexes). Call it inside the
    transaction that changed the rows, with the rows locked.
    """
    receivers = receivers or _receivers(store=store, ids={to for _, _, to in moves})
    ids = [customer_id for customer_id, _, _ in moves]
    Assignment.objects.filter(among("customer_id", ids), ended_at__isnull=True).update(ended_at=at)
    _assignments_open(moves, by=by, reason=reason, note=note, at=at)
    interactions_add(kind=InteractionKind.CHANGE, by=by, at=at, entries=(
        (customer_id, _looked_after(receivers[to_id].display_name, reason))
        for customer_id, _, to_id in moves))
    clients_assigned.send(sender=Customer, at=at, moves=moves)
    counts = Counter(to_id for _, _, to_id in moves)
    log_action(by=by, action="clients.reassigned", store=store,
               data={"count": len(moves), "reason": str(reason),
                     "to": {str(pk): n for pk, n in counts.items()}}, at=at)


def _assignments_open(moves, *, by, reason: str, note: str, at) -> None:
    """The new assignments in one insert: a file of receipts hands tens of thousands of
    clients on."""
    rows_insert(Assignment, same={"started_at": at, "set_by_id": by and by.pk,
                                  "reason": str(reason), "note": note},
                each={"customer_id": [customer_id for customer_id, _, _ in moves],
                      "associate_id": [to_id for _, _, to_id in moves]})


def _receivers(*, store, ids: set[int]) -> dict:
    """The store's associates by id (StaffMember rows, read through the store's relation)."""
    receivers = {m.pk: m for m in store.staff.filter(pk__in=ids)}
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


# Every client to their receiving associate in one statement, whatever the number of
# associates: each UPDATE of crm_customer also runs the client-count trigger, and a file of
# receipts credits hundreds of associates at once.
# First, for the rest of the transaction (SET LOCAL, gone at its end), plan as if a random
# read cost little more than a sequential one: PostgreSQL's default of four times assumes a
# spinning disk. The handover and the keeping triggers it fires join thousands of clients to
# their rows by id; costed for a disk, at 100k customers the planner read the whole customer
# and occasion tables into hashes rather than look each client up (10,000 clients: 2.29 s,
# 1.9 s so; at 1M it looked them up either way). Sent with the UPDATE: no round trip more.
_HAND_OVER = """
    SET LOCAL random_page_cost = 1.1;
    UPDATE crm_customer c SET assigned_to_id = m.associate_id, updated_at = %s
      FROM unnest(%s::bigint[], %s::bigint[]) AS m(id, associate_id)
     WHERE c.id = m.id
"""


def _hand_over(changing: list[Move], *, at) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_HAND_OVER, [at, [m.customer_id for m in changing],
                                        [m.associate_id for m in changing]])
        return
    # SQLite (make run) has no arrays: one UPDATE per receiving associate.
    by_receiver = defaultdict(list)
    for m in changing:
        by_receiver[m.associate_id].append(m.customer_id)
    for associate_id, customer_ids in by_receiver.items():
        Customer.objects.filter(pk__in=customer_ids).update(assigned_to_id=associate_id,
                                                            updated_at=at)
