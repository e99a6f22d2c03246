import datetime
import zoneinfo

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.db import models
from django.utils import timezone

from staff.roles import Role


def _timezone_choices():
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Store(models.Model):
    name = models.CharField(max_length=120)
    address = models.TextField(help_text="Postal address, shown in every email's footer.")
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    timezone = models.CharField(max_length=64, default=settings.TIME_ZONE,
                                choices=_timezone_choices)
    reassign_on_departure = models.BooleanField(
        "reassign clients immediately when an associate leaves", default=False,
        help_text="When on, marking an associate departed hands each of their clients to the "
                  "best-matching associate at once; when off, they wait in Orphaned clients.")
    managers_take_clients = models.BooleanField(
        "managers look after clients too", default=False,
        help_text="When on, managers are suggested for orphaned clients like salespeople; "
                  "when off, suggestions go to salespeople only.")
    lapsed_after_months = models.PositiveSmallIntegerField(
        "a client has lapsed after (months)", default=12,
        help_text="A customer with no visit, purchase or reply for this long counts as lapsed "
                  "on the dashboard.")
    yearly_growth_target = models.PositiveIntegerField(
        "yearly growth target (customers)", default=0,
        help_text="How many more customers (new minus lapsed) the store aims to have at the "
                  "end of the year than at its start; 0: no target.")
    floor_idle_minutes = models.PositiveSmallIntegerField(
        "floor tablets lock after (idle minutes)", default=3,
        help_text="A floor tablet left alone this long locks and shows nothing of the last "
                  "customer until an associate types their PIN.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lapsed_after_months__gte=1, lapsed_after_months__lte=60),
                name="store_lapsed_after_months_range"),
            models.CheckConstraint(
                condition=models.Q(floor_idle_minutes__gte=1, floor_idle_minutes__lte=60),
                name="store_floor_idle_minutes_range"),
        ]

    def __str__(self):
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def today(self, now=None):
        """The calendar date at the store right now (occasions and quiet hours use it)."""
        return timezone.localtime(now or timezone.now(), self.tz).date()


# No store ran Loupe before 2000: an earlier "last day" is a mistyped year (1899 from a
# two-digit year, 0026 for 2026).
EARLIEST_DEPARTURE = datetime.date(2000, 1, 1)


class StaffMemberQuerySet(models.QuerySet):
    def for_store(self, store):
        return self.filter(store=store)

    def active(self):
        return self.filter(departed_on__isnull=True)


class StaffMember(models.Model):
    """One per login. Departed associates keep their row so their history stays readable."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="staff_member")
    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=16, choices=Role.choices)
    display_name = models.CharField(max_length=120)
    strengths = models.ManyToManyField("crm.Preference", blank=True, related_name="strong_staff")
    departed_on = models.DateField(null=True, blank=True)
    # The quick-switch PIN on a floor tablet, hashed like a password ("" until one is set).
    pin_hash = models.CharField(max_length=128, blank=True, default="")

    objects = StaffMemberQuerySet.as_manager()

    class Meta:
        ordering = ["display_name"]
        permissions = [("manage_staff", "Can manage staff, assignments and orphaned clients")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(departed_on__isnull=True)
                | models.Q(departed_on__gte=EARLIEST_DEPARTURE),
                name="staffmember_departed_on_from_2000"),
        ]

    def __str__(self):
        return self.display_name

    @property
    def is_active(self) -> bool:
        return self.departed_on is None

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @staticmethod
    def departure_date_problem(departed_on: datetime.date, *, today: datetime.date) -> str:
        """Why `departed_on` cannot be someone's last day at the store, or "" if it can.

        The login stops working the moment they are marked departed, so a future date would
        be a lie; a date before 2000 is a mistyped year.
        """
        if departed_on > today:
            return ("The departure date cannot be in the future: mark them on their "
                    "last day.")
        if departed_on < EARLIEST_DEPARTURE:
            return (f"{departed_on:%B} {departed_on.day}, {departed_on.year} cannot be their "
                    f"last day: check the year (Loupe keeps departures from 2000 on).")
        return ""

    @property
    def has_pin(self) -> bool:
        return bool(self.pin_hash)

    def pin_matches(self, pin: str) -> bool:
        """Whether `pin` is this member's PIN (hashed comparison, never the PIN itself)."""
        return self.has_pin and check_password(pin, self.pin_hash)

    @property
    def can_sell(self) -> bool:
        """Whether clients may be assigned to this person."""
        return self.is_active and self.role in (Role.SALESPERSON, Role.MANAGER)


class FloorDevice(models.Model):
    """A browser a manager marked as a shared floor tablet: it carries a signed cookie naming
    `token`; on it associates take over by PIN and the screen locks when left alone."""

    store = models.ForeignKey(Store, on_delete=models.PROTECT, related_name="floor_devices")
    name = models.CharField(max_length=60)
    token = models.CharField(max_length=64, unique=True)
    marked_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["retired_at", "name"]
        constraints = [
            models.UniqueConstraint(fields=["store", "name"], condition=models.Q(
                retired_at__isnull=True), name="floordevice_active_name_unique_per_store"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.retired_at is None
