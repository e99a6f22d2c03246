"""Writes of the dashboard: an associate's goals for a year, and the roll-ups."""

import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max, Q
from django.utils import timezone

from core.audit import log_action
from core.errors import LoupeError
from crm.models import Customer, Interaction, InteractionKind, Purchase
from insights import daily, selectors
from insights.models import Goal, LastContact, OrphansAtMonthEnd, RollUpMark
from staff import selectors as staff_selectors


def may_set_goals(*, associate, by) -> bool:
    """A manager sets anyone's goals in their store; an associate sets their own."""
    if by is None or associate.store_id != by.store_id or not by.is_active:
        return False
    return by.is_manager or by.pk == associate.pk


@transaction.atomic
def goal_set(*, associate, year: int, sales_amount: Decimal, new_profiles: int, by,
             appointments: int = 0) -> Goal:
    """Set (or change) an associate's goals for `year`; setting the same twice is once."""
    if not may_set_goals(associate=associate, by=by):
        raise LoupeError("Only a manager, or the associate themselves, can set these goals.")
    if sales_amount is None or sales_amount < 0:
        raise LoupeError("Enter a sales goal of zero or more.", field="sales_amount")
    if new_profiles is None or new_profiles < 0:
        raise LoupeError("Enter a number of new profiles of zero or more.",
                         field="new_profiles")
    if appointments is None or appointments < 0:
        raise LoupeError("Enter a number of appointments of zero or more.",
                         field="appointments")
    if not 2000 <= year <= 2100:
        raise LoupeError("Pick a year between 2000 and 2100.", field="year")
    now = timezone.now()
    goal, _ = Goal.objects.update_or_create(
        associate=associate, year=year,
        defaults={"store": associate.store, "sales_amount": sales_amount,
                  "new_profiles": new_profiles, "appointments": appointments, "set_by": by,
                  "updated_at": now})
    log_action(by=by, action="insights.goal_set", obj=goal, store=associate.store,
               at=now, data={"associate": associate.pk, "year": year,
                             "sales_amount": str(sales_amount), "new_profiles": new_profiles,
                             "appointments": appointments})
    return goal


# A refresh re-reads a little before its mark: a row written in a transaction that committed
# just after the last refresh read the tables is still picked up.
OVERLAP = datetime.timedelta(minutes=10)
EPOCH = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
LAST_CONTACT = "last_contact"


@transaction.atomic
def rollups_refresh(*, now=None) -> dict:
    """Bring the dashboard's roll-ups up to `now` (Celery beat runs it hourly; also
    `manage.py refresh_insights`).

    Last contact: the first run counts every customer; later runs only those created,
    changed, visiting, buying or replying since the last run (with OVERLAP), so a run costs
    what changed, not the size of the store. The daily counts (`insights.daily`) recount the
    days those customers touch. Orphans at month end: each past month once.
    Two runs at once wait for each other (the mark is locked); running twice is harmless.
    """
    now = now or timezone.now()
    mark, _ = RollUpMark.objects.select_for_update().get_or_create(
        name=LAST_CONTACT, defaults={"through": EPOCH})
    since = None if mark.through == EPOCH else mark.through - OVERLAP
    stores = list(staff_selectors.stores_in_order())
    contacts = days = 0
    for store in stores:
        written, recounted = _store_contacts_refresh(store, since)
        contacts, days = contacts + written, days + recounted
    # After every store's: a customer moved between stores leaves the old store's last.
    days += sum(daily.add_up(store) for store in stores)
    months = sum(_orphans_at_month_end_write(store, now) for store in stores)
    mark.through = now
    mark.save(update_fields=["through"])
    return {"last_contacts": contacts, "orphan_months": months, "days": days}


# Past this many customers touched since the last run, recounting the store whole (one pass)
# is cheaper than looking each of them up (a big import, or the first hour after a load).
MAX_TOUCHED = 20_000


def _touched_since(store, since) -> list[int]:
    """The store's customers created, changed, visiting, buying or replying since `since`.

    One UNION of three reads, each by its own index or one pass: an OR of IN (subquery)
    conditions made PostgreSQL re-read the new purchases for each of the store's customers
    once they were too many to hash (minutes after a 500,000-purchase load)."""
    customers = Customer.objects.filter(store=store)
    changed = customers.filter(Q(created_at__gte=since) | Q(updated_at__gte=since)
                               | Q(last_visit_at__gte=since)).values_list("pk").order_by()
    bought = (Purchase.objects.filter(customer__store=store, created_at__gte=since)
              .values_list("customer").order_by())
    replied = (Interaction.objects.filter(customer__store=store, kind=InteractionKind.REPLY,
                                          occurred_at__gte=since).values_list("customer")
               .order_by())
    return [pk for (pk,) in changed.union(bought, replied)]


def _store_contacts_refresh(store, since) -> tuple[int, int]:
    """The store's last contacts and daily counts; returns (last contacts written, day rows
    rewritten)."""
    touched = None if since is None else _touched_since(store, since)
    if touched is None or len(touched) > MAX_TOUCHED:
        written = _last_contacts_write(store, None)
        return written, daily.captured_write(store) + daily.contacts_write(store)
    before = daily.contact_days(store, touched)
    written = _last_contacts_write(store, touched) if touched else 0
    days = (daily.captured_write(store, daily.captured_days(store, touched))
            + daily.contacts_write(store, before | daily.contact_days(store, touched)))
    return written, days


def _last_contacts_write(store, touched) -> int:
    """Upsert the store's (touched, or all when None) customers' last contact in one
    INSERT ... SELECT."""
    if connection.vendor != "postgresql":
        return _last_contacts_write_portably(store, touched)
    rows = Customer.objects.filter(store=store).annotate(
        contact=selectors.last_contact(store)).values("pk", "store_id", "contact").order_by()
    if touched is not None:
        rows = rows.filter(pk__in=touched)
    select, params = rows.query.sql_with_params()
    table = LastContact._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (customer_id, store_id, at) {select} "  # noqa: S608 - our own table and SQL
                       "ON CONFLICT (customer_id) DO UPDATE SET at = EXCLUDED.at, "
                       "store_id = EXCLUDED.store_id", params)
        return cursor.rowcount


def _last_contacts_write_portably(store, touched) -> int:
    """The same rule row by row, for `make run`'s SQLite (a demo-sized store)."""
    customers = Customer.objects.filter(store=store)
    if touched is not None:
        customers = customers.filter(pk__in=touched)
    found = {pk: [created, visited] for pk, created, visited
             in customers.values_list("pk", "created_at", "last_visit_at")}
    bought = (Purchase.objects.filter(customer__in=found).values("customer")
              .annotate(last=Max("purchased_on")).values_list("customer", "last"))
    for pk, day in bought:
        found[pk].append(datetime.datetime.combine(day, datetime.time.min, tzinfo=store.tz))
    replied = (Interaction.objects.filter(customer__in=found, kind=InteractionKind.REPLY)
               .values("customer").annotate(last=Max("occurred_at"))
               .values_list("customer", "last"))
    for pk, moment in replied:
        found[pk].append(moment)
    rows = [LastContact(customer_id=pk, store=store, at=max(m for m in moments if m))
            for pk, moments in found.items()]
    LastContact.objects.bulk_create(rows, update_conflicts=True, unique_fields=["customer"],
                                    update_fields=["at", "store"])
    return len(rows)


def _orphans_at_month_end_write(store, now) -> int:
    """Count and keep the orphans at the end of each past chart month not kept yet."""
    today = store.today(now)
    past = selectors.chart_months(today)[:-1]
    kept = set(OrphansAtMonthEnd.objects.filter(store=store, month__in=past)
               .values_list("month", flat=True))
    missing = [m for m in past if m not in kept]
    if not missing:
        return 0
    counts = selectors.orphan_counts(store=store, moments=[selectors.month_end(m, store.tz)
                                                           for m in missing])
    OrphansAtMonthEnd.objects.bulk_create(
        [OrphansAtMonthEnd(store=store, month=m, orphans=n) for m, n in zip(missing, counts,
                                                                             strict=True)],
        ignore_conflicts=True)
    return len(missing)
