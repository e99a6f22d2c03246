"""The demo store's history for the dashboard: when each customer was captured, a yearly
growth target and the associates' goals, so the charts and progress bars are not empty."""

import datetime
from decimal import Decimal

from django.db.models import Min

from crm.models import Customer
from insights.models import Goal
from insights.services import rollups_refresh
from staff.models import StaffMember
from staff.roles import Role

GOALS = {"sally": (Decimal(180_000), 60), "tom": (Decimal(140_000), 45)}


def load_demo_insights(*, store, rng, now) -> None:
    """Date each profile's capture (never after the first visit or the first assignment),
    set a growth target and two associates' goals."""
    first_assigned = dict(Customer.objects.for_store(store).filter(assignments__isnull=False)
                          .annotate(first=Min("assignments__started_at"))
                          .values_list("pk", "first"))
    customers = list(Customer.objects.for_store(store).only("pk", "last_visit_at"))
    for customer in customers:
        latest = min(filter(None, [customer.last_visit_at, first_assigned.get(customer.pk),
                                   now]))
        # A client who first came this past year was captured then; older ones at any time
        # in the year and a half before.
        recent = now - latest < datetime.timedelta(days=365)
        customer.created_at = latest - datetime.timedelta(
            days=rng.randint(0, 14) if recent else rng.randint(0, 540))
    Customer.objects.bulk_update(customers, ["created_at"], batch_size=500)
    store.yearly_growth_target = 60
    store.save(update_fields=["yearly_growth_target"])
    manager = StaffMember.objects.for_store(store).filter(role=Role.MANAGER).first()
    year = store.today(now).year
    for member in StaffMember.objects.for_store(store).filter(user__username__in=GOALS):
        sales, profiles = GOALS[member.user.username]
        Goal.objects.create(store=store, associate=member, year=year, sales_amount=sales,
                            new_profiles=profiles, set_by=manager, updated_at=now)
    # The dashboard's lapsed figures read the roll-up: fill it now rather than at the first
    # hourly refresh.
    rollups_refresh(now=now)
