"""The customer's timeline: every entry, one at a time or many at once, is written here."""

from collections.abc import Iterable

from django.db import connection
from django.utils import timezone

from core.batches import Batched
from crm.models import Customer, Interaction

# `timeline_batch()`: within the block, `interaction_add`'s entries are written in one INSERT,
# in order, when it ends (core.batches; a walk-in adds up to three).
_entries = Batched(Interaction)
timeline_batch = _entries.block


def interaction_add(*, customer: Customer, kind: str, summary: str, by=None,
                    at=None) -> Interaction:
    """Add an entry to the customer's timeline (call inside the caller's transaction)."""
    entry = Interaction(customer=customer, kind=kind, summary=summary, staff=by,
                        occurred_at=at or timezone.now())
    return _entries.write(entry)


# Many entries from two arrays: an import or a bulk reassignment writes tens of thousands,
# which the ORM would first build as objects and then as one statement of five parameters
# each.
_ADD_MANY = """
    INSERT INTO {table} (customer_id, kind, summary, staff_id, occurred_at)
    SELECT e.customer_id, %s, e.summary, %s, %s
      FROM unnest(%s::bigint[], %s::text[]) WITH ORDINALITY AS e(customer_id, summary, n)
     ORDER BY e.n
"""


def interactions_add(*, entries: Iterable[tuple[int, str]], kind: str, by=None,
                     at) -> None:
    """One entry per (customer id, summary) in one insert, in order, for work done to many
    customers at once (call inside the caller's transaction)."""
    if connection.vendor != "postgresql":
        Interaction.objects.bulk_create(
            Interaction(customer_id=customer_id, kind=kind, summary=summary, staff=by,
                        occurred_at=at)
            for customer_id, summary in entries)
        return
    customers, summaries = [], []
    for customer_id, summary in entries:
        customers.append(customer_id)
        summaries.append(summary)
    if customers:
        with connection.cursor() as cursor:
            cursor.execute(_ADD_MANY.format(table=Interaction._meta.db_table),
                           [kind, by and by.pk, at, customers, summaries])
