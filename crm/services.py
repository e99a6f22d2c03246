"""Writes that matter for customers. Each is one transaction with keyword-only arguments."""

from django.db import transaction
from django.utils import timezone

from core.audit import log_action
from crm.models import Consent, Customer, Interaction


@transaction.atomic
def consent_record(*, customer: Customer, channel: str, purpose: str, granted: bool,
                   method: str, words: str = "", recorded_by=None, occasion=None,
                   note: str = "", at=None) -> Consent:
    """Append a grant or a revocation to the ledger; the latest row is the current state.

    Recording the state that is already current adds no row, so a webhook delivered twice
    or a double tap leaves one entry.
    """
    at = at or timezone.now()
    # Lock the customer so two concurrent recordings for one customer serialise.
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    current = (Consent.objects.filter(customer=customer, channel=channel, purpose=purpose)
               .order_by("-created_at", "-id").first())
    if current is not None and current.granted == granted and current.method == method:
        return current
    consent = Consent.objects.create(
        customer=customer, channel=channel, purpose=purpose, granted=granted, method=method,
        words=words, recorded_by=recorded_by, occasion=occasion, note=note, created_at=at,
    )
    log_action(actor=recorded_by.user if recorded_by else None,
               action="consent.granted" if granted else "consent.revoked", obj=customer,
               data={"channel": channel, "purpose": purpose, "method": method}, at=at)
    return consent


def interaction_add(*, customer: Customer, kind: str, summary: str, staff=None,
                    at=None) -> Interaction:
    """Add an entry to the customer's timeline (call inside the caller's transaction)."""
    return Interaction.objects.create(customer=customer, kind=kind, summary=summary,
                                      staff=staff, occurred_at=at or timezone.now())
