"""Shaped reads for the event pages; every query is scoped to the store."""

import dataclasses
import datetime

from django.db.models import Count, Q, Sum
from django.shortcuts import get_object_or_404

from crm.models import Consent, ConsentMethod, Customer, Purchase
from events.audience import Preview
from events.models import Answer, AudienceEntry, Campaign, Event, Invitation, Reason
from followups.selectors import campaign_counts_by_kind, campaign_progress

_CONFIRMED = Q(invitations__answer=Answer.YES, invitations__waitlisted=False)


def events_of_store(*, store):
    """Events, the next ones first, with their confirmed parties and seats (one query)."""
    return (Event.objects.for_store(store)
            .annotate(confirmed=Count("invitations", filter=_CONFIRMED),
                      confirmed_guests=Sum("invitations__guests", filter=_CONFIRMED),
                      invited=Count("invitations"))
            .order_by("-starts_at", "-id"))


def event_for(*, store, event_id) -> Event:
    return get_object_or_404(
        Event.objects.for_store(store).select_related("store", "created_by")
        .prefetch_related("categories", "hosts"), pk=event_id)


def _visible_to(invitations, staff):
    """A manager sees every guest; an associate, their own clients'."""
    return invitations if staff.is_manager else invitations.filter(customer__assigned_to=staff)


def invitations_of(*, event: Event, staff, answered_only: bool = False):
    rows = (Invitation.objects.filter(event=event)
            .select_related("customer__assigned_to", "campaign"))
    if answered_only:
        rows = rows.exclude(answer="")
    return _visible_to(rows, staff).order_by("customer__last_name", "customer__first_name", "id")


@dataclasses.dataclass(frozen=True)
class GuestList:
    confirmed: list
    waiting: list
    declined: list
    seats: int


def guest_list(*, event: Event, staff) -> GuestList:
    rows = list(invitations_of(event=event, staff=staff, answered_only=True))
    confirmed = [i for i in rows if i.answer == Answer.YES and not i.waitlisted]
    return GuestList(confirmed=confirmed,
                     waiting=sorted((i for i in rows if i.waitlisted),
                                    key=lambda i: (i.answered_at, i.pk)),
                     declined=[i for i in rows if i.answer == Answer.NO],
                     seats=sum(1 + i.guests for i in confirmed))


def invitation_for(*, store, event_id, invitation_id) -> Invitation:
    return get_object_or_404(Invitation.objects.select_related("event", "customer"),
                             pk=invitation_id, event_id=event_id, event__store=store)


def campaigns_of(*, event: Event):
    return Campaign.objects.filter(event=event).select_related("started_by").order_by(
        "-created_at", "-id")


def campaign_for(*, store, campaign_id) -> Campaign:
    return get_object_or_404(
        Campaign.objects.for_store(store).select_related(
            "store", "event__store", "assigned_to", "started_by", "created_by"),
        pk=campaign_id)


def saved_audience(*, campaign: Campaign) -> Preview:
    """The audience as decided when the campaign was expanded (one query)."""
    return Preview(counts=dict(AudienceEntry.objects.filter(campaign=campaign)
                               .values_list("reason").annotate(n=Count("id")).order_by()))


def customers_by_ids(*, store, ids) -> list[Customer]:
    return list(Customer.objects.for_store(store).filter(pk__in=ids)
                .select_related("assigned_to").order_by("last_name", "first_name", "id"))


def saved_customers(*, campaign: Campaign, reason: str, limit: int) -> list[Customer]:
    ids = (AudienceEntry.objects.filter(campaign=campaign, reason=reason)
           .order_by("customer_id").values_list("customer_id", flat=True)[:limit])
    return customers_by_ids(store=campaign.store, ids=list(ids))


def progress(*, campaign: Campaign) -> dict[str, int]:
    return campaign_progress(campaign=campaign)


PURCHASE_DAYS = 30
_UNSUBSCRIBED = [ConsentMethod.UNSUBSCRIBE, ConsentMethod.STOP, ConsentMethod.COMPLAINT]


@dataclasses.dataclass(frozen=True)
class Group:
    """Customers of one side of the comparison and what they bought after the event."""

    customers: int
    buyers: int
    amount: object

    @property
    def rate(self) -> float | None:
        return round(100 * self.buyers / self.customers, 1) if self.customers else None


def _bought(campaign: Campaign, entries, since: datetime.date) -> Group:
    until = since + datetime.timedelta(days=PURCHASE_DAYS)
    ids = entries.values("customer_id")
    bought = Purchase.objects.filter(customer_id__in=ids, purchased_on__gte=since,
                                     purchased_on__lte=until).aggregate(
        buyers=Count("customer_id", distinct=True), amount=Sum("amount"))
    return Group(customers=entries.count(), buyers=bought["buyers"],
                 amount=bought["amount"] or 0)


def campaign_results(*, campaign: Campaign) -> dict:
    """What the campaign did: its messages by fate, the unsubscribes since it started, the
    answers and the door, and purchases within 30 days of the event by the invited against
    the customers it left out (a simple control group)."""
    counts = campaign_counts_by_kind(campaign=campaign)

    def of(kind, *statuses):
        return sum(counts.get((kind, status), 0) for status in statuses)

    invitation = "event_invitation"
    entries = AudienceEntry.objects.filter(campaign=campaign)
    invited = entries.filter(reason=Reason.INCLUDED)
    answers = Invitation.objects.filter(campaign=campaign).aggregate(
        yes=Count("id", filter=Q(answer=Answer.YES, waitlisted=False)),
        waiting=Count("id", filter=Q(waitlisted=True)),
        no=Count("id", filter=Q(answer=Answer.NO)),
        attended=Count("id", filter=Q(attended_at__isnull=False)))
    unsubscribed = (Consent.objects.filter(customer_id__in=invited.values("customer_id"),
                                           granted=False, method__in=_UNSUBSCRIBED,
                                           created_at__gte=campaign.started_at)
                    .values("customer_id").distinct().count()) if campaign.started_at else 0
    since = campaign.event.local_start().date()
    return {
        "planned": sum(n for (kind, _), n in counts.items() if kind == invitation),
        "sent": of(invitation, "sent", "delivered"),
        "delivered": of(invitation, "delivered"),
        "held": of(invitation, "suppressed"),
        "failed": of(invitation, "failed", "needs_look"),
        "unsubscribed": unsubscribed,
        **answers,
        "invited": _bought(campaign, invited, since),
        "excluded": _bought(campaign, entries.exclude(reason=Reason.INCLUDED), since),
        "purchase_days": PURCHASE_DAYS,
    }


def clients_rsvps(*, staff, since):
    """RSVPs of the staff member's clients (all for a manager) to events from `since` on."""
    rows = (Invitation.objects.filter(event__store=staff.store, event__starts_at__gte=since)
            .exclude(answer="").select_related("customer", "event")
            .order_by("event__starts_at", "customer__last_name"))
    return _visible_to(rows, staff)


