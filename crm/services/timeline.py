"""The customer's timeline: every entry, one at a time or many at once, is written here."""

from collections.abc import Iterable

from django.utils import timezone

from core.batches import Batched
from core.columns import rows_insert
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


def interactions_add(*, entries: Iterable[tuple[int, str]], kind: str, by=None,
                     at) -> None:
    """One entry per (customer id, summary) in one insert, in order, for work done to many
    customers at once: an import or a bulk reassignment writes tens of thousands (call inside
    the caller's transaction)."""
    customers, summaries = [], []
    for customer_id, summary in entries:
        customers.append(customer_id)
        summaries.append(summary)
    rows_insert(Interaction, same={"kind": kind, "staff_id": by and by.pk, "occurred_at": at},
                each={"customer_id": customers, "summary": summaries})
