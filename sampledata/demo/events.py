"""Events for the demo store: an open house whose invitations went out last week (answers,
a waiting list) and a trunk show with a draft campaign to preview."""

import datetime

from crm.models import Channel, Consent, ConsentMethod, Customer, Preference, Purpose
from events import services
from events.models import Campaign, Invitation
from followups.models import Message, MessageStatus
from staff.models import StaffMember
from staff.roles import Role

EVENT_WORDS = "May we invite you to our trunk shows and events by email?"


def load_demo_events(*, store, rng, now) -> None:
    _ask_about_events(store, rng, now)
    maria = StaffMember.objects.get(store=store, role=Role.MANAGER)
    hosts = list(StaffMember.objects.filter(store=store, role=Role.SALESPERSON,
                                            departed_on__isnull=True))
    open_house = _event(store, maria, hosts, now, "Holiday open house", days=10, capacity=24,
                        lines=["Gold", "Silver"])
    _sent_last_week(open_house, maria, rng, now)
    trunk_show = _event(store, maria, hosts[:1], now, "Sapphire trunk show", days=24,
                        capacity=30, lines=["Colored gems"])
    services.campaign_create(event=trunk_show, by=maria, match_categories=True,
                             name="Save the date: sapphires")


def _ask_about_events(store, rng, now):
    """About a third of the customers said yes to events and news at their email."""
    rows = [Consent(customer=customer, channel=Channel.EMAIL, address=customer.email,
                    purpose=Purpose.EVENTS, granted=True, method=ConsentMethod.TABLET,
                    words=EVENT_WORDS, recorded_by=customer.assigned_to,
                    created_at=now - datetime.timedelta(days=60))
            for customer in Customer.objects.for_store(store).exclude(email="")
            .select_related("assigned_to").order_by("pk") if rng.random() < 0.35]
    Consent.objects.bulk_create(rows)


def _event(store, by, hosts, now, title, *, days, capacity, lines):
    local_day = store.today(now) + datetime.timedelta(days=days)
    starts_at = datetime.datetime.combine(local_day, datetime.time(18), tzinfo=store.tz)
    return services.event_create(
        store=store, title=title, starts_at=starts_at, place="Gem & Loupe, main floor",
        description="Champagne, the new collection, and our bench jeweler on hand.",
        rsvp_deadline=starts_at - datetime.timedelta(days=2), capacity=capacity,
        categories=Preference.objects.for_store(store).filter(name__in=lines), hosts=hosts,
        by=by)


def _sent_last_week(event, by, rng, now):
    """Expanded and sent (recorded as sent 16 days ago, outside the usual contact window, so
    the trunk show's campaign can invite them again), then answered by some: yes with guests,
    no, and a waiting list once the room is full."""
    campaign = services.campaign_create(event=event, by=by, name="Open house invitations")
    services.campaign_start(campaign=campaign, by=by)
    services.campaign_expand(campaign_id=campaign.pk, now=now)
    sent_at = now - datetime.timedelta(days=16)
    Message.objects.filter(campaign=campaign).update(
        status=MessageStatus.SENT, sent_at=sent_at, due_at=sent_at, created_at=sent_at,
        updated_at=sent_at, subject=f"Save the date: {event.title}")
    Campaign.objects.filter(pk=campaign.pk).update(status="done", started_at=sent_at)
    for invitation in Invitation.objects.filter(campaign=campaign).order_by("pk")[:30]:
        answer = rng.choices(["yes", "no", ""], weights=[6, 2, 2])[0]
        if answer:
            services.rsvp_answer(invitation=invitation, answer=answer,
                                 guests=rng.choice([0, 1, 1, 2]) if answer == "yes" else 0)
