import zoneinfo

from django.conf import settings
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

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def today(self, now=None):
        """The calendar date at the store right now (occasions and quiet hours use it)."""
        return timezone.localtime(now or timezone.now(), self.tz).date()


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

    objects = StaffMemberQuerySet.as_manager()

    class Meta:
        ordering = ["display_name"]
        permissions = [("manage_staff", "Can manage staff, assignments and orphaned clients")]

    def __str__(self):
        return self.display_name

    @property
    def is_active(self) -> bool:
        return self.departed_on is None

    @property
    def is_manager(self) -> bool:
        return self.role == Role.MANAGER

    @property
    def can_sell(self) -> bool:
        """Whether clients may be assigned to this person."""
        return self.is_active and self.role in (Role.SALESPERSON, Role.MANAGER)
