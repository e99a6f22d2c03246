"""Writes that matter for customers. Each is one transaction with keyword-only arguments."""

from django.db import transaction
from django.utils import timezone

from core.audit import log_action
from core.errors import LoupeError
from crm.models import Consent, Customer, Interaction, InteractionKind
from crm.normalize import normalize_email, normalize_phone

# What `customer_create(**profile)` may set besides name and contact.
PROFILE_FIELDS = {"address_line", "city", "region", "postal_code", "partner_name", "notes",
                  "secondary_email"}


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


def _actor(staff):
    return staff.user if staff is not None else None


@transaction.atomic
def customer_create(*, store, created_by, source: str, first_name: str, last_name: str = "",
                    email: str = "", phone: str = "", **profile) -> Customer:
    """Create a profile with normalised contact details.

    A salesperson or manager who creates a customer with no associate becomes their associate
    (reason walk-in). Raises LoupeError (with the field) for a missing name or a bad contact.
    """
    unknown = set(profile) - PROFILE_FIELDS - {"preferences"}
    if unknown:
        raise TypeError(f"customer_create() got unexpected profile fields {sorted(unknown)}")
    first_name = (first_name or "").strip()
    if not first_name:
        raise LoupeError("Please enter the customer's first name.", field="first_name")
    preferences = profile.pop("preferences", None)
    if profile.get("secondary_email"):
        profile["secondary_email"] = normalize_email(profile["secondary_email"])
    customer = Customer.objects.create(
        store=store, first_name=first_name, last_name=(last_name or "").strip(),
        email=normalize_email(email), phone=normalize_phone(phone), source=source, **profile,
    )
    if preferences:
        customer.preferences.set(preferences)
    log_action(actor=_actor(created_by), action="customer.created", obj=customer,
               data={"source": source})
    if created_by is not None and created_by.can_sell and customer.assigned_to_id is None:
        from staff.services import client_assign  # staff.services imports this module

        client_assign(customer=customer, associate=created_by, set_by=created_by,
                      reason="walk_in")
    return customer


@transaction.atomic
def customer_email_set(*, customer: Customer, email: str, keep_previous: bool, by) -> Customer:
    """Give the customer `email` (used by repair take-in).

    No email yet: it becomes the email. A different one: `keep_previous=False` replaces it
    (noted on the timeline), `keep_previous=True` keeps the old one as the main email and
    stores the new one as the secondary email. An address they already have changes nothing.
    """
    new = normalize_email(email)
    if not new:
        raise LoupeError("Please enter an email address.", field="email")
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    old = locked.email
    if new in (locked.email, locked.secondary_email):
        return locked
    if not old:
        locked.email = new
        fields, summary = ["email"], f"Email set to {new}"
    elif keep_previous:
        locked.secondary_email = new
        fields, summary = ["secondary_email"], f"Second email added: {new}"
    else:
        locked.email = new
        fields, summary = ["email"], f"Email changed from {old} to {new}"
    locked.save(update_fields=[*fields, "updated_at"])
    interaction_add(customer=locked, kind=InteractionKind.CHANGE, summary=summary, staff=by)
    log_action(actor=_actor(by), action="customer.email_set", obj=locked,
               data={"from": old, "to": new, "keep_previous": keep_previous})
    return locked
