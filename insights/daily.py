"""The dashboard's daily roll-ups, kept by `insights.services.rollups_refresh`.

`CapturedOnDay` counts the profiles a store created on each day of its calendar, by source;
`ContactsOnDay` counts its customers whose last contact (`LastContact`) fell on each day. The
customer base reads a year of days (a few thousand rows) instead of a million customers.

A refresh recounts only the days that what changed since the last one touches: the creation
day of each customer created or changed, and the old and new day of each last contact it
rewrote. A store whose day counts no longer add up to its rows (a customer erased, or moved
to another store) is recounted whole, so the roll-ups always equal a full recount.
"""

import datetime

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate

from crm.models import Customer
from insights.models import CapturedOnDay, ContactsOnDay, LastContact

# Past this many days to recount, one pass over the store is cheaper than the day ranges.
MAX_DAYS = 200


def _midnight(day: datetime.date, tz) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)


def _on_days(field: str, days, tz) -> Q:
    """Rows whose `field` falls on one of `days` (index ranges, one per day)."""
    q = Q(pk__in=[])
    for day in days:
        q |= Q(**{f"{field}__gte": _midnight(day, tz),
                  f"{field}__lt": _midnight(day + datetime.timedelta(days=1), tz)})
    return q


def _days_of(rows, field: str, tz) -> set[datetime.date]:
    return set(rows.annotate(day=TruncDate(field, tzinfo=tz)).order_by()
               .values_list("day", flat=True).distinct())


def _rewrite(model, store, days, counted, **group) -> int:
    """Replace the store's rows for `days` (all of them when None) with `counted`."""
    kept = model.objects.filter(store=store)
    if days is not None:
        kept = kept.filter(day__in=days)
    kept.delete()
    rows = [model(store=store, customers=row.pop("n"), **row) for row in counted]
    model.objects.bulk_create(rows)
    return len(rows)


def _recount(model, rows, field: str, store, days, *by) -> int:
    """Recount `rows` per day of `field` (and of `by`) into `model` for `days` (every day
    when None, or when there are more than MAX_DAYS of them)."""
    if days is not None and len(days) > MAX_DAYS:
        days = None
    if days is not None:
        if not days:
            return 0
        rows = rows.filter(_on_days(field, days, store.tz))
    counted = (rows.annotate(day=TruncDate(field, tzinfo=store.tz)).values("day", *by)
               .annotate(n=Count("pk")).order_by())
    return _rewrite(model, store, days, list(counted))


def captured_write(store, days=None) -> int:
    """Recount the customers the store created on `days` (every day when None)."""
    return _recount(CapturedOnDay, Customer.objects.filter(store=store), "created_at", store,
                    days, "source")


def contacts_write(store, days=None) -> int:
    """Recount the store's last contacts that fall on `days` (every day when None)."""
    return _recount(ContactsOnDay, LastContact.objects.filter(store=store), "at", store, days)


def captured_days(store, customer_ids) -> set[datetime.date]:
    """The creation days of these customers (the days a change to them can move)."""
    return _days_of(Customer.objects.filter(store=store, pk__in=customer_ids), "created_at",
                    store.tz)


def contact_days(store, customer_ids) -> set[datetime.date]:
    """The days these customers' last contacts fall on now."""
    return _days_of(LastContact.objects.filter(store=store, customer__in=customer_ids), "at",
                    store.tz)


def _total(model, store) -> int:
    return model.objects.filter(store=store).aggregate(n=Sum("customers"))["n"] or 0


def add_up(store) -> int:
    """Recount whole any roll-up of the store whose days no longer add up to its rows."""
    written = 0
    if _total(CapturedOnDay, store) != Customer.objects.filter(store=store).count():
        written += captured_write(store)
    if _total(ContactsOnDay, store) != LastContact.objects.filter(store=store).count():
        written += contacts_write(store)
    return written
