"""Reads for the manager's staff pages, each shaped once so query counts stay constant."""

import datetime
from decimal import Decimal
from typing import NamedTuple

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Count, OuterRef, Q, QuerySet, Sum

from core.models import AuditEntry
from core.packed import Compiled
from crm.models import Customer, Preference
from crm.selectors import client_counts, orphan_lists_load
from staff.models import FloorDevice, StaffMember, Store
from staff.roles import Role
from staff.suggest import Candidate, Orphan, Suggestions, pick_associates


def stores_in_order() -> QuerySet[Store]:
    """Every store, oldest first (the planner works through them in turn)."""
    return Store.objects.order_by("pk")


def staff_of_store(*, store) -> QuerySet[StaffMember]:
    """Everyone on the store's staff, with strengths and how many clients each looks after."""
    return (
        StaffMember.objects.for_store(store)
        .select_related("user")
        .prefetch_related("strengths")
        .annotate(client_count=client_counts())
        .order_by("departed_on", "display_name")
    )


class Seller(NamedTuple):
    """An associate a manager may hand clients to, as the picker names them."""

    pk: int
    display_name: str
    client_count: int
    strength_names: list[str]


def _sellers_read(*, store_id):
    strengths = (Preference.objects.filter(strong_staff=OuterRef("pk"))
                 .order_by("position", "name").values("name"))
    return (sellers_of_store(store=store_id).annotate(client_count=client_counts(),
                                                      strength_names=ArraySubquery(strengths))
            .order_by("display_name")
            .values_list("pk", "display_name", "client_count", "strength_names"))


# The orphan list's picker, compiled once per process and prepared on each connection
# (core.packed.Compiled): building and planning it cost more than running it.
_SELLERS = Compiled(_sellers_read)


def sellers_to_pick(*, store) -> list[Seller]:
    """Who a manager may hand clients to, each with their client count and the names of
    their strengths, in one query: the orphan list's picker. Read as values: 320 associates
    built as staff members (and their logins) cost more than the rest of the list."""
    if connection.vendor != "postgresql":  # SQLite (`make run`): the strengths prefetched
        sellers = (sellers_of_store(store=store).annotate(client_count=client_counts())
                   .order_by("display_name").prefetch_related("strengths"))
        return [Seller(m.pk, m.display_name, m.client_count, [p.name for p in m.strengths.all()])
                for m in sellers]
    return [Seller(*row) for row in _SELLERS.rows(store_id=store.pk)]


def members_of_store(*, store) -> QuerySet[StaffMember]:
    """Everyone on the store's staff, present first, by name (no counts: one cheap query)."""
    return (StaffMember.objects.for_store(store).select_related("user")
            .order_by("departed_on", "display_name"))


def sellers_of_store(*, store) -> QuerySet[StaffMember]:
    """Active associates clients may be given to (see `StaffMember.can_sell`)."""
    return (StaffMember.objects.for_store(store).active()
            .filter(role__in=[Role.SALESPERSON, Role.MANAGER]).order_by("display_name"))


def departed_of_store(*, store) -> QuerySet[StaffMember]:
    return StaffMember.objects.for_store(store).filter(departed_on__isnull=False)


def suggestion_candidates(*, store) -> QuerySet[StaffMember]:
    """Who suggestions pick from: active salespeople, and managers when the store says
    managers look after clients too (`Store.managers_take_clients`)."""
    roles = [Role.SALESPERSON] + ([Role.MANAGER] if store.managers_take_clients else [])
    return sellers_of_store(store=store).filter(role__in=roles)


def orphan_suggestions(*, store, orphans: QuerySet[Customer]) -> Suggestions:
    """Suggest an associate, with the reason, for every customer in `orphans`.

    Four queries for any number of orphans: the candidates with their books, their
    strengths, the orphans, and the orphans' preferences.
    """
    mine = Q(clients__store=store)
    sellers = (suggestion_candidates(store=store)
               .annotate(load=Count("clients", filter=mine),
                         book=Sum("clients__lifetime_value", filter=mine))
               .prefetch_related("strengths"))
    candidates = [
        Candidate(id=m.pk, name=m.display_name, clients=m.load, value=m.book or Decimal(0),
                  strengths=frozenset(p.name for p in m.strengths.all()))
        for m in sellers
    ]
    ordered = orphans.order_by("-lifetime_value", "pk")
    rows = list(ordered.values_list("pk", "lifetime_value", "assigned_to_id"))
    loves: dict[int, set[str]] = {pk: set() for pk, _, _ in rows}
    through = Customer.preferences.through.objects.filter(customer__in=ordered.values("pk"))
    for customer_id, name in through.values_list("customer_id", "preference__name"):
        if customer_id in loves:  # a client orphaned after the first read waits for next time
            loves[customer_id].add(name)
    queue = [Orphan(id=pk, preferences=frozenset(loves[pk]), value=value, former_id=former)
             for pk, value, former in rows]
    return pick_associates(queue, candidates)


def add_upcoming(customers, *, today, limit: int = 2) -> None:
    """Give each customer `upcoming`: their next occasions as (date, occasion), soonest first.

    Works on the occasions read with the rows into `dated_occasions`
    (crm.selectors.orphans_of_store), so it adds no query per row.
    """
    for customer in orphan_lists_load(customers):
        dated = sorted(((o.next_date(today), o) for o in customer.dated_occasions),
                       key=lambda pair: pair[0])
        customer.upcoming = dated[:limit]


# The audit trail's kinds of entry, by action name (the names services give log_action).
AUDIT_KINDS = {
    "logins": Q(action__in=["auth.login", "auth.logout"]),
    "failures": Q(action__in=["auth.login_failed", "floor.pin_failed"]),
    "switches": Q(action="floor.switch"),
    "locks": Q(action__in=["floor.locked", "staff.unlocked", "floor.device_unlocked"]),
    "exports": Q(action__contains="export"),
    "imports": Q(action__contains="import"),
    "merges": Q(action__contains="merge"),
    "reassignments": Q(action__contains="reassign") | Q(action="client.assigned"),
    "consent": Q(action__startswith="consent."),
    "erasures": Q(action__contains="erase"),
}


def audit_trail(*, store, who: StaffMember | None = None, kind: str = "",
                since: datetime.date | None = None, until: datetime.date | None = None,
                device: str = "") -> QuerySet[AuditEntry]:
    """The store's audit entries, newest first, with who did each (one query per page);
    dates are the store's calendar days, both ends included."""
    entries = (AuditEntry.objects.filter(store=store)
               .select_related("actor__staff_member").order_by("-created_at", "-id"))
    if who is not None:
        entries = entries.filter(actor_id=who.user_id)
    if kind in AUDIT_KINDS:
        entries = entries.filter(AUDIT_KINDS[kind])
    if since is not None:
        entries = entries.filter(created_at__gte=_store_midnight(since, store))
    if until is not None:
        entries = entries.filter(
            created_at__lt=_store_midnight(until + datetime.timedelta(days=1), store))
    if device.strip():
        entries = entries.filter(device__icontains=device.strip())
    return entries


def _store_midnight(day: datetime.date, store) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=store.tz)


def floor_devices_of_store(*, store) -> QuerySet[FloorDevice]:
    return (FloorDevice.objects.filter(store=store).select_related("marked_by")
            .order_by("retired_at", "name"))


def floor_staff(*, store) -> QuerySet[StaffMember]:
    """Who may take over a floor tablet: the store's present staff, by name."""
    return (StaffMember.objects.for_store(store).active().filter(user__is_active=True)
            .select_related("user").order_by("display_name"))
