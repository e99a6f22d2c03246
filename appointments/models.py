"""Appointments: a customer's visit booked with an associate, and the store's booking hours.

No associate is ever booked twice at once: the service checks under a lock on the associate
(a clear message), and on PostgreSQL an exclusion constraint over the time range
(`appointment_no_double_booking`, added by migration 0001 with btree_gist) is the truth even
for two bookings racing. The constraint is not in Meta: SQLite (`make run`) has no
exclusion constraints, so the migration adds it on PostgreSQL only.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone


class AppointmentsAccess(models.Model):
    """Holds the app's permissions (no table of its own)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("book_appointment", "Can book and see appointments")]

    def __str__(self):
        return "appointments"


class AppointmentPurpose(models.TextChoices):
    ANNIVERSARY = "anniversary", "Anniversary shopping"
    BRIDAL = "bridal", "Bridal"
    PICK_UP = "pick_up", "Pick-up"
    REPAIR_CONSULT = "repair_consult", "Repair consult"
    EVENT = "event", "Event"
    OTHER = "other", "Other"


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    CANCELLED = "cancelled", "Cancelled"
    NO_SHOW = "no_show", "No-show"
    DONE = "done", "Came in"
    # Moved to another time by the store: the new booking (`moved_to`) carries on.
    MOVED = "moved", "Moved"


class AppointmentOutcome(models.TextChoices):
    BOUGHT = "bought", "Bought"
    WILL_RETURN = "will_return", "Will return"
    NO_SALE = "no_sale", "No sale"


# Statuses that hold the associate's time (a cancelled or moved appointment frees it).
HOLDS_TIME = [AppointmentStatus.BOOKED, AppointmentStatus.DONE, AppointmentStatus.NO_SHOW]

# Lengths offered on the booking form, in minutes.
LENGTHS = [15, 30, 45, 60, 90, 120]


class AppointmentQuerySet(models.QuerySet):
    def for_store(self, store):
        return self.filter(store=store)

    def holding_time(self):
        return self.filter(status__in=HOLDS_TIME)

    def overlapping(self, starts_at, ends_at):
        return self.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)


class Appointment(models.Model):
    store = models.ForeignKey("staff.Store", on_delete=models.PROTECT,
                              related_name="appointments")
    customer = models.ForeignKey("crm.Customer", on_delete=models.CASCADE,
                                 related_name="appointments")
    associate = models.ForeignKey("staff.StaffMember", on_delete=models.PROTECT,
                                  related_name="appointments")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    purpose = models.CharField(max_length=16, choices=AppointmentPurpose.choices)
    note = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=12, choices=AppointmentStatus.choices,
                              default=AppointmentStatus.BOOKED)
    outcome = models.CharField(max_length=12, choices=AppointmentOutcome.choices, blank=True)
    outcome_note = models.CharField(max_length=500, blank=True)
    # What the customer asked through their link (to move it); the associate acts on it.
    move_request = models.CharField(max_length=500, blank=True)
    # The task it was booked from (booking closes it).
    task = models.ForeignKey("followups.Task", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="appointments")
    booked_by = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    # The booking that replaced this one when the store moved the visit (status "moved"); the
    # new one reaches back through `moved_from`.
    moved_to = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="moved_from")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["store", "starts_at"], name="appointment_store_start"),
            models.Index(fields=["associate", "starts_at"], name="appointment_associate_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")),
                                   name="appointment_ends_after_start"),
            models.CheckConstraint(condition=Q(outcome="") | Q(status="done"),
                                   name="appointment_outcome_only_when_done"),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def local_start(self) -> datetime.datetime:
        return timezone.localtime(self.starts_at, self.store.tz)

    @property
    def local_end(self) -> datetime.datetime:
        return timezone.localtime(self.ends_at, self.store.tz)

    @property
    def is_booked(self) -> bool:
        return self.status == AppointmentStatus.BOOKED

    def calendar_identity(self) -> tuple[int, int]:
        """(the id of the visit as first booked, how often it was moved since): a calendar
        keeps one entry for the visit and takes the latest move. One query per move, and a
        visit moves rarely."""
        first, moves = self, 0
        while (earlier := Appointment.objects.filter(moved_to=first).first()) is not None:
            first, moves = earlier, moves + 1
        return first.pk, moves

    def when(self) -> str:
        """"Saturday, December 5 at 2:30 PM", on the store's clock."""
        start = self.local_start
        return f"{start:%A, %B} {start.day} at {start:%I:%M %p}".replace(" 0", " ")


def _default_closed_weekdays():
    return [6]  # Sunday (Monday is 0)


class BookingHours(models.Model):
    """When a store takes appointments (its own clock), created with defaults on first use."""

    store = models.OneToOneField("staff.Store", on_delete=models.CASCADE,
                                 related_name="booking_hours")
    opens_at = models.TimeField(default=datetime.time(10))
    closes_at = models.TimeField(default=datetime.time(18))
    # Weekdays closed every week (Monday 0 ... Sunday 6).
    closed_weekdays = models.JSONField(default=_default_closed_weekdays, blank=True)

    class Meta:
        verbose_name_plural = "booking hours"
        constraints = [
            models.CheckConstraint(condition=Q(opens_at__lt=models.F("closes_at")),
                                   name="booking_hours_order"),
        ]

    def __str__(self):
        return f"Booking hours of {self.store}"

    def is_open_on(self, day: datetime.date) -> bool:
        return day.weekday() not in self.closed_weekdays


class ClosedDay(models.Model):
    """A day the store is closed besides its weekly closed days (a holiday, inventory)."""

    store = models.ForeignKey("staff.Store", on_delete=models.CASCADE,
                              related_name="closed_days")
    day = models.DateField()
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["store", "day"],
                                               name="closed_day_once_per_store")]

    def __str__(self):
        return f"{self.store} closed {self.day}"
