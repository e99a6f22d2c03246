import calendar
import datetime
from collections.abc import Collection

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, models
from django.db.models import BooleanField, F, Func, Q, Subquery, Value
from django.db.models.functions import Lower
from django.db.models.lookups import In
from phonenumber_field.modelfields import PhoneNumberField
from simple_history.models import HistoricalRecords

from core.labels import choice_label
from core.models import PhotoBase
from core.phones import phone_text
from crm import occasion_dates


class PreferenceQuerySet(models.QuerySet):
    def for_store(self, store):
        return self.filter(store=store)

    def offered(self):
        """The lines offered on the walk-in screen and as associates' strengths."""
        return self.filter(active=True)


class Preference(models.Model):
    """A line of merchandise a customer loves or an associate is strong in.

    Each store keeps its own list (its managers edit it); a customer's preferences and an
    associate's strengths come from their store's list.
    """

    store = models.ForeignKey("staff.Store", on_delete=models.CASCADE,
                              related_name="preferences")
    name = models.CharField(max_length=60)
    active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    objects = PreferenceQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        permissions = [("manage_preferences", "Can edit the merchandise preference list")]
        constraints = [
            models.UniqueConstraint(F("store"), Lower("name"),
                                    name="preference_name_unique_per_store"),
        ]

    def __str__(self):
        return self.name


class Source(models.TextChoices):
    WALK_IN = "walk_in", "Walk-in"
    WEBSITE = "website", "Website voucher"
    DRAWING = "drawing", "Monthly drawing"
    REPAIR = "repair", "Repair"
    IMPORT = "import", "Import"
    REFERRAL = "referral", "Referral"


class ContactPreference(models.TextChoices):
    """How they said they prefer to hear from us (blank: not said). Consent is still needed
    for each address; a preference only narrows what is planned."""

    EMAIL = "email", "Email"
    TEXT = "text", "Text"
    BOTH = "both", "Email and text"


class AnyOf(Func):
    """`value = ANY(array)`: PostgreSQL can look each element up in an index. Elsewhere
    (SQLite, `make run`) `value IN (subquery)` of the ArraySubquery's own query."""

    arg_joiner = " = ANY("
    template = "(%(expressions)s))"
    output_field = BooleanField()

    def as_sqlite(self, compiler, connection, **extra_context):
        value, array = self.get_source_expressions()
        return compiler.compile(In(value, Subquery(array.query)))


def among(field: str, ids: Collection[int]) -> Q | AnyOf:
    """`field IN ids` for thousands of ids: on PostgreSQL one array (`= ANY`), which the ORM
    passes as it is (preparing 10,000 ids one by one for `__in` took 40 ms of a reassignment);
    elsewhere (SQLite, `make run`) `__in`."""
    if connection.vendor != "postgresql":
        return Q(**{f"{field}__in": ids})
    return AnyOf(F(field), Value(list(ids)))


class CustomerQuerySet(models.QuerySet):
    def for_store(self, store):
        return self.filter(store=store)

    def orphaned(self):
        """No associate, or one who has left.

        The associates who have left are read once as an array (an InitPlan), so both halves
        are index lookups on (store, assigned_to): the orphan list and its count cost what
        the orphans cost, not what the store's customers cost (a join to the staff table
        read every customer of the store).
        """
        StaffMember = self.model._meta.get_field("assigned_to").related_model
        departed = StaffMember.objects.filter(departed_on__isnull=False).values("pk")
        return self.filter(Q(assigned_to__isnull=True) | AnyOf(F("assigned_to"),
                                                                ArraySubquery(departed)))


class Customer(models.Model):
    """A buyer or a prospect (a prospect until a purchase exists)."""

    # Every index on the customer leads with the store (Meta.indexes): no index of its own.
    store = models.ForeignKey("staff.Store", on_delete=models.PROTECT, related_name="customers",
                              db_index=False)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80, blank=True)
    # Stored lower-case (normalised at the edge), so equality is case-insensitive.
    email = models.EmailField(blank=True)
    # A second address kept when a repair take-in brings a new one but the first stays main.
    secondary_email = models.EmailField(blank=True)
    phone = PhoneNumberField(blank=True)
    address_line = models.CharField("address", max_length=200, blank=True)
    city = models.CharField(max_length=80, blank=True)
    region = models.CharField("state", max_length=80, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    partner_name = models.CharField("partner's name", max_length=120, blank=True)
    # The customer's number in the store's point of sale, kept for matching its exports.
    pos_id = models.CharField("POS customer id", max_length=64, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.WALK_IN)
    contact_preference = models.CharField(
        "prefers to hear from us by", max_length=8, choices=ContactPreference.choices,
        blank=True)
    assigned_to = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="clients")
    preferences = models.ManyToManyField(Preference, blank=True, related_name="customers")
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    last_visit_at = models.DateTimeField(null=True, blank=True)
    # Kept by the purchase services so lists can sort by value without a join per row.
    lifetime_value = models.DecimalField(max_digits=12, decimal_places=2, default=0)
    first_purchase_on = models.DateField(null=True, blank=True)
    last_purchase_on = models.DateField(null=True, blank=True)
    # Set when the customer asked to be forgotten (crm.services.privacy.customer_erase): the
    # row stays, without personal data, so purchases and the store's figures stay whole.
    erased_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "last_visit_at"])
    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        permissions = [
            ("log_walk_in", "Can log a walk-in"),
            ("merge_customer", "Can merge two customer profiles"),
            ("import_customer", "Can import customers"),
            ("export_customer", "Can export the customer list"),
            ("view_history", "Can see who changed which customer, occasion and consent"),
            ("view_contact", "Can find a customer at the counter and see their contact "
                             "details, repairs and repair-notice consent"),
            ("change_contact", "Can correct a customer's contact details and repair-notice "
                               "consent"),
            ("erase_customer", "Can export everything held about a customer and erase them"),
        ]
        indexes = [
            models.Index(fields=["store", "email"], name="customer_store_email"),
            models.Index(fields=["store", "secondary_email"], name="customer_store_email2"),
            models.Index(fields=["store", "phone"], name="customer_store_phone"),
            # An associate's book in the order of My clients: a page is the next 50 entries.
            models.Index(fields=["store", "assigned_to", "first_name", "last_name", "id"],
                         name="customer_store_book"),
            # The visited part of a book, latest first, with the addresses consent is checked
            # against: FOLLOW-UP and HERE read it without the customers' rows.
            models.Index(fields=["store", "assigned_to", "-last_visit_at", "id"],
                         include=["email", "secondary_email", "phone"],
                         condition=Q(last_visit_at__isnull=False),
                         name="customer_visited_book"),
            # The most valuable first: the dashboard's top 30 % and lapsed list, the orphans.
            # Who looks after them is in the index: the top 30 %'s orphans read no table.
            models.Index(fields=["store", "-lifetime_value", "id"], include=["assigned_to"],
                         name="customer_store_value"),
            # New customers per month (the dashboard's customer base).
            models.Index(fields=["store", "created_at"], name="customer_store_created"),
            # Seen or bought lately (an event campaign's "active within N days").
            models.Index(fields=["store", "last_visit_at"], name="customer_store_visited"),
            models.Index(fields=["store", "last_purchase_on"], name="customer_store_bought"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["store", "pos_id"], condition=~Q(pos_id=""),
                                    name="customer_pos_id_unique_per_store"),
            models.CheckConstraint(condition=Q(email=Lower("email")), name="customer_email_lower"),
            models.CheckConstraint(condition=Q(secondary_email=Lower("secondary_email")),
                                   name="customer_secondary_email_lower"),
            models.CheckConstraint(condition=Q(lifetime_value__gte=0),
                                   name="customer_lifetime_value_not_negative"),
            models.CheckConstraint(
                condition=Q(contact_preference__in=["", *ContactPreference.values]),
                name="customer_contact_preference_known"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_prospect(self) -> bool:
        return self.first_purchase_on is None

    @property
    def addresses(self) -> list[str]:
        """The emails (main first) and the number on the profile: where we may write, each
        with its own consent."""
        return [a for a in (self.email, self.secondary_email, phone_text(self.phone)) if a]


class ClientCount(models.Model):
    """How many of a store's customers each associate looks after (`associate_id` 0: nobody).

    Kept by statement triggers on crm_customer (migration 0020), whatever writes the rows (a
    service, an import, a bulk update, the sample data), so the orphan list and the associate
    pickers read one row per associate instead of counting the store's customers.
    """

    store = models.ForeignKey("staff.Store", on_delete=models.CASCADE, related_name="+")
    associate_id = models.BigIntegerField()
    clients = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "associate_id"],
                                               name="clientcount_one_per_associate")]

    def __str__(self):
        return f"{self.clients} clients of associate {self.associate_id or 'nobody'}"


class StoreBuyers(models.Model):
    """How many of a store's customers have bought (a lifetime value above zero) and their
    lifetime value together: the dashboard's top 30 % is a share of these.

    Kept by statement triggers on crm_customer (migration 0031), as `ClientCount`, whatever
    writes the rows, so the dashboard reads one row instead of summing every buyer (a quarter
    of a million at the flagship). SQLite (`make run`) has no triggers and leaves it empty;
    insights counts there.
    """

    store = models.OneToOneField("staff.Store", on_delete=models.CASCADE, related_name="+")
    buyers = models.BigIntegerField(default=0)
    sales = models.DecimalField(max_digits=16, decimal_places=2, default=0)

    def __str__(self):
        return f"{self.buyers} buyers, {self.sales} in all"


class CustomerName(models.Model):
    """A name (first name or surname) that some of a store's customers bear, and how many.

    Kept by statement triggers on crm_customer (migration 0025) whatever writes the rows, and
    gone when nobody bears it any more (an erased customer's name goes with them): the name
    search's fuzzy stage (crm.search) compares what was typed with the store's few thousand
    names, not with its million customers. SQLite (`make run`) has no triggers nor trigrams and
    leaves it empty.
    """

    store = models.ForeignKey("staff.Store", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    customers = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "name"],
                                               name="customername_once_per_store")]

    def __str__(self):
        return f"{self.name} ({self.customers})"


class AssignmentReason(models.TextChoices):
    WALK_IN = "walk_in", "Walk-in"
    REASSIGNMENT = "reassignment", "Reassigned by a manager"
    IMPORT = "import", "Import"
    DEPARTURE = "departure", "Departure policy"
    MERGE = "merge", "Profiles merged"


class Assignment(models.Model):
    """Who looked after a customer, from when to when, set by whom and why.

    The open row (ended_at is null) matches `Customer.assigned_to`; at most one per customer.
    Written only by `crm.services.assignment`. The table keeps the name it had in staff.
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="assignments")
    associate = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="assignments")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    set_by = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=16, choices=AssignmentReason.choices)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table = "staff_assignment"
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["customer"], condition=Q(ended_at__isnull=True),
                                    name="assignment_one_open_per_customer"),
        ]

    def __str__(self):
        return f"{self.customer_id} → {self.associate_id} ({self.reason})"


class OccasionKind(models.TextChoices):
    BIRTHDAY = "birthday", "Birthday"
    ANNIVERSARY = "anniversary", "Anniversary"
    PARTNER_BIRTHDAY = "partner_birthday", "Partner's birthday"
    OTHER = "other", "Other"


class Occasion(models.Model):
    """A yearly date worth a reminder. The year is optional; Feb 29 falls on Feb 28 otherwise."""

    # No index of its own: the one-per-date constraint's index starts with the customer, and
    # a handover rewrites every occasion of the clients it moves (crm 0033), each index included.
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="occasions",
                                 db_index=False)
    kind = models.CharField(max_length=20, choices=OccasionKind.choices)
    label = models.CharField(max_length=80, blank=True, help_text="For 'other': what it is.")
    month = models.PositiveSmallIntegerField()
    day = models.PositiveSmallIntegerField()
    year = models.PositiveSmallIntegerField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["month", "day"]
        indexes = [models.Index(fields=["month", "day"], name="occasion_month_day")]
        constraints = [
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12),
                                   name="occasion_month_range"),
            models.CheckConstraint(condition=Q(day__gte=1, day__lte=31), name="occasion_day_range"),
            models.CheckConstraint(
                condition=~Q(month__in=[4, 6, 9, 11], day=31) & ~Q(month=2, day__gt=29),
                name="occasion_day_exists",
            ),
            # One birthday on Dec 10 is one reminder: a second row for the same date would be
            # planned, and sent, twice.
            models.UniqueConstraint(fields=["customer", "kind", "month", "day"],
                                    name="occasion_once_per_customer_kind_date"),
        ]

    def __str__(self):
        return f"{self.title} {calendar.month_abbr[self.month]} {self.day}"

    @property
    def title(self) -> str:
        if self.kind == OccasionKind.OTHER and self.label:
            return self.label
        return choice_label(self, "kind")

    def on_year(self, year: int) -> datetime.date:
        """The date it falls on in `year` (the rule: crm.occasion_dates)."""
        return occasion_dates.on_year(self.month, self.day, year)

    def next_date(self, today: datetime.date) -> datetime.date:
        """The next time this occasion falls on or after `today`."""
        return occasion_dates.next_date(self.month, self.day, today)


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text"
    PHONE = "phone", "Phone call"


def address_channels(address: str) -> list[str]:
    """The channels an address serves: an email is emailed, a number texted or called."""
    return [Channel.EMAIL] if "@" in address else [Channel.SMS, Channel.PHONE]


class Purpose(models.TextChoices):
    OCCASION_REMINDERS = "occasions", "Occasion reminders"
    EVENTS = "events", "Events and news"
    # Transactional: a repair's notices and the confirmation and reminder of an appointment
    # the customer booked (both are about something they arranged with the store).
    REPAIR_NOTICES = "repairs", "Repair and appointment notices"


class ConsentMethod(models.TextChoices):
    TABLET = "tablet", "On the floor tablet"
    ENVELOPE = "envelope", "On a repair envelope"
    WEB_FORM = "web_form", "Website form (confirmed)"
    STAFF = "staff", "Recorded by staff"
    IMPORT = "import", "Imported"
    STOP = "stop", "Texted STOP"
    START = "start", "Texted START"
    UNSUBSCRIBE = "unsubscribe", "Unsubscribe link"
    BOUNCE = "bounce", "Address bounced"
    COMPLAINT = "complaint", "Spam complaint"
    PROVIDER = "provider", "Provider reported unreachable"
    # The anonymous revocation an erasure leaves for each address (crm.services.privacy).
    ERASURE = "erasure", "Erased on request"


class ConsentQuerySet(models.QuerySet):
    def current_row(self, *, customer, channel: str, address: str, purpose: str):
        """The ledger's latest row for this customer, address, channel and purpose (None:
        never asked at this address). `address` is already normalised (see consent_address)."""
        return (self.filter(customer=customer, channel=channel, address=address,
                            purpose=purpose)
                .order_by("-created_at", "-id").first())


class Consent(models.Model):
    """Append-only ledger: the current state per (customer, address, channel, purpose) is the
    latest row.

    Consent belongs to the address it was given for: the exact email (lower-case) or number
    (E.164) the customer gave; the channel says how that address is used (a number may be
    texted, called, or both). A new email or number on the profile starts with no consent.
    Rows are never updated or deleted (kept at least four years, as texting consent requires).
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="consents")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(
        max_length=254, help_text="The email (lower-case) or number (E.164) it was given for.")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    granted = models.BooleanField()
    method = models.CharField(max_length=16, choices=ConsentMethod.choices)
    words = models.TextField(blank=True, help_text="The exact words the customer was shown.")
    occasion = models.ForeignKey(Occasion, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="consents", help_text="What they asked about.")
    recorded_by = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(db_index=True)

    history = HistoricalRecords()
    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "address", "channel", "purpose", "-created_at",
                                 "-id"], name="consent_latest"),
            # The events ledger alone, words included: an event campaign's audience reads it
            # in one pass (index only) instead of the whole ledger.
            models.Index(fields=["customer", "channel", "address", "-created_at", "-id"],
                         include=["granted", "method"], condition=Q(purpose="events"),
                         name="consent_events_latest"),
            # Bounces alone (a few rows among millions): "did the take-in's email bounce
            # since" is answered from this index for each envelope of a period.
            models.Index(fields=["customer", "address", "created_at"],
                         condition=Q(method=ConsentMethod.BOUNCE, granted=False,
                                   channel=Channel.EMAIL),
                         name="consent_bounces"),
        ]
        constraints = [
            # Rows from before addresses were recorded that no address on file could fill
            # stay as they were (the constraint is NOT VALID for them on PostgreSQL, see
            # migration 0008); they cover no address.
            models.CheckConstraint(
                condition=(Q(channel=Channel.EMAIL, address__contains="@")
                           | Q(channel__in=[Channel.SMS, Channel.PHONE],
                               address__startswith="+")),
                name="consent_address_fits_channel"),
            models.CheckConstraint(condition=Q(address=Lower("address")),
                                   name="consent_address_lower"),
        ]

    def __str__(self):
        verb = "granted" if self.granted else "revoked"
        return (f"{self.get_channel_display()} {self.address}: {self.get_purpose_display()} "
                f"{verb}")


class InteractionKind(models.TextChoices):
    VISIT = "visit", "Visit"
    CALL = "call", "Call"
    NOTE = "note", "Note"
    PURCHASE = "purchase", "Purchase"
    REPAIR = "repair", "Repair"
    MESSAGE = "message", "Message sent"
    REPLY = "reply", "Reply"
    CHANGE = "change", "Profile change"


class Interaction(models.Model):
    """One entry on the customer's timeline."""

    # No index of its own: `interaction_timeline` starts with the customer (a bulk handover
    # adds one entry per client).
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="interactions",
                                 db_index=False)
    kind = models.CharField(max_length=16, choices=InteractionKind.choices)
    summary = models.TextField()
    staff = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="interaction_timeline"),
            # Voicemails in a period (the dashboard's, per associate): the voicemail service
            # writes each try under this label (`followups.models.CallOutcome.VOICEMAIL`).
            models.Index(fields=["occurred_at"],
                         condition=Q(kind="call", summary__startswith="Left voicemail"),
                         name="interaction_voicemails_when"),
            # Today's replies (the calls panel on My clients), and the replies since the last
            # roll-up refresh (`insights.services`): a few rows among millions of visits,
            # calls and notes.
            models.Index(fields=["occurred_at"], condition=Q(kind="reply"),
                         name="interaction_replies_when"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.summary[:40]}"


class Purchase(models.Model):
    """A sale: typed on the customer's page or imported from the POS by its receipt number.

    The customer's lifetime value and first and last purchase dates are kept from these rows
    by the purchase services (`crm.services.purchases`), never typed.
    """

    # No index of their own for the store, the customer and the associate: each is the first
    # column of an index below, which serves the same look-ups, and an index less is a write
    # less for each of the tens of thousands of receipts a POS file brings.
    store = models.ForeignKey("staff.Store", on_delete=models.PROTECT, related_name="purchases",
                              db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="purchases",
                                 db_index=False)
    purchased_on = models.DateField()
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    description = models.CharField(max_length=200, blank=True)
    # Who gets the credit for the sale.
    associate = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+", db_index=False)
    # The POS receipt number: one purchase per receipt and store, so a re-import is a no-op.
    pos_reference = models.CharField("receipt number", max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-purchased_on", "-id"]
        indexes = [models.Index(fields=["customer", "-purchased_on"], name="purchase_customer"),
                   # Sales in a period (the dashboard's per-associate table, the funnel).
                   models.Index(fields=["purchased_on"], name="purchase_on"),
                   # A store's sales in a period per associate, read from the index alone
                   # (the dashboard's per-associate table at the 1M size).
                   models.Index(fields=["store", "purchased_on"],
                                include=["associate", "amount"], name="purchase_store_on"),
                   # One associate's sales this year (the goals panel on My clients), read
                   # from the index alone instead of their purchases' rows.
                   models.Index(fields=["associate", "purchased_on"],
                                include=["store", "amount"], name="purchase_associate_on")]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="purchase_amount_not_negative"),
            models.UniqueConstraint(fields=["store", "pos_reference"],
                                    condition=~Q(pos_reference=""),
                                    name="purchase_receipt_once_per_store"),
        ]

    def __str__(self):
        return f"{self.purchased_on} {self.amount} {self.description}"


class PurchaseLine(models.Model):
    """One line item of a POS receipt."""

    # Looked up by the first column of purchase_line_position_once: no index of its own.
    purchase = models.ForeignKey(Purchase, on_delete=models.CASCADE, related_name="lines",
                                 db_index=False)
    position = models.PositiveSmallIntegerField()
    category = models.CharField(max_length=60, blank=True)
    metal = models.CharField(max_length=60, blank=True)
    stones = models.CharField(max_length=200, blank=True)
    description = models.CharField(max_length=200, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["purchase", "position"]
        constraints = [
            models.UniqueConstraint(fields=["purchase", "position"],
                                    name="purchase_line_position_once"),
        ]

    def __str__(self):
        return self.description or self.category


class ImportKind(models.TextChoices):
    CUSTOMERS = "customers", "Customers"
    PURCHASES = "purchases", "Purchases"


class ImportStatus(models.TextChoices):
    PREVIEWED = "previewed", "Previewed, not started"
    QUEUED = "queued", "Waiting for a worker"
    RUNNING = "running", "Importing"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


# A running import writes its heartbeat after every chunk; one silent this long has lost its
# worker (killed, restarted) and may be resumed.
IMPORT_STALLED_AFTER = datetime.timedelta(minutes=3)


class ImportQuerySet(models.QuerySet):
    def for_store(self, store):
        return self.filter(store=store)


class Import(models.Model):
    """One POS file (customers or purchases) imported by a worker, chunk by chunk.

    `rows_done` is the cursor: each chunk commits its rows together with the counts and the
    new cursor, so a worker killed mid-file leaves an import that resumes where it stopped
    (and re-running a chunk is harmless: customers match, receipts are unique).
    """

    store = models.ForeignKey("staff.Store", on_delete=models.PROTECT, related_name="imports")
    kind = models.CharField(max_length=16, choices=ImportKind.choices)
    file = models.FileField(upload_to="imports/%Y/%m/")
    file_name = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=ImportStatus.choices,
                              default=ImportStatus.PREVIEWED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True, help_text="Why the whole import stopped.")
    # Counts the workers that claimed it; a chunk commits only for the current claim, so a
    # slow worker that was presumed dead cannot write beside the one that resumed it.
    attempt = models.PositiveSmallIntegerField(default=0)
    by = models.ForeignKey("staff.StaffMember", null=True, blank=True, on_delete=models.PROTECT,
                           related_name="+")
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    # The last sign of life: queued, claimed by a worker, or a batch committed.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["store", "-created_at"], name="import_store_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(rows_done__lte=F("rows_total")),
                                   name="import_done_within_total"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} import {self.file_name}"

    def is_stalled(self, now) -> bool:
        """Running with no batch committed for a while (its worker is gone), or queued and
        never picked up (the broker was down when it was queued): Resume queues it again,
        which is harmless if a worker was only slow (it must claim the import first)."""
        if self.status == ImportStatus.RUNNING:
            return self.heartbeat_at is not None and now - self.heartbeat_at > IMPORT_STALLED_AFTER
        if self.status == ImportStatus.QUEUED:
            return now - (self.heartbeat_at or self.created_at) > IMPORT_STALLED_AFTER
        return False

    @property
    def is_working(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)

    @property
    def percent(self) -> int:
        return 100 if not self.rows_total else int(100 * self.rows_done / self.rows_total)


class ImportProblem(models.Model):
    """A row the import refused, with its line in the file and why."""

    run = models.ForeignKey(Import, on_delete=models.CASCADE, related_name="problems")
    line = models.PositiveIntegerField()
    name = models.CharField(max_length=200, blank=True)
    message = models.TextField()

    class Meta:
        ordering = ["line", "id"]
        constraints = [
            # A resumed chunk reports its refused rows again: once per line and message.
            models.UniqueConstraint(fields=["run", "line", "message"],
                                    name="import_problem_once_per_line"),
        ]

    def __str__(self):
        return f"line {self.line}: {self.message}"


class WishItem(models.Model):
    """A piece they looked at and loved; follow-ups can mention it."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="wish_items")
    description = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    notes = models.CharField(max_length=200, blank=True)
    added_by = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.description


class PiecePhotoQuerySet(models.QuerySet):
    def for_store(self, store):
        return self.filter(store=store)


class PiecePhoto(PhotoBase):
    """A photo of a piece they loved (wish list) or bought (purchase)."""

    store = models.ForeignKey("staff.Store", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="photos")
    wish_item = models.ForeignKey(WishItem, null=True, blank=True, on_delete=models.CASCADE,
                                  related_name="photos")
    purchase = models.ForeignKey(Purchase, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="photos")

    objects = PiecePhotoQuerySet.as_manager()

    class Meta(PhotoBase.Meta):
        constraints = [
            models.CheckConstraint(
                condition=(Q(wish_item__isnull=False, purchase__isnull=True)
                           | Q(wish_item__isnull=True, purchase__isnull=False)),
                name="piece_photo_of_one_piece"),
        ]


class WalkIn(models.Model):
    """One walk-in logged on the floor tablet, keyed by the form's one-time key.

    The unique key is what makes a double tap or a resubmit after a network error log one
    walk-in: the second post finds this row and returns its customer.
    """

    key = models.UUIDField(unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="walk_ins")
    logged_by = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    bought = models.BooleanField(default=False)
    why_not = models.CharField("why they did not buy", max_length=200, blank=True)
    looked_at = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        # Walk-ins in a period per associate (the dashboard's per-associate table), read
        # from the index alone: their customer is looked up once, for the consent figure.
        indexes = [models.Index(fields=["created_at"], include=["customer", "logged_by"],
                                name="walkin_created_who")]

    def __str__(self):
        return f"Walk-in {self.created_at:%Y-%m-%d} {self.customer_id}"


class SignUpOutcome(models.TextChoices):
    """What confirming a sign-up did (blank until it is confirmed)."""

    PROFILE = "profile", "Filled in the profile with this email"
    SECOND_EMAIL = "second_email", "Second email of the profile with this phone and name"
    NOTED = "noted", "Noted for staff on the profile with this phone and name"
    NEW_PROSPECT = "new_prospect", "New prospect"


class SignUp(models.Model):
    """One entry of a public form (website voucher, monthly drawing), held apart from every
    profile until the person confirms the email address.

    Whoever fills in the form may type anyone's email or phone: nothing here touches a
    profile, and no consent exists, before the link in the confirmation email is confirmed
    (crm.services.sign_up_confirm applies it then, once).
    """

    store = models.ForeignKey("staff.Store", on_delete=models.PROTECT, related_name="sign_ups")
    source = models.CharField(max_length=16, choices=Source.choices)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80, blank=True)
    # Lower-case, as on Customer; the address the confirmation email goes to.
    email = models.EmailField()
    phone = PhoneNumberField(blank=True)
    occasion_kind = models.CharField(max_length=20, choices=OccasionKind.choices, blank=True)
    occasion_month = models.PositiveSmallIntegerField(null=True, blank=True)
    occasion_day = models.PositiveSmallIntegerField(null=True, blank=True)
    occasion_year = models.PositiveSmallIntegerField(null=True, blank=True)
    occasion_label = models.CharField(max_length=80, blank=True)
    words = models.TextField(help_text="The consent words shown on the form.")
    # A keyed hash of the client's IP address (never the address itself): the rate limit
    # counts this store's recent rows with the same hash, so it needs no cache.
    ip_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    customer = models.ForeignKey(Customer, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="sign_ups",
                                 help_text="The profile it was applied to.")
    outcome = models.CharField(max_length=16, choices=SignUpOutcome.choices, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["ip_hash", "created_at"], name="signup_ip_recent")]
        constraints = [
            models.CheckConstraint(condition=Q(source__in=[Source.WEBSITE, Source.DRAWING]),
                                   name="signup_source_public_form"),
            models.CheckConstraint(condition=~Q(email="") & Q(email=Lower("email")),
                                   name="signup_email_lower"),
            models.CheckConstraint(
                condition=(Q(occasion_kind="", occasion_month__isnull=True,
                             occasion_day__isnull=True, occasion_year__isnull=True)
                           | (~Q(occasion_kind="") & Q(occasion_month__gte=1,
                                                      occasion_month__lte=12,
                                                      occasion_day__gte=1,
                                                      occasion_day__lte=31))),
                name="signup_occasion_complete"),
            models.CheckConstraint(
                condition=(Q(confirmed_at__isnull=True, outcome="")
                           | (Q(confirmed_at__isnull=False) & ~Q(outcome=""))),
                name="signup_outcome_when_confirmed"),
        ]

    def __str__(self):
        return f"Sign-up {self.email} ({self.get_source_display()})"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def occasion(self) -> dict | None:
        """The occasion it named, as `occasion_add` takes it (None: none named)."""
        if not self.occasion_kind:
            return None
        return {"kind": self.occasion_kind, "month": self.occasion_month,
                "day": self.occasion_day, "year": self.occasion_year,
                "label": self.occasion_label}


# The website voucher and the monthly drawing (issue 18): what a public sign-up earns once
# its address is confirmed. Both are written only by crm.services.promotions.

class VoucherKind(models.TextChoices):
    AMOUNT = "amount", "Amount off"
    PERCENT = "percent", "Percent off"


class VoucherProgram(models.Model):
    """The store's website offer: what a confirmed website sign-up receives. At most one is
    active per store; a new one replaces it, and vouchers already issued keep their program."""

    store = models.ForeignKey("staff.Store", on_delete=models.CASCADE,
                              related_name="voucher_programs")
    kind = models.CharField(max_length=8, choices=VoucherKind.choices)
    value = models.DecimalField(max_digits=10, decimal_places=2)
    minimum_purchase = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    valid_days = models.PositiveSmallIntegerField(default=90)
    terms = models.TextField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [("manage_promotions",
                        "Can set the website voucher, run the monthly drawing and see their "
                        "results"),
                       ("redeem_voucher", "Can look up and redeem a voucher at the counter")]
        constraints = [
            models.UniqueConstraint(fields=["store"], condition=Q(active=True),
                                    name="voucher_program_one_active_per_store"),
            models.CheckConstraint(condition=Q(value__gt=0), name="voucher_program_value_positive"),
            models.CheckConstraint(condition=~Q(kind="percent") | Q(value__lte=100),
                                   name="voucher_program_percent_at_most_100"),
            models.CheckConstraint(condition=Q(minimum_purchase__gte=0),
                                   name="voucher_program_minimum_not_negative"),
            models.CheckConstraint(condition=Q(valid_days__gte=1),
                                   name="voucher_program_valid_at_least_a_day"),
        ]

    def __str__(self):
        return self.offer

    @property
    def offer(self) -> str:
        """The offer in one line: "$25 off a purchase of $200 or more"."""
        off = (f"{self.value.normalize():f}% off" if self.kind == VoucherKind.PERCENT
               else f"${self.value:,.2f} off".replace(".00 ", " "))
        if self.minimum_purchase:
            return f"{off} a purchase of ${self.minimum_purchase:,.2f} or more".replace(
                ".00 ", " ")
        return f"{off} your next purchase"

    def discount_on(self, total):
        """What the voucher takes off a purchase of `total` (never more than the total)."""
        from decimal import ROUND_HALF_UP, Decimal

        if self.kind == VoucherKind.PERCENT:
            off = (total * self.value / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        else:
            off = self.value
        return min(off, total)


class VoucherQuerySet(models.QuerySet):
    def for_store(self, store):
        return self.filter(store=store)


class Voucher(models.Model):
    """One person's voucher: a short code (and its QR code) good for one purchase.

    Issued once per person and program when a website sign-up is confirmed; redeemed once,
    against a purchase recorded at the counter (the conditional update in
    `voucher_redeem` and the constraints below keep it so under two redemptions at once).
    """

    store = models.ForeignKey("staff.Store", on_delete=models.PROTECT, related_name="vouchers")
    program = models.ForeignKey(VoucherProgram, on_delete=models.PROTECT,
                                related_name="vouchers")
    # Unambiguous capitals and digits from `secrets` (crm.services.promotions.new_code).
    code = models.CharField(max_length=16, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="vouchers")
    sign_up = models.OneToOneField(SignUp, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="voucher")
    # The confirmed address it was issued to (and emailed to).
    email = models.EmailField()
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    redeemed_at = models.DateTimeField(null=True, blank=True)
    redeemed_by = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    purchase = models.OneToOneField(Purchase, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="voucher")
    discount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)

    objects = VoucherQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        indexes = [models.Index(fields=["store", "issued_at"], name="voucher_store_issued")]
        constraints = [
            models.UniqueConstraint(fields=["program", "customer"],
                                    name="voucher_once_per_person_and_program"),
            models.CheckConstraint(condition=Q(expires_at__gt=F("issued_at")),
                                   name="voucher_expires_after_issue"),
            models.CheckConstraint(
                condition=(Q(redeemed_at__isnull=True, purchase__isnull=True,
                             discount__isnull=True)
                           | Q(redeemed_at__isnull=False, purchase__isnull=False,
                               discount__isnull=False)),
                name="voucher_redeemed_with_purchase"),
        ]

    def __str__(self):
        return f"Voucher {self.shown_code}"

    @property
    def shown_code(self) -> str:
        """The code as printed: two groups of four, easy to read out."""
        return f"{self.code[:4]}-{self.code[4:]}" if len(self.code) == 8 else self.code

    @property
    def valid_through(self) -> datetime.date:
        """The last day it is good, in the store's calendar (it expires as that day ends)."""
        from django.utils import timezone

        return (timezone.localtime(self.expires_at, self.store.tz)
                - datetime.timedelta(days=1)).date()

    def state(self, now) -> str:
        """"redeemed", "expired" or "valid" at `now`."""
        if self.redeemed_at is not None:
            return "redeemed"
        if self.expires_at <= now:
            return "expired"
        return "valid"


class DrawingQuerySet(models.QuerySet):
    def for_store(self, store):
        return self.filter(store=store)

    def open_at(self, now):
        """Taking entries: opened, not closed, not drawn."""
        return self.filter(opens_at__lte=now, closes_at__gt=now, drawn_at__isnull=True)


class Drawing(models.Model):
    """The store's monthly drawing: a prize, official rules, no purchase necessary.

    Entries come from the public drawing form once the entrant confirms their address
    (one per person); after it closes a manager draws the winner, once.
    """

    store = models.ForeignKey("staff.Store", on_delete=models.PROTECT, related_name="drawings")
    # The first day of the drawing's month.
    month = models.DateField()
    prize = models.CharField(max_length=200)
    rules = models.TextField(help_text="The official rules, shown on the public rules page.")
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    drawn_at = models.DateTimeField(null=True, blank=True)
    drawn_by = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    winner = models.OneToOneField("DrawingEntry", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="won")
    # How many valid entries the winner was drawn from (also in the audit log).
    entry_count = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    objects = DrawingQuerySet.as_manager()

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["store", "month"],
                                    name="drawing_once_per_store_and_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="drawing_month_first_day"),
            models.CheckConstraint(condition=Q(closes_at__gt=F("opens_at")),
                                   name="drawing_closes_after_opening"),
            models.CheckConstraint(
                condition=(Q(drawn_at__isnull=True, winner__isnull=True,
                             entry_count__isnull=True)
                           | Q(drawn_at__isnull=False, winner__isnull=False,
                               entry_count__gte=1)),
                name="drawing_drawn_with_winner"),
        ]

    def __str__(self):
        return f"{self.month:%B %Y} drawing: {self.prize}"

    def is_open(self, now) -> bool:
        return self.drawn_at is None and self.opens_at <= now < self.closes_at

    def is_closed(self, now) -> bool:
        return self.closes_at <= now


class DrawingEntry(models.Model):
    """One person's entry in one drawing, recorded when their drawing sign-up is confirmed.

    One per person: per confirmed address and per profile (a second entry is acknowledged on
    the confirmed page, and counted nowhere).
    """

    drawing = models.ForeignKey(Drawing, on_delete=models.PROTECT, related_name="entries")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT,
                                 related_name="drawing_entries")
    sign_up = models.OneToOneField(SignUp, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="drawing_entry")
    # The confirmed address (lower-case), as the person entered.
    email = models.EmailField()
    name = models.CharField(max_length=161)
    phone = PhoneNumberField(blank=True)
    entered_at = models.DateTimeField()

    class Meta:
        ordering = ["entered_at", "id"]
        verbose_name_plural = "drawing entries"
        constraints = [
            models.UniqueConstraint(fields=["drawing", "email"],
                                    name="drawing_entry_once_per_address"),
            models.UniqueConstraint(fields=["drawing", "customer"],
                                    name="drawing_entry_once_per_person"),
            models.CheckConstraint(condition=~Q(email="") & Q(email=Lower("email")),
                                   name="drawing_entry_email_lower"),
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"
