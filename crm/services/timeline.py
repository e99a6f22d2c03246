"""The customer's timeline: every entry, one at a time or many at once, is written here."""

from collections.abc import Iterable

from django.utils import timezone

from crm.models import Customer, Interaction


def interaction_add(*, customer: Customer, kind: str, summary: str, by=None,
                    at=None) -> Interaction:
    """Add an entry to the customer's timeline (call inside the caller's transaction)."""
    return Interaction.objects.create(customer=customer, kind=kind, summary=summary,
                                      staff=by, occurred_at=at or timezone.now())


def interactions_add(*, entries: Iterable[tuple[int, str]], kind: str, by=None,
                     at) -> None:
    """One entry per (customer id, summary) in one insert, for work done to many customers
    at once (call inside the caller's transaction)."""
    Interaction.objects.bulk_create(
        Interaction(customer_id=customer_id, kind=kind, summary=summary, staff=by,
                    occurred_at=at)
        for customer_id, summary in entries
    )
