"""The customer's timeline: every entry, one at a time or many at once, is written here."""

import contextlib
import contextvars
from collections.abc import Iterable

from django.utils import timezone

from crm.models import Customer, Interaction

# The entries of a `timeline_batch` block, written together when it ends (None outside one).
_batch: contextvars.ContextVar[list | None] = contextvars.ContextVar("timeline_batch",
                                                                    default=None)


@contextlib.contextmanager
def timeline_batch():
    """Within the block, `interaction_add` collects its entries and the block's end writes
    them in one INSERT, in order, still inside the caller's transaction (a walk-in adds up to
    three). Nothing is written if the block raises; the entries have no id until the end."""
    entries = []
    token = _batch.set(entries)
    try:
        yield
    finally:
        _batch.reset(token)
    Interaction.objects.bulk_create(entries)


def interaction_add(*, customer: Customer, kind: str, summary: str, by=None,
                    at=None) -> Interaction:
    """Add an entry to the customer's timeline (call inside the caller's transaction)."""
    entry = Interaction(customer=customer, kind=kind, summary=summary, staff=by,
                        occurred_at=at or timezone.now())
    batch = _batch.get()
    if batch is None:
        entry.save(force_insert=True)
    else:
        batch.append(entry)
    return entry


def interactions_add(*, entries: Iterable[tuple[int, str]], kind: str, by=None,
                     at) -> None:
    """One entry per (customer id, summary) in one insert, for work done to many customers
    at once (call inside the caller's transaction)."""
    Interaction.objects.bulk_create(
        Interaction(customer_id=customer_id, kind=kind, summary=summary, staff=by,
                    occurred_at=at)
        for customer_id, summary in entries
    )
