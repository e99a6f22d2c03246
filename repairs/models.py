from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from phonenumber_field.modelfields import PhoneNumberField

from core.models import PhotoBase


class Status(models.TextChoices):
    RECEIVED = "received", "Received"
    AT_BENCH = "at_bench", "At the bench"
    WAITING_FOR_PARTS = "waiting_parts", "Waiting for parts"
    READY = "ready", "Ready for pickup"
    PICKED_UP = "picked_up", "Picked up"
    CANCELLED = "cancelled", "Cancelled"


# The moves a repair can make; anything else is an illegal jump. Picked up and cancelled are
# final: a returned piece that comes back is a new envelope.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.RECEIVED: (Status.AT_BENCH, Status.WAITING_FOR_PARTS, Status.READY, Status.CANCELLED),
    Status.AT_BENCH: (Status.WAITING_FOR_PARTS, Status.READY, Status.CANCELLED),
    Status.WAITING_FOR_PARTS: (Status.AT_BENCH, Status.READY, Status.CANCELLED),
    Status.READY: (Status.PICKED_UP, Status.AT_BENCH),
    Status.PICKED_UP: (),
    Status.CANCELLED: (),
}
OPEN_STATUSES = (Status.RECEIVED, Status.AT_BENCH, Status.WAITING_FOR_PARTS, Status.READY)


class ItemType(models.TextChoices):
    RING = "ring", "Ring"
    NECKLACE = "necklace", "Necklace or chain"
    PENDANT = "pendant", "Pendant"
    BRACELET = "bracelet", "Bracelet"
    EARRINGS = "earrings", "Earrings"
    WATCH = "watch", "Watch"
    BROOCH = "brooch", "Brooch"
    OTHER = "other", "Other"


class EnvelopeQuerySet(models.QuerySet):
    def for_store(self, store):
        return self.filter(store=store)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)


class Envelope(models.Model):
    """A repair take-in envelope: the piece, what is wrong with it, the work and the promise."""

    store = models.ForeignKey("staff.Store", on_delete=models.PROTECT, related_name="envelopes")
    customer = models.ForeignKey("crm.Customer", on_delete=models.PROTECT,
                                 related_name="envelopes")
    # Human envelope number from the store's gap-free sequence (EnvelopeCounter).
    number = models.PositiveIntegerField()
    # Set by the take-in screen: the same key twice (a double tap) is the same envelope.
    take_in_key = models.UUIDField(null=True, blank=True)
    # Required on every take-in; stored lower-case like the customer's.
    email = models.EmailField()
    phone = PhoneNumberField(blank=True)
    item_type = models.CharField(max_length=16, choices=ItemType.choices, default=ItemType.RING)
    item_description = models.CharField(max_length=200)
    metal = models.CharField(max_length=60, blank=True)
    stones = models.CharField(max_length=200, blank=True)
    condition = models.TextField("condition at take-in", blank=True,
                                 help_text="Existing damage, missing stones, wear.")
    work_requested = models.TextField()
    estimate = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    deposit = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    promised_on = models.DateField()
    taken_in_by = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT,
                                    related_name="envelopes_taken_in")
    taken_in_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    ready_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = EnvelopeQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        permissions = [("view_capture_report", "Can see the repair email capture report")]
        indexes = [
            models.Index(fields=["store", "status", "promised_on"], name="envelope_store_status"),
            # The dashboard's take-ins per staff member and whether their email still
            # works, read from the index alone (the bounce check needs the address).
            models.Index(fields=["store", "taken_in_at"],
                         include=["taken_in_by", "customer", "email"],
                         name="envelope_store_taken_in"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["store", "number"], name="envelope_number_per_store"),
            models.UniqueConstraint(fields=["store", "take_in_key"],
                                    name="envelope_take_in_key_per_store"),
            models.CheckConstraint(condition=Q(number__gte=1), name="envelope_number_positive"),
            models.CheckConstraint(condition=~Q(email=""), name="envelope_email_required"),
            models.CheckConstraint(condition=Q(email=Lower("email")), name="envelope_email_lower"),
            models.CheckConstraint(condition=Q(estimate__gte=0) | Q(estimate__isnull=True),
                                   name="envelope_estimate_not_negative"),
            models.CheckConstraint(condition=Q(deposit__gte=0),
                                   name="envelope_deposit_not_negative"),
            models.CheckConstraint(condition=Q(status__in=Status.values),
                                   name="envelope_status_known"),
        ]

    def __str__(self):
        return f"Envelope #{self.number}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def balance_due(self):
        if self.estimate is None:
            return None
        return max(self.estimate - self.deposit, 0)

    def next_statuses(self) -> tuple[str, ...]:
        return TRANSITIONS[self.status]

    def can_move_to(self, status: str) -> bool:
        return status in TRANSITIONS[self.status]

    def is_overdue(self, today) -> bool:
        return self.status in OPEN_STATUSES and self.status != Status.READY \
            and self.promised_on < today


class EnvelopeCounter(models.Model):
    """The store's last envelope number. Take-in locks this row, so numbers are gap-free:
    a take-in that rolls back rolls its number back with it."""

    store = models.OneToOneField("staff.Store", on_delete=models.CASCADE, primary_key=True,
                                 related_name="envelope_counter")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.store_id}: {self.last_number}"


class StatusChange(models.Model):
    """One step in an envelope's life: who moved it, when, from what to what, and why."""

    envelope = models.ForeignKey(Envelope, on_delete=models.CASCADE,
                                 related_name="status_changes")
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    changed_by = models.ForeignKey("staff.StaffMember", null=True, on_delete=models.PROTECT,
                                   related_name="+")
    changed_at = models.DateTimeField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [models.Index(fields=["envelope", "changed_at"], name="statuschange_envelope")]

    def __str__(self):
        return f"{self.from_status or '-'} → {self.to_status}"


class EnvelopePhoto(PhotoBase):
    """The piece as it came in: existing damage, missing stones, wear (shown on the envelope
    page and the printed ticket)."""

    store = models.ForeignKey("staff.Store", on_delete=models.PROTECT, related_name="+")
    envelope = models.ForeignKey(Envelope, on_delete=models.CASCADE, related_name="photos")

    class Meta(PhotoBase.Meta):
        pass
