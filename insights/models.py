"""The dashboard's own data: each associate's goals for a year."""

from django.db import models
from django.db.models import Q


class InsightsAccess(models.Model):
    """Holds the app's permissions (no table of its own)."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_dashboard", "Can see the store's dashboard and every associate's figures"),
            ("view_my_year", "Can see their own goals and figures"),
        ]

    def __str__(self):
        return "insights"


class Goal(models.Model):
    """What an associate aims for in a calendar year, set by a manager or by themselves."""

    store = models.ForeignKey("staff.Store", on_delete=models.CASCADE, related_name="goals")
    associate = models.ForeignKey("staff.StaffMember", on_delete=models.CASCADE,
                                  related_name="goals")
    year = models.PositiveSmallIntegerField()
    sales_amount = models.DecimalField("sales ($)", max_digits=12, decimal_places=2, default=0)
    new_profiles = models.PositiveIntegerField("new customer profiles", default=0)
    appointments = models.PositiveIntegerField(default=0)
    set_by = models.ForeignKey("staff.StaffMember", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["-year", "associate"]
        constraints = [
            models.UniqueConstraint(fields=["associate", "year"], name="goal_once_per_year"),
            models.CheckConstraint(condition=Q(sales_amount__gte=0),
                                   name="goal_sales_not_negative"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100),
                                   name="goal_year_range"),
        ]

    def __str__(self):
        return f"{self.associate_id} {self.year}"


class LastContact(models.Model):
    """Roll-up: each customer's last contact (`insights.selectors.last_contact`), so the
    dashboard's lapsed figures read an index instead of recounting every visit, purchase and
    reply. Refreshed incrementally by `insights.services.rollups_refresh` (hourly)."""

    customer = models.OneToOneField("crm.Customer", primary_key=True, on_delete=models.CASCADE,
                                    related_name="contact_rollup")
    store = models.ForeignKey("staff.Store", on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["store", "at"], name="lastcontact_store_at")]

    def __str__(self):
        return f"{self.customer_id} {self.at:%Y-%m-%d}"


class OrphansAtMonthEnd(models.Model):
    """Roll-up: how many orphaned clients a store had at the end of a past month (a past
    month's history does not change), counted once from the assignment history."""

    store = models.ForeignKey("staff.Store", on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="The month's first day.")
    orphans = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "month"],
                                               name="orphans_once_per_store_month")]

    def __str__(self):
        return f"{self.store_id} {self.month:%Y-%m}: {self.orphans}"


class RollUpMark(models.Model):
    """How far a roll-up has been brought: everything before `through` is in it."""

    name = models.CharField(max_length=40, unique=True)
    through = models.DateTimeField()

    def __str__(self):
        return f"{self.name} through {self.through}"


class CapturedOnDay(models.Model):
    """Daily roll-up: customer profiles a store created on one day of its calendar, by
    source (the customer base's "new" figures and its total). Refreshed with the others by
    `insights.services.rollups_refresh`: only the days touched since the last run are
    recounted, and a store whose total no longer matches its customers is recounted whole."""

    store = models.ForeignKey("staff.Store", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    source = models.CharField(max_length=16)
    customers = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "day", "source"],
                                               name="captured_once_per_store_day_source")]

    def __str__(self):
        return f"{self.store_id} {self.day} {self.source}: {self.customers}"


class ContactsOnDay(models.Model):
    """Daily roll-up: how many of a store's customers had their last contact (`LastContact`)
    on one day of its calendar; the lapsed figures sum the days before the cutoff."""

    store = models.ForeignKey("staff.Store", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    customers = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["store", "day"],
                                               name="contacts_once_per_store_day")]

    def __str__(self):
        return f"{self.store_id} {self.day}: {self.customers}"
