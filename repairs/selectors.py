"""Reads of envelopes, shaped once for the page that shows them and scoped to the store."""

import datetime

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import TruncWeek
from django.shortcuts import get_object_or_404

from core.packed import FORWARD, Compiled, Packed
from crm.models import Channel, Consent, ConsentMethod, Purpose
from crm.selectors import panel_read
from repairs.models import Envelope, EnvelopePhoto, Status

# Ready repairs nobody has collected after this many days get a call from the counter.
UNCOLLECTED_AFTER_DAYS = 30

LISTS = {
    "open": "All open",
    Status.RECEIVED: Status.RECEIVED.label,
    Status.AT_BENCH: Status.AT_BENCH.label,
    Status.WAITING_FOR_PARTS: Status.WAITING_FOR_PARTS.label,
    Status.READY: Status.READY.label,
    "overdue": "Overdue",
    "uncollected": f"Ready {UNCOLLECTED_AFTER_DAYS}+ days",
}


def _listed(store):
    return (Envelope.objects.for_store(store)
            .select_related("customer", "taken_in_by"))


def envelope_for(*, store, envelope_id) -> Envelope:
    """The envelope with this id in `store`, with its history; another store's is a 404."""
    return get_object_or_404(
        _listed(store).select_related("store").prefetch_related(
            "status_changes__changed_by", "photos"),
        pk=envelope_id,
    )


def envelopes_open(*, store):
    return _listed(store).open().order_by("promised_on", "number")


def envelopes_overdue(*, store, today: datetime.date):
    """Open, not yet ready, and past the date promised to the customer."""
    return (_listed(store).open().exclude(status=Status.READY)
            .filter(promised_on__lt=today).order_by("promised_on", "number"))


def envelopes_uncollected(*, store, now: datetime.datetime):
    """Ready for pickup for 30 days or more and still here."""
    since = now - datetime.timedelta(days=UNCOLLECTED_AFTER_DAYS)
    return (_listed(store).filter(status=Status.READY, ready_at__lte=since)
            .order_by("ready_at", "number"))


def envelope_list(*, store, name: str, now: datetime.datetime):
    """One of the counter's lists (LISTS) by name; an unknown name is the open list."""
    if name == "overdue":
        return envelopes_overdue(store=store, today=store.today(now))
    if name == "uncollected":
        return envelopes_uncollected(store=store, now=now)
    if name in Status.values:
        return _listed(store).filter(status=name).order_by("promised_on", "number")
    return envelopes_open(store=store)


def envelope_list_counts(*, store, now: datetime.datetime) -> dict[str, int]:
    """How many envelopes each list holds, in one query."""
    today = store.today(now)
    since = now - datetime.timedelta(days=UNCOLLECTED_AFTER_DAYS)
    is_open = Q(status__in=[s for s in Status.values
                            if s not in (Status.PICKED_UP, Status.CANCELLED)])
    counts = Envelope.objects.for_store(store).aggregate(
        open=Count("pk", filter=is_open),
        overdue=Count("pk", filter=is_open & ~Q(status=Status.READY) & Q(promised_on__lt=today)),
        uncollected=Count("pk", filter=Q(status=Status.READY, ready_at__lte=since)),
        **{s: Count("pk", filter=Q(status=s)) for s in
           (Status.RECEIVED, Status.AT_BENCH, Status.WAITING_FOR_PARTS, Status.READY)},
    )
    return {name: counts[name] for name in LISTS}


def customer_envelopes(*, customer):
    """A customer's repairs, newest first, for the panel on their page (read with the page on
    PostgreSQL: `customer_page_panel`)."""
    read = panel_read(customer, "repairs")
    if read is not None:
        return read["envelopes"]
    if connection.vendor == "postgresql":
        return _ENVELOPES.instances(customer_id=customer.pk, store_id=customer.store_id)
    return list(_envelopes_read(customer_id=customer.pk, store_id=customer.store_id))


def _envelopes_read(*, customer_id, store_id):
    return (Envelope.objects.filter(customer=customer_id, store_id=store_id)
            .select_related("taken_in_by").order_by("-taken_in_at", "-number"))


# The panel for a customer not read by the page's query: compiled once per process.
_ENVELOPES = Compiled(_envelopes_read)


def customer_page_lists() -> dict[str, Packed]:
    """The panel's envelopes as a list of the customer page's own query
    (crm.selectors.customer_page_panel, added by RepairsConfig.ready)."""
    mine = OuterRef("pk")
    return {"envelopes": Packed(_envelopes_read(customer_id=mine, store_id=OuterRef("store")),
                                taken_in_by=FORWARD)}


def _bounced():
    """The envelope's email bounced after the take-in (the sender records it in the ledger)."""
    return Exists(Consent.objects.filter(
        customer=OuterRef("customer"), channel=Channel.EMAIL, address=OuterRef("email"),
        method=ConsentMethod.BOUNCE, granted=False, created_at__gte=OuterRef("taken_in_at")))


def _marketing_consent():
    """The customer's latest word on event and news emails at the envelope's email is yes."""
    latest = (Consent.objects.filter(customer=OuterRef("customer"), channel=Channel.EMAIL,
                                     address=OuterRef("email"), purpose=Purpose.EVENTS)
              .order_by("-created_at", "-id").values("granted")[:1])
    return Subquery(latest)


def capture_report(*, store, since: datetime.datetime):
    """Take-ins per staff member per week (in the store's time zone) since `since`, with how
    many have an email that has not bounced and how many have marketing consent."""
    rows = (Envelope.objects.for_store(store).filter(taken_in_at__gte=since)
            .annotate(week=TruncWeek("taken_in_at", tzinfo=store.tz), bounced=_bounced(),
                      marketing=_marketing_consent())
            .values("week", "taken_in_by__display_name")
            .annotate(take_ins=Count("pk"),
                      valid_email=Count("pk", filter=Q(bounced=False)),
                      with_marketing=Count("pk", filter=Q(marketing=True)))
            .order_by("-week", "taken_in_by__display_name"))
    return [row | {"week": row["week"].date(), "staff": row["taken_in_by__display_name"]}
            for row in rows]


def envelopes_bounced(*, store, since: datetime.datetime):
    """Envelopes taken in since `since` whose email has bounced: call them for a better one."""
    return (_listed(store).filter(taken_in_at__gte=since).filter(_bounced())
            .order_by("-taken_in_at"))


def envelope_photo_for(*, store, envelope_id, photo_id) -> EnvelopePhoto:
    """A photo of one of the store's envelopes; another store's is a 404."""
    return get_object_or_404(EnvelopePhoto.objects.filter(store=store, envelope_id=envelope_id),
                             pk=photo_id)


def envelopes_ready_between(*, store, since: datetime.datetime, until: datetime.datetime):
    """Ready for pickup since a moment in [since, until) and still here (the aftercare
    planner's pickup reminders)."""
    return (Envelope.objects.filter(store=store, status=Status.READY, ready_at__gte=since,
                                    ready_at__lt=until)
            .select_related("customer", "store").order_by("ready_at", "pk"))


def envelopes_collected_between(*, store, since: datetime.datetime, until: datetime.datetime):
    """Picked up in [since, until): the pieces a care check may follow."""
    return (Envelope.objects.filter(store=store, status=Status.PICKED_UP,
                                    closed_at__gte=since, closed_at__lt=until)
            .select_related("customer", "store").order_by("closed_at", "pk"))


def envelope_waits_for_pickup(*, envelope_id: int) -> bool:
    return Envelope.objects.filter(pk=envelope_id, status=Status.READY).exists()


def take_ins_of_store(*, store):
    """The store's envelopes, each with `bounced` (its email bounced after the take-in), for
    the dashboard's per-associate counts."""
    return Envelope.objects.for_store(store).annotate(bounced=_bounced())
