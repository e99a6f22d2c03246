"""Special events (trunk shows, evenings), their save-the-date campaigns and the RSVPs.

A campaign's messages are ordinary outbox rows (`followups.Message.campaign`): the sender
sends them with the same consent, quiet hours, fatigue cap and opt-out as every other one.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone


class EventsAccess(models.Model):
    """Holds the app's permissions (no table of its own)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_events", "Can see events and their clients' RSVPs"),
            ("manage_events", "Can create events and send their campaigns"),
        ]

    def __str__(self):
        return "events"


class EventQuerySet(models.QuerySet):
    def for_store(self, store):
        return self.filter(store=store)


class Event(models.Model):
    store = models.ForeignKey("staff.Store", on_delete=models.PROTECT, related_name="events")
    title = models.CharField(max_length=120)
    starts_at = models.DateTimeField("starts")
    place = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    categories = models.ManyToManyField(
        "crm.Preference", blank=True, related_name="events",
        help_text="Featured designers or merchandise: customers who love them can be invited.")
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Seats, guests included (empty: no limit).")
    rsvp_deadline = models.DateTimeField("answers until")
    hosts = models.ManyToManyField("staff.StaffMember", blank=True, related_name="hosted_events")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("staff.StaffMember", null=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["store", "starts_at"], name="event_store_starts")]
        constraints = [
            models.CheckConstraint(condition=Q(rsvp_deadline__lte=models.F("starts_at")),
                                   name="event_deadline_before_start"),
            models.CheckConstraint(condition=Q(capacity__isnull=True) | Q(capacity__gte=1),
                                   name="event_capacity_positive"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def local_start(self) -> datetime.datetime:
        return timezone.localtime(self.starts_at, self.store.tz)

    def when(self) -> str:
        """"Saturday, December 12 at 6:00 PM" on the store's clock."""
        local = self.local_start()
        return f"{local:%A, %B} {local.day} at {local:%I:%M %p}".replace(" 0", " ")

    def answers_open(self, now) -> bool:
        return not self.is_cancelled and now <= self.rsvp_deadline


class Channels(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text"
    BOTH = "both", "Email and text"


class CustomerKind(models.TextChoices):
    ALL = "all", "Clients and prospects"
    CLIENTS = "clients", "Clients (have bought)"
    PROSPECTS = "prospects", "Prospects (not yet bought)"


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SCHEDULED = "scheduled", "Scheduled"
    SENDING = "sending", "Sending"
    PAUSED = "paused", "Paused"
    DONE = "done", "Done"
    WITHDRAWN = "withdrawn", "Withdrawn (event cancelled)"


class CampaignQuerySet(models.QuerySet):
    def for_store(self, store):
        return self.filter(store=store)


class Campaign(models.Model):
    """Invitations to one event for an audience chosen by filters.

    Started (now or at `scheduled_at`), it is expanded into outbox rows batch by batch of
    customer ids; `expanded_through` is the last customer id done, so a second start, a
    retried task or a resume carries on where it stopped and plans nothing twice.
    """

    store = models.ForeignKey("staff.Store", on_delete=models.PROTECT, related_name="campaigns")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="campaigns")
    name = models.CharField(max_length=120)
    channels = models.CharField(max_length=8, choices=Channels.choices, default=Channels.EMAIL)
    remind_day_before = models.BooleanField(
        "remind those who said yes the day before", default=False)
    # The audience: every filter left empty matches every customer of the store.
    customer_kind = models.CharField("who", max_length=10, choices=CustomerKind.choices,
                                     default=CustomerKind.ALL)
    match_categories = models.BooleanField(
        "only customers who love the event's featured lines", default=False)
    active_within_days = models.PositiveSmallIntegerField(
        "visited or bought within (days)", null=True, blank=True)
    assigned_to = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+",
                                    verbose_name="looked after by")
    source = models.CharField("came to us by", max_length=16, blank=True)
    occasion_in_event_month = models.BooleanField(
        "only customers with an occasion in the event's month", default=False)
    contact_window_days = models.PositiveSmallIntegerField(
        "leave out customers contacted within (days)")
    status = models.CharField(max_length=10, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    started_by = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(null=True, blank=True)
    # The store's last customer id when it started: later customers are not in this send.
    expand_until = models.BigIntegerField(null=True, blank=True)
    expanded_through = models.BigIntegerField(default=0)
    expanded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("staff.StaffMember", null=True, on_delete=models.PROTECT,
                                   related_name="+")
    created_at = models.DateTimeField()

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "scheduled_at"], name="campaign_due",
                                condition=Q(status="scheduled"))]
        constraints = [
            models.CheckConstraint(condition=~Q(status="scheduled") | Q(scheduled_at__isnull=False),
                                   name="campaign_scheduled_has_time"),
            models.CheckConstraint(condition=Q(contact_window_days__lte=365),
                                   name="campaign_window_at_most_a_year"),
        ]

    def __str__(self):
        return f"{self.name} ({self.event})"

    @property
    def channel_list(self) -> list[str]:
        return ["email", "sms"] if self.channels == Channels.BOTH else [self.channels]

    @property
    def is_draft(self) -> bool:
        return self.status == CampaignStatus.DRAFT

    @property
    def is_expanded(self) -> bool:
        return self.expanded_at is not None


class Reason(models.TextChoices):
    """Why a customer matching the filters is, or is not, invited (the preview's rows)."""

    INCLUDED = "included", "Invited"
    ALREADY_INVITED = "already_invited", "Already invited to this event"
    UNSUBSCRIBED = "unsubscribed", "Unsubscribed or texted STOP"
    BOUNCED = "bounced", "Address bounced"
    NO_CONSENT = "no_consent", "No consent to events and news at that address"
    CONTACTED_RECENTLY = "contacted_recently", "Contacted within the window"
    OVER_CAP = "over_cap", "Over the store's fatigue cap"


class AudienceEntry(models.Model):
    """One customer who matched a campaign's filters when it was expanded, and why they were
    invited or left out. The left-out ones are the results' control group.

    Its relations have no constraint in the database (`db_constraint=False`): the expansion
    writes a row for every matched customer (about 394,000 at the 1M size, most of them left
    out), and checking two foreign keys for each at commit cost more than the inserts. The
    rows are written only by that INSERT ... SELECT from crm_customer within the campaign's
    own locked transaction, so both always exist; Django still cascades a deleted campaign or
    customer to them, and a merge or an erasure still finds them (they are ordinary relations
    to the ORM)."""

    # No index of its own: audience_once_per_campaign_customer starts with it.
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="audience",
                                 db_index=False, db_constraint=False)
    customer = models.ForeignKey("crm.Customer", on_delete=models.CASCADE, related_name="+",
                                 db_constraint=False)
    reason = models.CharField(max_length=20, choices=Reason.choices)
    email_to = models.CharField(max_length=254, blank=True)
    sms_to = models.CharField(max_length=32, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "customer"],
                                    name="audience_once_per_campaign_customer"),
        ]

    def __str__(self):
        return f"{self.campaign_id}:{self.customer_id} {self.reason}"


class Answer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"


class Invitation(models.Model):
    """A customer invited to an event (once, whichever campaign invited them), their RSVP and
    whether they came. The signed link in the invitation names this row."""

    # No index of its own: invitation_once_per_event_customer starts with it.
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="invitations",
                              db_index=False)
    campaign = models.ForeignKey(Campaign, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="invitations")
    customer = models.ForeignKey("crm.Customer", on_delete=models.CASCADE,
                                 related_name="invitations")
    answer = models.CharField(max_length=3, choices=Answer.choices, blank=True)
    guests = models.PositiveSmallIntegerField(default=0)
    waitlisted = models.BooleanField("on the waiting list", default=False)
    answered_at = models.DateTimeField(null=True, blank=True)
    attended_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["customer__last_name", "customer__first_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "customer"],
                                    name="invitation_once_per_event_customer"),
            models.CheckConstraint(condition=Q(guests__lte=10), name="invitation_guests_max"),
            models.CheckConstraint(condition=Q(answer="yes") | Q(waitlisted=False),
                                   name="invitation_waitlist_only_for_yes"),
        ]

    def __str__(self):
        return f"{self.customer_id} → {self.event_id}: {self.answer or 'no answer'}"

    @property
    def seats(self) -> int:
        """Seats it takes: the customer and their guests, for a confirmed yes."""
        return 1 + self.guests if self.answer == Answer.YES and not self.waitlisted else 0
