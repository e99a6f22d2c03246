"""The outbox and what it needs: store messaging settings, templates, messages, call tasks."""

import datetime

from django.db import models
from django.db.models import Q

from crm import occasion_dates
from crm.models import Channel, Purpose


class FollowupsAccess(models.Model):
    """Holds the app's permissions (no table of its own)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_followups", "Can see today's follow-ups"),
            ("manage_messaging", "Can edit messaging settings and templates"),
        ]

    def __str__(self):
        return "follow-ups"


class MessagingSettings(models.Model):
    """One per store, created on first use. Times are in the store's timezone."""

    store = models.OneToOneField("staff.Store", on_delete=models.CASCADE,
                                 related_name="messaging_settings")
    lead_days = models.PositiveSmallIntegerField(
        "days ahead", default=occasion_dates.DEFAULT_LEAD_DAYS,
        help_text="How many days before an occasion to remind.")
    send_from = models.TimeField("send from", default=datetime.time(9))
    send_until = models.TimeField("send until", default=datetime.time(20),
                                  help_text="Nothing is sent outside these hours.")
    fatigue_cap = models.PositiveSmallIntegerField(
        "fatigue cap", default=2,
        help_text="At most this many marketing touches per customer per 30 days (an "
                  "occasion's email and text are one touch; repair notices never count).")
    sender_name = models.CharField(max_length=120, blank=True)
    sender_email = models.EmailField(blank=True)
    sender_phone = models.CharField(max_length=32, blank=True,
                                    help_text="The store's texting number (E.164).")
    footer_address = models.TextField("postal address for the email footer", blank=True)
    event_contact_window_days = models.PositiveSmallIntegerField(
        "leave out customers contacted within (days)", default=14,
        help_text="An event campaign leaves out customers who heard from us this recently "
                  "(each campaign may change it).")

    class Meta:
        verbose_name_plural = "messaging settings"
        constraints = [
            models.CheckConstraint(condition=Q(lead_days__gte=1, lead_days__lte=90),
                                   name="messaging_lead_days_range"),
            models.CheckConstraint(condition=Q(send_from__lt=models.F("send_until")),
                                   name="messaging_window_order"),
        ]

    def __str__(self):
        return f"Messaging for {self.store}"

    def may_send_at(self, moment: datetime.datetime) -> bool:
        """Whether `moment` falls inside the store's sending hours (its own timezone)."""
        local = moment.astimezone(self.store.tz).time()
        return self.send_from <= local < self.send_until

    def next_send_time(self, moment: datetime.datetime) -> datetime.datetime:
        """`moment` itself inside sending hours, else the next morning's start, local time.

        Built from the local date and wall-clock time, so the morning stays 09:00 across a
        daylight-saving change.
        """
        if self.may_send_at(moment):
            return moment
        tz = self.store.tz
        local = moment.astimezone(tz)
        day = local.date()
        if local.time() >= self.send_until:
            day += datetime.timedelta(days=1)
        return datetime.datetime.combine(day, self.send_from, tzinfo=tz)

    def reminder_due_on(self, occurs_on: datetime.date) -> datetime.date:
        """The day a reminder (or a call) for an occasion on `occurs_on` is due."""
        return occurs_on - datetime.timedelta(days=self.lead_days)

    def reminder_due_at(self, occurs_on: datetime.date) -> datetime.datetime:
        """When a reminder for an occasion on `occurs_on` goes out: `lead_days` before it, at
        the start of sending hours on the store's clock (so 09:00 stays 09:00 across a
        daylight-saving change). Never the moment the planner happened to run."""
        return datetime.datetime.combine(self.reminder_due_on(occurs_on), self.send_from,
                                         tzinfo=self.store.tz)


class TemplateKind(models.TextChoices):
    BIRTHDAY = "birthday", "Birthday"
    ANNIVERSARY = "anniversary", "Anniversary"
    PARTNER_BIRTHDAY = "partner_birthday", "Partner's birthday"
    OTHER = "other", "Other occasion"
    REPAIR_READY = "repair_ready", "Repair ready"
    EVENT_INVITATION = "event_invitation", "Event invitation"
    EVENT_REMINDER = "event_reminder", "Event reminder"
    EVENT_CANCELLED = "event_cancelled", "Event cancelled"
    SIGN_UP_CONFIRMATION = "sign_up_confirmation", "Sign-up confirmation"
    APPOINTMENT_CONFIRMATION = "appt_confirmation", "Appointment confirmation"
    APPOINTMENT_REMINDER = "appt_reminder", "Appointment reminder"
    APPOINTMENT_MOVED = "appt_moved", "Appointment moved"
    # Words an associate wrote in a customer's thread (no template: the body is theirs).
    REPLY = "reply", "Reply"
    VOUCHER = "voucher", "Website voucher"
    DRAWING_WINNER = "drawing_winner", "Drawing winner"
    CARE_CHECK = "care_check", "Care of a piece bought"
    ONE_YEAR = "one_year", "One year with their piece"
    REPAIR_WAITING = "repair_waiting", "Repair waiting for pickup"
    REPAIR_STILL_WAITING = "repair_still_waiting", "Repair still waiting for pickup"


# What the person asked for a moment ago (their confirmation link, the voucher they signed up
# for, the prize they entered for): never held by the fatigue cap, never counted in it.
# An appointment's confirmation and reminder (the visit they booked) and an associate's
# reply in their conversation are held the same way.
ASKED_FOR_KINDS = (TemplateKind.SIGN_UP_CONFIRMATION, TemplateKind.VOUCHER,
                   TemplateKind.DRAWING_WINNER, TemplateKind.APPOINTMENT_CONFIRMATION,
                   TemplateKind.APPOINTMENT_REMINDER, TemplateKind.APPOINTMENT_MOVED,
                   TemplateKind.REPLY)
APPOINTMENT_KINDS = (TemplateKind.APPOINTMENT_CONFIRMATION, TemplateKind.APPOINTMENT_REMINDER,
                     TemplateKind.APPOINTMENT_MOVED)


# The steps after a purchase or a repair that are messages (followups.aftercare plans them).
AFTERCARE_KINDS = (TemplateKind.CARE_CHECK, TemplateKind.ONE_YEAR)
# The step after a purchase that is a task, not a message: the associate's thank-you call.
THANK_YOU_CALL = "thank_you_call"
AFTERCARE_STEP_KINDS = [(THANK_YOU_CALL, "Thank-you call (a task)"),
                        *((k.value, k.label) for k in AFTERCARE_KINDS)]
# Reminders for a repair that is ready and not collected, by days since it was ready.
PICKUP_REMINDERS = {14: TemplateKind.REPAIR_WAITING, 30: TemplateKind.REPAIR_STILL_WAITING}


class AftercareStep(models.Model):
    """A step some time after a purchase: useful care, never an offer.

    Each store keeps its own steps (created with the defaults on first use): a thank-you call
    (a task for the associate) three days after any purchase, a care check six months after,
    "one year with your piece" at eleven months for purchases from a store-set amount. The
    messages go only where consent for news covers the address, at most one every six months
    per customer, and count as a touch under the fatigue cap.
    """

    store = models.ForeignKey("staff.Store", on_delete=models.CASCADE,
                              related_name="aftercare_steps")
    kind = models.CharField(max_length=20, choices=AFTERCARE_STEP_KINDS)
    after_days = models.PositiveSmallIntegerField(help_text="Days after the purchase.")
    min_amount = models.DecimalField("for purchases from", max_digits=12, decimal_places=2,
                                     default=0)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["after_days"]
        constraints = [
            models.UniqueConstraint(fields=["store", "kind"], name="aftercare_step_once"),
            models.CheckConstraint(condition=Q(after_days__gte=1, after_days__lte=1000),
                                   name="aftercare_after_days_range"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} after {self.after_days} days"


MESSAGE_CHANNELS = [(Channel.EMAIL.value, Channel.EMAIL.label),
                    (Channel.SMS.value, Channel.SMS.label)]


class MessageTemplate(models.Model):
    """The store's words for one kind of message on one channel (defaults ship in code)."""

    store = models.ForeignKey("staff.Store", on_delete=models.CASCADE,
                              related_name="message_templates")
    kind = models.CharField(max_length=20, choices=TemplateKind.choices)
    channel = models.CharField(max_length=8, choices=MESSAGE_CHANNELS)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["store", "kind", "channel"],
                                    name="template_one_per_store_kind_channel"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.get_channel_display()})"


class MessageStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"
    SUPPRESSED = "suppressed", "Not sent"
    # Stuck in "sending" past the timeout: the provider may or may not have taken it, so it is
    # never sent again automatically; a person checks (the message log filters on it).
    NEEDS_LOOK = "needs_look", "Needs a look"
    # A campaign a manager paused: the dispatcher passes it by until it is resumed (planned).
    PAUSED = "paused", "Paused"

# Purposes the customer is owed whatever the fatigue cap says; they never count toward it.
TRANSACTIONAL_PURPOSES = (Purpose.REPAIR_NOTICES,)


class MessageQuerySet(models.QuerySet):
    def for_store(self, store):
        return self.filter(store=store)

    def due(self, now):
        return self.filter(status=MessageStatus.PLANNED, due_at__lte=now)

    def marketing(self):
        return self.exclude(purpose__in=TRANSACTIONAL_PURPOSES).exclude(kind__in=ASKED_FOR_KINDS)


class Message(models.Model):
    """The outbox: one row per message that will, did, or must not go out.

    A message is for a customer, or (the confirmation email of a public form) for a sign-up
    that belongs to no profile yet: exactly one of the two. The unique constraints make a
    second send for the same occasion occurrence, repair envelope or sign-up, on one channel,
    impossible whoever plans it and however often.
    """

    # No single-column indexes for the store, the customer and the rows a message is about:
    # an index starting with each serves its lookups (message_store_due,
    # message_customer_due, and for the others the partial "once per" constraints, which
    # hold only the rows that have one), and each index less is one write less for every
    # message the planner or a campaign adds (a campaign's 100,000 invitations wrote a
    # NULL into eight of them).
    store = models.ForeignKey("staff.Store", on_delete=models.PROTECT, related_name="messages",
                              db_index=False)
    customer = models.ForeignKey("crm.Customer", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="messages",
                                 db_index=False)
    # No index of its own: message_once_per_sign_up_channel starts with it.
    sign_up = models.ForeignKey("crm.SignUp", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="messages", db_index=False)
    channel = models.CharField(max_length=8, choices=MESSAGE_CHANNELS)
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    kind = models.CharField(max_length=20, choices=TemplateKind.choices)
    occasion = models.ForeignKey("crm.Occasion", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="messages",
                                 db_index=False)
    occurs_on = models.DateField(null=True, blank=True)
    envelope = models.ForeignKey("repairs.Envelope", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="messages",
                                 db_index=False)
    # An event campaign's invitation, reminder or cancellation notice. No index of its own:
    # message_once_per_campaign_kind_customer_channel starts with it.
    campaign = models.ForeignKey("events.Campaign", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="messages",
                                 db_index=False)
    appointment = models.ForeignKey("appointments.Appointment", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="messages",
                                    db_index=False)
    # A reply written in the thread: who wrote it, and the form's one-time key, so a double
    # tap on Send (or a resent form) puts one message in the outbox.
    written_by = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", db_index=False)
    reply_key = models.UUIDField(null=True, blank=True, unique=True)
    # A reply's own words as the associate wrote them (`body` is what went out, footer
    # included, rendered again from these on every try).
    # A database default: the planner's and the campaigns' raw INSERTs leave it out.
    words = models.TextField(blank=True, db_default="")
    # The voucher it delivers, or the drawing whose winner it tells (crm's issue 18).
    voucher = models.ForeignKey("crm.Voucher", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="messages", db_index=False)
    drawing = models.ForeignKey("crm.Drawing", null=True, blank=True, on_delete=models.CASCADE,
                                related_name="messages", db_index=False)
    # The purchase an aftercare message is about (followups.aftercare).
    purchase = models.ForeignKey("crm.Purchase", null=True, blank=True,
                                 on_delete=models.CASCADE, related_name="messages",
                                 db_index=False)
    status = models.CharField(max_length=12, choices=MessageStatus.choices,
                              default=MessageStatus.PLANNED)
    due_at = models.DateTimeField()
    # Set when the dispatcher hands the row to a worker, so a busy queue is not flooded.
    queued_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    to = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(blank=True)
    provider_id = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-due_at", "-id"]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(status="planned"),
                         name="message_planned_due"),
            models.Index(fields=["store", "-due_at"], name="message_store_due"),
            models.Index(fields=["customer", "-due_at"], name="message_customer_due"),
            models.Index(fields=["provider_id"], condition=~Q(provider_id=""),
                         name="message_provider_id"),
            models.Index(fields=["written_by"], condition=Q(written_by__isnull=False),
                         name="message_written_by"),
            # Who was reached lately (a campaign's contact window, the fatigue cap): the
            # recent rows of the outbox, not every customer's history.
            models.Index(fields=["sent_at"], condition=Q(status__in=["sent", "delivered"]),
                         name="message_reached_when"),
            models.Index(fields=["updated_at"],
                         condition=Q(status__in=["sending", "needs_look"]),
                         name="message_in_flight_when"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["occasion", "occurs_on", "channel"],
                condition=Q(occasion__isnull=False),
                name="message_once_per_occasion_occurrence_channel"),
            # Per kind: the ready notice, the two pickup reminders and a care check are each
            # sent once per envelope and channel.
            models.UniqueConstraint(
                fields=["envelope", "kind", "channel"], condition=Q(envelope__isnull=False),
                name="message_once_per_envelope_kind_channel"),
            models.UniqueConstraint(
                fields=["sign_up", "channel"], condition=Q(sign_up__isnull=False),
                name="message_once_per_sign_up_channel"),
            # One invitation (and one reminder, one cancellation notice) per customer and
            # channel, however often or by however many managers the campaign is started.
            models.UniqueConstraint(
                fields=["campaign", "kind", "customer", "channel"],
                condition=Q(campaign__isnull=False),
                name="message_once_per_campaign_kind_customer_channel"),
            models.UniqueConstraint(
                fields=["appointment", "kind", "channel"],
                condition=Q(appointment__isnull=False),
                name="message_once_per_appointment_kind_channel"),
            models.UniqueConstraint(
                fields=["voucher", "channel"], condition=Q(voucher__isnull=False),
                name="message_once_per_voucher_channel"),
            models.UniqueConstraint(
                fields=["drawing", "channel"], condition=Q(drawing__isnull=False),
                name="message_once_per_drawing_channel"),
            models.UniqueConstraint(
                fields=["purchase", "kind", "channel"], condition=Q(purchase__isnull=False),
                name="message_once_per_purchase_step_channel"),
            models.CheckConstraint(
                condition=(Q(customer__isnull=False, sign_up__isnull=True)
                           | Q(customer__isnull=True, sign_up__isnull=False)),
                name="message_for_customer_or_sign_up"),
            models.CheckConstraint(condition=Q(channel__in=["email", "sms"]),
                                   name="message_channel_email_or_sms"),
            models.CheckConstraint(
                condition=Q(occasion__isnull=True) | Q(occurs_on__isnull=False),
                name="message_occasion_has_date"),
            models.CheckConstraint(
                condition=~Q(status="suppressed") | ~Q(reason=""),
                name="message_suppressed_has_reason"),
            models.CheckConstraint(
                condition=~Q(status="needs_look") | ~Q(reason=""),
                name="message_needs_look_has_reason"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.get_channel_display()} to {self.to}"

    @property
    def is_sign_up_confirmation(self) -> bool:
        return self.kind == TemplateKind.SIGN_UP_CONFIRMATION

    @property
    def is_reply(self) -> bool:
        return self.kind == TemplateKind.REPLY

    @property
    def is_marketing(self) -> bool:
        """Marketing is held by consent, quiet hours and the fatigue cap; a repair notice or a
        sign-up's confirmation (asked for a moment ago) is transactional. A voucher or a
        prize the person asked for, an appointment's confirmation and reminder and an
        associate's reply still need their consent, but no fatigue cap holds them."""
        return self.purpose not in TRANSACTIONAL_PURPOSES and self.kind not in ASKED_FOR_KINDS

    @property
    def recipient_name(self) -> str:
        """Who it is for: the customer, or the name typed on a sign-up form."""
        person = self.customer if self.customer_id else self.sign_up
        return person.full_name if person else ""

    @property
    def touch(self) -> tuple:
        """What the customer experiences as one contact, for the fatigue cap: an occasion's
        occurrence (its email and its text together), a campaign's step (its invitation's
        email and text together), else the message itself. The audience preview counts the
        same way in SQL (events.audience)."""
        if self.occasion_id is not None:
            return ("occasion", self.occasion_id, self.occurs_on)
        if self.campaign_id is not None:
            return ("campaign", self.campaign_id, self.kind)
        return ("message", self.pk)


class CallOutcome(models.TextChoices):
    REACHED = "reached", "Called"
    VOICEMAIL = "voicemail", "Left voicemail"


# The reason on a call a manager asks for from the dashboard's lapsed list.
REACH_OUT = "Reach out: a valued client we have not seen for a while"


class TaskKind(models.TextChoices):
    CALL = "call", "Call"
    TEXT = "text", "Text"
    EMAIL = "email", "Email"
    VISIT = "visit", "Visit"
    THANK_YOU = "thank_you", "Thank-you note"
    REACH_OUT = "reach_out", "Reach out"
    # A customer's text is waiting for an answer (made by the inbound webhook, one per
    # customer while open; answering in the thread closes it).
    REPLY = "reply", "Reply waiting"


# What an associate may add by hand (a reply waiting is made by the customer's text).
HAND_MADE_TASK_KINDS = [(k.value, k.label) for k in TaskKind if k != TaskKind.REPLY]


class TaskQuerySet(models.QuerySet):
    def for_store(self, store):
        return self.filter(store=store)

    def open(self):
        return self.filter(done_at__isnull=True)

    def of(self, staff):
        """The staff member's tasks; a manager also carries the orphaned clients' (no
        assignee, or one who has left)."""
        return self.of_id(staff.pk, manager=staff.is_manager)

    def of_id(self, staff_id: int, *, manager: bool):
        """`of` by the staff member's id (a compiled read's argument)."""
        mine = Q(assignee=staff_id)
        if manager:
            mine |= Q(assignee__isnull=True) | Q(assignee__departed_on__isnull=False)
        return self.filter(mine)


class Task(models.Model):
    """An associate's work item for a customer: a call, a text, an email, a visit, a thank-you
    note, a reach-out, or a reply waiting.

    Once only calls (the planner's, from phone consent: `occasion` and `occurs_on` say which
    date it is about), hence the table's name. `assignee` is null for an orphaned client: the
    managers' list shows those until the client is reassigned, then the client's open tasks
    follow them (`tasks_follow_client`). Due on `due_on` (snoozing moves it); a voicemail
    keeps a call open for another try (`attempts` counts them).
    """

    store = models.ForeignKey("staff.Store", on_delete=models.PROTECT, related_name="tasks")
    customer = models.ForeignKey("crm.Customer", on_delete=models.CASCADE,
                                 related_name="tasks")
    kind = models.CharField(max_length=12, choices=TaskKind.choices, default=TaskKind.CALL)
    note = models.CharField(max_length=500, blank=True)
    # Null once the occasion is removed, or the call was closed because it moved: a call made
    # stays on record.
    occasion = models.ForeignKey("crm.Occasion", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="tasks")
    occurs_on = models.DateField(null=True, blank=True)
    assignee = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="tasks")
    due_on = models.DateField()
    snoozed_from = models.DateField("first due on", null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    outcome = models.CharField(max_length=200, blank=True)
    attempts = models.PositiveSmallIntegerField("tries", default=0)
    last_try_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    # Why the call was asked for when no occasion is behind it (a manager's "reach out" to a
    # lapsed client); blank for an occasion's call. The planner's INSERT leaves it to the
    # database default.
    reason = models.CharField(max_length=120, blank=True, default="", db_default="")
    # The purchase a thank-you call is about (one call per purchase, however often the
    # aftercare planner runs).
    purchase = models.ForeignKey("crm.Purchase", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="tasks")

    objects = TaskQuerySet.as_manager()

    class Meta:
        db_table = "followups_calltask"
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["store", "due_on"], condition=Q(done_at__isnull=True),
                                name="calltask_open_due"),
                   models.Index(fields=["customer"], condition=Q(done_at__isnull=True),
                                name="task_open_customer")]
        constraints = [
            models.UniqueConstraint(fields=["occasion", "occurs_on"],
                                    name="calltask_once_per_occasion_occurrence"),
            models.UniqueConstraint(fields=["purchase"], condition=Q(purchase__isnull=False),
                                    name="task_once_per_purchase"),
            # However often the customer texts (or the webhook is delivered), one item waits.
            models.UniqueConstraint(fields=["customer"],
                                    condition=Q(kind="reply", done_at__isnull=True),
                                    name="task_one_reply_waiting_per_customer"),
            models.CheckConstraint(condition=Q(occasion__isnull=True)
                                   | Q(occurs_on__isnull=False),
                                   name="task_occasion_has_date"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.customer_id}"

    @property
    def is_call(self) -> bool:
        return self.kind == TaskKind.CALL

    @property
    def is_reply(self) -> bool:
        return self.kind == TaskKind.REPLY


# The planner's calls were the first tasks; the old name still reads.
CallTask = Task


class Snippet(models.Model):
    """Words the store answers with often ("We are open until 6 today"), picked in a reply."""

    store = models.ForeignKey("staff.Store", on_delete=models.CASCADE, related_name="snippets")
    title = models.CharField(max_length=60)
    body = models.TextField(max_length=1600)

    class Meta:
        ordering = ["title"]
        constraints = [models.UniqueConstraint(fields=["store", "title"],
                                               name="snippet_title_once_per_store")]

    def __str__(self):
        return self.title


class ProviderEvent(models.Model):
    """A webhook event already applied: providers retry, the same event changes state once."""

    provider = models.CharField(max_length=20)
    event_id = models.CharField(max_length=200)
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="provider_event_once"),
        ]

    def __str__(self):
        return f"{self.provider} {self.event_id}"
