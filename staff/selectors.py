"""Reads for the manager's staff pages, each shaped once so query counts stay constant."""

from django.db.models import Count, Q, QuerySet

from crm.models import Customer
from staff.models import StaffMember, Store
from staff.roles import Role
from staff.suggest import Candidate, Orphan, pick_associates


def stores_in_order() -> QuerySet[Store]:
    """Every store, oldest first (the planner works through them in turn)."""
    return Store.objects.order_by("pk")


def staff_of_store(*, store) -> QuerySet[StaffMember]:
    """Everyone on the store's staff, with strengths and how many clients each looks after."""
    return (
        StaffMember.objects.for_store(store)
        .select_related("user")
        .prefetch_related("strengths")
        .annotate(client_count=Count("clients"))
        .order_by("departed_on", "display_name")
    )


def sellers_of_store(*, store) -> QuerySet[StaffMember]:
    """Active associates clients may be given to (see `StaffMember.can_sell`)."""
    return (StaffMember.objects.for_store(store).active()
            .filter(role__in=[Role.SALESPERSON, Role.MANAGER]).order_by("display_name"))


def departed_of_store(*, store) -> QuerySet[StaffMember]:
    return StaffMember.objects.for_store(store).filter(departed_on__isnull=False)


def orphan_suggestions(*, store, orphans: QuerySet[Customer]) -> dict[int, int]:
    """Suggest an associate id for every customer in `orphans` (four queries, any size)."""
    sellers = (sellers_of_store(store=store)
               .annotate(load=Count("clients", filter=Q(clients__store=store)))
               .prefetch_related("strengths"))
    candidates = [
        Candidate(id=m.pk, name=m.display_name, load=m.load,
                  strengths=frozenset(p.pk for p in m.strengths.all()))
        for m in sellers
    ]
    ordered = orphans.order_by("-lifetime_value", "pk")
    ids = list(ordered.values_list("pk", flat=True))
    prefs: dict[int, set[int]] = {pk: set() for pk in ids}
    through = Customer.preferences.through.objects.filter(customer__in=ordered.values("pk"))
    for customer_id, preference_id in through.values_list("customer_id", "preference_id"):
        if customer_id in prefs:  # a client orphaned after the first read waits for next time
            prefs[customer_id].add(preference_id)
    queue = [Orphan(id=pk, preferences=frozenset(prefs[pk])) for pk in ids]
    return pick_associates(queue, candidates)


def add_upcoming(customers, *, today, limit: int = 2) -> None:
    """Give each customer `upcoming`: their next occasions as (date, occasion), soonest first.

    Works on prefetched occasions, so it adds no query per row.
    """
    for customer in customers:
        dated = sorted(((o.next_date(today), o) for o in customer.occasions.all()),
                       key=lambda pair: pair[0])
        customer.upcoming = dated[:limit]
