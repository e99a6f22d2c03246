"""Writes that matter for events: the event, its campaigns (start, expand, pause, resume),
the RSVP and the check-off at the door. Each is one transaction with keyword-only arguments;
`by` is the acting StaffMember (None for the customer or the system)."""

import dataclasses
import datetime

from django.core import signing
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from core.audit import log_action
from core.errors import LoupeError
from crm.models import Customer, InteractionKind
from crm.services import interaction_add
from events import audience
from events.models import Answer, Campaign, CampaignStatus, Event, Invitation
from followups import services as followups

# Customer ids per expansion batch (one transaction): the work is in the database, so a
# larger batch costs no Python memory and fewer fixed costs (at the 1M size, 160 batches of
# 5,000 took 43 s, 40 of 20,000 took 26 s).
BATCH_SIZE = 20_000
MAX_GUESTS = 4
RSVP_SALT = "events.rsvp"
# A link keeps working this long (the deadline closes answers long before).
RSVP_MAX_AGE = datetime.timedelta(days=400)
INVITATION, REMINDER, CANCELLED = "event_invitation", "event_reminder", "event_cancelled"
_LIVE = [CampaignStatus.DRAFT, CampaignStatus.SCHEDULED, CampaignStatus.SENDING,
         CampaignStatus.PAUSED]


# --- Events -------------------------------------------------------------------------------

def _check_event(*, store, starts_at, rsvp_deadline, capacity, categories, hosts, now) -> None:
    if starts_at <= now:
        raise LoupeError("The event must start in the future.", field="date")
    if rsvp_deadline > starts_at:
        raise LoupeError("Answers must close before the event starts.", field="rsvp_by")
    if rsvp_deadline <= now:
        raise LoupeError("Answers must close in the future.", field="rsvp_by")
    if capacity is not None and capacity < 1:
        raise LoupeError("Capacity is at least one seat (leave it empty for no limit).",
                         field="capacity")
    if any(p.store_id != store.pk for p in categories):
        raise LoupeError("Choose lines from this store's list.", field="categories")
    if any(h.store_id != store.pk or not h.is_active for h in hosts):
        raise LoupeError("Hosts are this store's current staff.", field="hosts")


@transaction.atomic
def event_create(*, store, title: str, starts_at, place: str, rsvp_deadline,
                 description: str = "", capacity: int | None = None, categories=(),
                 hosts=(), by) -> Event:
    now = timezone.now()
    categories, hosts = list(categories), list(hosts)
    _check_event(store=store, starts_at=starts_at, rsvp_deadline=rsvp_deadline,
                 capacity=capacity, categories=categories, hosts=hosts, now=now)
    event = Event.objects.create(store=store, title=title.strip(), starts_at=starts_at,
                                 place=place.strip(), description=description.strip(),
                                 capacity=capacity, rsvp_deadline=rsvp_deadline,
                                 created_by=by, created_at=now)
    event.categories.set(categories)
    event.hosts.set(hosts)
    log_action(by=by, action="events.event_created", obj=event, at=now)
    return event


@transaction.atomic
def event_update(*, event: Event, title: str, starts_at, place: str, rsvp_deadline,
                 description: str = "", capacity: int | None = None, categories=(),
                 hosts=(), by) -> Event:
    now = timezone.now()
    event = Event.objects.select_for_update().select_related("store").get(pk=event.pk)
    if event.is_cancelled:
        raise LoupeError("This event is cancelled: it can no longer be changed.")
    categories, hosts = list(categories), list(hosts)
    _check_event(store=event.store, starts_at=starts_at, rsvp_deadline=rsvp_deadline,
                 capacity=capacity, categories=categories, hosts=hosts, now=now)
    taken = _seats_taken(event)
    if capacity is not None and capacity < taken:
        raise LoupeError(f"{taken} seats are already confirmed: the capacity cannot be lower.",
                         field="capacity")
    event.title, event.starts_at, event.place = title.strip(), starts_at, place.strip()
    event.description, event.capacity, event.rsvp_deadline = description.strip(), capacity, \
        rsvp_deadline
    event.save(update_fields=["title", "starts_at", "place", "description", "capacity",
                              "rsvp_deadline"])
    event.categories.set(categories)
    event.hosts.set(hosts)
    log_action(by=by, action="events.event_changed", obj=event, at=now)
    return event


@transaction.atomic
def event_cancel(*, event: Event, notify: bool, by) -> Event:
    """Cancel the event: every campaign's unsent messages are withdrawn; with `notify`, each
    customer an invitation went to gets a cancellation notice on the same channel (their
    consent and the sender's rules still apply). Twice is the same as once."""
    now = timezone.now()
    event = Event.objects.select_for_update().select_related("store").get(pk=event.pk)
    if event.is_cancelled:
        return event
    event.cancelled_at = now
    event.save(update_fields=["cancelled_at"])
    due = followups.messaging_settings_for(store=event.store).next_send_time(now)
    notices = 0
    for campaign in Campaign.objects.select_for_update().filter(event=event):
        followups.campaign_messages_withdraw(campaign=campaign, at=now,
                                             reason="The event was cancelled.")
        if campaign.status in _LIVE:
            campaign.status = CampaignStatus.WITHDRAWN
            campaign.save(update_fields=["status"])
        if notify:
            notices += followups.campaign_step_plan(campaign=campaign, kind=CANCELLED,
                                                    due_at=due, now=now)
    log_action(by=by, action="events.event_cancelled", obj=event, at=now,
               data={"notices": notices})
    return event


# --- Campaigns ----------------------------------------------------------------------------

CAMPAIGN_FIELDS = ["name", "channels", "remind_day_before", "customer_kind",
                   "match_categories", "active_within_days", "assigned_to", "source",
                   "occasion_in_event_month", "contact_window_days"]


def _check_campaign_fields(*, event: Event, fields: dict) -> None:
    assigned = fields.get("assigned_to")
    if assigned is not None and assigned.store_id != event.store_id:
        raise LoupeError("Choose an associate of this store.", field="assigned_to")
    window = fields.get("contact_window_days")
    if window is not None and window > 365:
        raise LoupeError("Choose a window of at most 365 days.", field="contact_window_days")
    if fields.get("match_categories") and not event.categories.exists():
        raise LoupeError("The event features no lines yet: choose some on the event first.",
                         field="match_categories")


def campaign_defaults(*, event: Event) -> dict:
    """What a new campaign starts with: the save-the-date name and the store's window."""
    return {"name": f"Save the date: {event.title}"[:120],
            "contact_window_days": followups.messaging_settings_for(
                store=event.store).event_contact_window_days}


@transaction.atomic
def campaign_create(*, event: Event, by, **fields) -> Campaign:
    now = timezone.now()
    if event.is_cancelled or event.starts_at <= now:
        raise LoupeError("Invitations go out only for an upcoming event.")
    unknown = set(fields) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise TypeError(f"Unknown campaign fields: {sorted(unknown)}")
    defaults = campaign_defaults(event=event)
    if fields.get("contact_window_days") is None:
        fields["contact_window_days"] = defaults["contact_window_days"]
    _check_campaign_fields(event=event, fields=fields)
    fields["name"] = fields.get("name") or defaults["name"]
    campaign = Campaign.objects.create(store=event.store, event=event, created_by=by,
                                       created_at=now, **fields)
    log_action(by=by, action="events.campaign_created", obj=campaign, at=now)
    return campaign


@transaction.atomic
def campaign_update(*, campaign: Campaign, by, **fields) -> Campaign:
    campaign = Campaign.objects.select_for_update().select_related("event").get(pk=campaign.pk)
    if not campaign.is_draft:
        raise LoupeError("Only a draft can be changed: this campaign has started.")
    if fields.get("contact_window_days") is None:
        fields["contact_window_days"] = campaign.contact_window_days
    _check_campaign_fields(event=campaign.event, fields=fields)
    for name, value in fields.items():
        setattr(campaign, name, value)
    campaign.save(update_fields=list(fields))
    log_action(by=by, action="events.campaign_changed", obj=campaign)
    return campaign


def campaign_preview(*, campaign: Campaign, now=None) -> audience.Preview:
    """Who the campaign would invite now, and who it leaves out and why (one query)."""
    now = now or timezone.now()
    cap = followups.messaging_settings_for(store=campaign.store).fatigue_cap
    return audience.preview(campaign, now=now, fatigue_cap=cap)


def _check_templates(campaign: Campaign) -> None:
    """The store's words for the invitation on each channel must render (an older copy may
    use a placeholder that no longer exists, or lack the RSVP link)."""
    for template in followups.templates_for(store=campaign.store, kind=INVITATION,
                                            channels=campaign.channel_list):
        try:
            followups.template_check(template=template)
        except LoupeError as error:
            raise LoupeError(f"The {template} template needs fixing before it is sent: "
                             f"{error.message}") from error


def _check_send_time(campaign: Campaign, *, at, now) -> None:
    event = campaign.event
    if event.is_cancelled:
        raise LoupeError("This event is cancelled.")
    if event.rsvp_deadline <= now:
        raise LoupeError("Answers for this event have closed: it is too late to invite.")
    if at is None:
        return
    if at <= now:
        raise LoupeError("The time to send is in the past.", field="scheduled_at")
    if at >= event.rsvp_deadline:
        raise LoupeError("Send before answers close.", field="scheduled_at")
    messaging = followups.messaging_settings_for(store=campaign.store)
    if not messaging.may_send_at(at):
        raise LoupeError(f"That time is inside quiet hours: the store sends between "
                         f"{messaging.send_from:%H:%M} and {messaging.send_until:%H:%M}.",
                         field="scheduled_at")


@transaction.atomic
def campaign_start(*, campaign: Campaign, by, at: datetime.datetime | None = None) -> Campaign:
    """Send the campaign now (`at` None) or schedule it. Two managers pressing at once, or
    one pressing twice: the first starts it, the second is told it already has.

    The audience is decided batch by batch when it goes (`campaign_expand`, in a worker), so
    consent given or taken back until then counts; the sender checks consent again for each
    message as it goes.
    """
    now = timezone.now()
    campaign = (Campaign.objects.select_for_update(of=("self",))
                .select_related("event__store", "store", "started_by").get(pk=campaign.pk))
    if not campaign.is_draft:
        who = f" by {campaign.started_by.display_name}" if campaign.started_by else ""
        raise LoupeError(f"This campaign was already started{who}.", code="already_started")
    _check_send_time(campaign, at=at, now=now)
    _check_templates(campaign)
    if not campaign_preview(campaign=campaign, now=now).invited:
        raise LoupeError("Nobody in this audience can be invited: widen the filters or look at "
                         "why each customer is left out.")
    campaign.expand_until = (Customer.objects.for_store(campaign.store)
                             .aggregate(last=Max("id"))["last"] or 0)
    campaign.status = CampaignStatus.SENDING if at is None else CampaignStatus.SCHEDULED
    campaign.scheduled_at, campaign.started_by, campaign.started_at = at or now, by, now
    campaign.save(update_fields=["expand_until", "status", "scheduled_at", "started_by",
                                 "started_at"])
    log_action(by=by, action="events.campaign_started", obj=campaign, at=now,
               data={"scheduled_at": campaign.scheduled_at.isoformat()})
    if at is None:
        _expand_after_commit(campaign.pk)
    return campaign


def _expand_after_commit(campaign_id: int) -> None:
    from core.queueing import publish
    from events.tasks import expand_campaign

    # With the broker down the beat's campaigns_advance picks the campaign up within a minute.
    transaction.on_commit(lambda: publish(expand_campaign, campaign_id))


def campaigns_start_due(*, now=None) -> list[int]:
    """Turn scheduled campaigns whose time has come into sending ones (the beat task), each
    claimed by a conditional update so two beats start it once. Returns their ids."""
    now = now or timezone.now()
    started = []
    for pk in Campaign.objects.filter(status=CampaignStatus.SCHEDULED, scheduled_at__lte=now) \
            .values_list("pk", flat=True):
        if Campaign.objects.filter(pk=pk, status=CampaignStatus.SCHEDULED).update(
                status=CampaignStatus.SENDING):
            started.append(pk)
    return started


@dataclasses.dataclass
class Expansion:
    batches: int = 0
    messages: int = 0


def campaign_expand(*, campaign_id: int, batch_size: int = BATCH_SIZE, now=None) -> Expansion:
    """Put a sending campaign's messages in the outbox, one transaction per batch of customer
    ids; each batch locks the campaign row, so two workers expanding at once take turns and
    carry on from each other's `expanded_through` (and ON CONFLICT would stop a double).
    Stops when paused; resuming carries on. Memory and queries per batch do not grow with
    the audience: the database does the work."""
    result = Expansion()
    while _expand_one_batch(campaign_id, batch_size, now or timezone.now(), result):
        pass
    return result


@transaction.atomic
def _expand_one_batch(campaign_id: int, batch_size: int, now, result: Expansion) -> bool:
    campaign = (Campaign.objects.select_for_update(of=("self",))
                .select_related("event__store", "store").get(pk=campaign_id))
    if campaign.status != CampaignStatus.SENDING or campaign.is_expanded:
        return False
    after, last = campaign.expanded_through, campaign.expand_until or 0
    until = (Customer.objects.for_store(campaign.store).filter(pk__gt=after, pk__lte=last)
             .order_by("pk").values_list("pk", flat=True)[batch_size - 1:batch_size].first())
    until = until or last
    if after < until:
        messaging = followups.messaging_settings_for(store=campaign.store)
        due = messaging.next_send_time(max(now, campaign.scheduled_at or now))
        added = audience.expand_batch(campaign, after=after, until=until, now=now, due_at=due,
                                      fatigue_cap=messaging.fatigue_cap, kind=INVITATION)
        result.batches += 1
        result.messages += added
        if added:
            followups.dispatch_after_commit()
    campaign.expanded_through = until
    fields = ["expanded_through"]
    if until >= last:
        campaign.expanded_at = now
        fields.append("expanded_at")
    campaign.save(update_fields=fields)
    return until < last


@transaction.atomic
def campaign_pause(*, campaign: Campaign, by) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status not in (CampaignStatus.SENDING, CampaignStatus.SCHEDULED):
        raise LoupeError("Only a scheduled or sending campaign can be paused.")
    now = timezone.now()
    campaign.status = CampaignStatus.PAUSED
    campaign.save(update_fields=["status"])
    held = followups.campaign_messages_pause(campaign=campaign, at=now)
    log_action(by=by, action="events.campaign_paused", obj=campaign, at=now,
               data={"held": held})
    return campaign


@transaction.atomic
def campaign_resume(*, campaign: Campaign, by) -> Campaign:
    campaign = Campaign.objects.select_for_update().select_related("event").get(pk=campaign.pk)
    if campaign.status != CampaignStatus.PAUSED:
        raise LoupeError("Only a paused campaign can be resumed.")
    now = timezone.now()
    if campaign.event.is_cancelled or campaign.event.rsvp_deadline <= now:
        raise LoupeError("Answers for this event have closed: it is too late to resume.")
    campaign.status = CampaignStatus.SENDING
    campaign.save(update_fields=["status"])
    followups.campaign_messages_resume(campaign=campaign, at=now)
    if not campaign.is_expanded:
        _expand_after_commit(campaign.pk)
    log_action(by=by, action="events.campaign_resumed", obj=campaign, at=now)
    return campaign


def campaigns_advance(*, now=None) -> dict[str, int]:
    """The beat task: start scheduled campaigns that are due, carry on expansions a worker
    left unfinished, and mark done the campaigns with nothing left to send."""
    from followups.selectors import campaign_progress

    now = now or timezone.now()
    started = campaigns_start_due(now=now)
    expanded = 0
    for pk in Campaign.objects.filter(status=CampaignStatus.SENDING, expanded_at__isnull=True) \
            .values_list("pk", flat=True):
        expanded += campaign_expand(campaign_id=pk, now=now).messages
    done = 0
    for campaign in Campaign.objects.filter(status=CampaignStatus.SENDING,
                                            expanded_at__isnull=False):
        progress = campaign_progress(campaign=campaign)
        if not (progress["planned"] or progress["sending"] or progress["paused"]):
            done += Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.SENDING) \
                .update(status=CampaignStatus.DONE)
    return {"started": len(started), "expanded": expanded, "done": done}


# --- RSVP ---------------------------------------------------------------------------------

def rsvp_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=RSVP_SALT)


def invitation_id_from_token(token: str) -> int:
    """Raises signing.BadSignature (SignatureExpired included) for a link we did not sign."""
    value = signing.loads(token, salt=RSVP_SALT, max_age=RSVP_MAX_AGE)
    if not isinstance(value, int):
        raise signing.BadSignature("Not an invitation")
    return value


def _seats_taken(event: Event, *, besides: Invitation | None = None) -> int:
    """Seats confirmed: each yes off the waiting list, with its guests."""
    rows = Invitation.objects.filter(event=event, answer=Answer.YES, waitlisted=False)
    if besides is not None:
        rows = rows.exclude(pk=besides.pk)
    found = rows.aggregate(people=Count("id"), guests=Sum("guests"))
    return found["people"] + (found["guests"] or 0)


@dataclasses.dataclass(frozen=True)
class Rsvp:
    invitation: Invitation
    changed: bool
    promoted: list


@transaction.atomic
def rsvp_answer(*, invitation: Invitation, answer: str, guests: int = 0,
                via: str = "the invitation's link") -> Rsvp:
    """The customer's answer (no login: the signed link or a texted YES). The same answer
    again changes nothing; a different one replaces it until answers close. A yes that does
    not fit the capacity goes on the waiting list; a seat given back goes to the waiting list
    in the order they answered. The event row is locked, so two answers at once count each
    other's seats."""
    now = timezone.now()
    event = Event.objects.select_for_update().select_related("store").get(pk=invitation.event_id)
    invitation = (Invitation.objects.select_for_update(of=("self",))
                  .select_related("customer", "campaign").get(pk=invitation.pk))
    if answer not in Answer.values:
        raise LoupeError("Choose yes or no.", field="answer")
    guests = guests if answer == Answer.YES else 0
    if not 0 <= guests <= MAX_GUESTS:
        raise LoupeError(f"You may bring up to {MAX_GUESTS} guests.", field="guests")
    if event.is_cancelled:
        raise LoupeError("We are sorry: this event is cancelled.")
    if now > event.rsvp_deadline:
        raise LoupeError("Answers for this event have closed.")
    if invitation.answer == answer and invitation.guests == guests:
        return Rsvp(invitation=invitation, changed=False, promoted=[])
    was_seated = invitation.seats > 0
    invitation.answer, invitation.guests, invitation.answered_at = answer, guests, now
    invitation.waitlisted = False
    if answer == Answer.YES and event.capacity is not None:
        free = event.capacity - _seats_taken(event, besides=invitation)
        invitation.waitlisted = 1 + guests > free
    invitation.save(update_fields=["answer", "guests", "answered_at", "waitlisted"])
    interaction_add(customer=invitation.customer, kind=InteractionKind.REPLY, at=now,
                    summary=f"{rsvp_words(invitation)} {event.title} "
                            f"({event.local_start():%a %b} {event.local_start().day}), "
                            f"by {via}.")
    promoted = _promote_waiting(event, now) if was_seated else []
    _plan_or_withdraw_reminder(invitation, event, now)
    log_action(by=None, action="events.rsvp", obj=invitation, store=event.store, at=now,
               data={"answer": answer, "guests": guests, "waitlisted": invitation.waitlisted})
    return Rsvp(invitation=invitation, changed=True, promoted=promoted)


def rsvp_words(invitation: Invitation) -> str:
    """"Confirmed for", "Waiting list for", "Declined" (the timeline's and Today's words)."""
    if invitation.answer == Answer.NO:
        return "Declined"
    with_guests = f" (+{invitation.guests})" if invitation.guests else ""
    return f"Waiting list{with_guests} for" if invitation.waitlisted \
        else f"Confirmed{with_guests} for"


def _promote_waiting(event: Event, now) -> list[Invitation]:
    """Seat the waiting list, first come first served, as long as each whole party fits."""
    if event.capacity is None:
        return []
    free = event.capacity - _seats_taken(event)
    promoted = []
    for waiting in (Invitation.objects.select_for_update(of=("self",)).select_related("customer")
                    .filter(event=event, answer=Answer.YES, waitlisted=True)
                    .order_by("answered_at", "id")):
        if 1 + waiting.guests > free:
            continue
        waiting.waitlisted = False
        waiting.save(update_fields=["waitlisted"])
        free -= 1 + waiting.guests
        interaction_add(customer=waiting.customer, kind=InteractionKind.REPLY, at=now,
                        summary=f"A seat came free: {rsvp_words(waiting)} {event.title}.")
        promoted.append(waiting)
    return promoted


def _plan_or_withdraw_reminder(invitation: Invitation, event: Event, now) -> None:
    campaign = invitation.campaign
    if campaign is None:
        return
    if invitation.answer == Answer.NO:
        followups.campaign_messages_withdraw(campaign=campaign, customer=invitation.customer,
                                             at=now, reason="They answered they cannot come.")
        return
    if not campaign.remind_day_before or invitation.waitlisted:
        return
    messaging = followups.messaging_settings_for(store=event.store)
    day_before = event.local_start().date() - datetime.timedelta(days=1)
    due = datetime.datetime.combine(day_before, messaging.send_from, tzinfo=event.store.tz)
    if due > now:
        followups.campaign_step_plan(campaign=campaign, kind=REMINDER, due_at=due, now=now,
                                     customer=invitation.customer)


@transaction.atomic
def invitation_attended(*, invitation: Invitation, attended: bool, by) -> Invitation:
    """Check a guest off at the door (or undo it); twice is the same as once."""
    now = timezone.now()
    invitation = (Invitation.objects.select_for_update(of=("self",))
                  .select_related("customer", "event").get(pk=invitation.pk))
    if attended == (invitation.attended_at is not None):
        return invitation
    invitation.attended_at = now if attended else None
    invitation.save(update_fields=["attended_at"])
    if attended:
        interaction_add(customer=invitation.customer, kind=InteractionKind.VISIT, by=by,
                        at=now, summary=f"Came to {invitation.event.title}.")
    log_action(by=by, action="events.attended" if attended else "events.unattended",
               obj=invitation, store=invitation.event.store, at=now)
    return invitation


YES_WORDS = {"YES", "Y", "OUI", "SI"}
NO_WORDS = {"NO", "N"}


def rsvp_by_text(*, customers, text: str, at) -> str | None:
    """A texted YES or NO answers the latest event invitation texted to that number (the
    registry in followups.services hands it here); any other text is not ours (None)."""
    from followups.selectors import campaign_text_answered

    word = text.strip().split(maxsplit=1)[0].upper().strip(".!") if text.strip() else ""
    if word not in YES_WORDS | NO_WORDS or not customers:
        return None
    number = str(customers[0].phone)
    message = campaign_text_answered(customers=customers, number=number)
    if message is None:
        return None
    invitation = (Invitation.objects.select_related("event", "customer")
                  .filter(event__campaigns=message.campaign_id, customer_id=message.customer_id)
                  .first())
    if invitation is None:
        return None
    event = invitation.event
    try:
        rsvp = rsvp_answer(invitation=invitation, answer=Answer.YES if word in YES_WORDS
                           else Answer.NO, guests=invitation.guests, via="text")
    except LoupeError as error:
        return f"{event.store.name}: {error.message}"
    invitation = rsvp.invitation
    if invitation.answer == Answer.NO:
        return f"{event.store.name}: thank you for letting us know. We hope to see you soon."
    if invitation.waitlisted:
        return (f"{event.store.name}: {event.title} is full; you are on the waiting list and "
                "we will tell you if a seat comes free.")
    return f"{event.store.name}: thank you, see you at {event.title}, {event.when()}."


# --- What the outbox asks of events (see events/hooks.py) ---------------------------------

def message_context(message) -> dict[str, str]:
    """An event message's placeholders: the event and the customer's own RSVP link. A
    template previewed in the office (an unsaved message of an event kind) shows the store's
    next event and a sample link."""
    if message.campaign_id is None:
        return _preview_context(message) if message.pk is None else {}
    if message.customer_id is None:
        return {}
    from events.links import rsvp_url

    event = Event.objects.select_related("store").get(campaigns=message.campaign_id)
    invitation = Invitation.objects.filter(event=event, customer_id=message.customer_id).first()
    return {"event": event.title, "event_date": event.when(), "event_place": event.place,
            "rsvp_link": rsvp_url(invitation) if invitation else ""}


def _preview_context(message) -> dict[str, str]:
    if message.kind not in (INVITATION, REMINDER, CANCELLED):
        return {}
    event = (Event.objects.for_store(message.store).select_related("store")
             .filter(starts_at__gte=timezone.now(), cancelled_at__isnull=True)
             .order_by("starts_at").first())
    if event is None:
        return {"event": "our trunk show", "event_date": "Saturday, December 12 at 6:00 PM",
                "event_place": "the store", "rsvp_link": "(their own link to answer)"}
    return {"event": event.title, "event_date": event.when(), "event_place": event.place,
            "rsvp_link": "(their own link to answer)"}


def message_send_check(message, now) -> str:
    """Why a campaign's message must not go out any more ("" to let it go)."""
    if message.campaign_id is None:
        return ""
    event = Event.objects.select_related("store").get(campaigns=message.campaign_id)
    if message.kind == CANCELLED:
        return "" if now < event.starts_at else "Too late: the event has taken place."
    if event.is_cancelled:
        return "The event was cancelled."
    if now >= event.starts_at:
        return "Too late: the event has started."
    if message.kind == INVITATION and now > event.rsvp_deadline:
        return "Too late: answers for the event have closed."
    if message.kind == REMINDER and not Invitation.objects.filter(
            event=event, customer_id=message.customer_id, answer=Answer.YES,
            waitlisted=False).exists():
        return "They are not confirmed for the event."
    return ""



def campaign_audience_ids(*, campaign: Campaign, reason: str, limit: int) -> list[int]:
    """The first customers (by id) the live preview puts under `reason`."""
    now = timezone.now()
    cap = followups.messaging_settings_for(store=campaign.store).fatigue_cap
    return audience.customer_ids(campaign, reason=reason, now=now, fatigue_cap=cap, limit=limit)
