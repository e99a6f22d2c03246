"""Reads of customers, shaped once for the page that shows them and scoped to the store."""

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import Q
from django.db.models.functions import Greatest
from django.shortcuts import get_object_or_404

from core.errors import LoupeError
from crm.models import Customer
from crm.normalize import normalize_email, phone_digits, phone_key

# Fewer digits than this would match half the store's phone numbers.
MIN_PHONE_DIGITS = 4


def customer_for(*, store, customer_id) -> Customer:
    """The customer with this id in `store`; another store's customer is a 404."""
    return get_object_or_404(
        Customer.objects.for_store(store).select_related("assigned_to", "store"), pk=customer_id
    )


def clients_of(*, staff_member):
    """The customers an associate looks after, shaped for the 'My clients' list."""
    return (
        Customer.objects.for_store(staff_member.store)
        .filter(assigned_to=staff_member)
        .order_by("first_name", "last_name", "pk")
    )


def consent_current(*, customer: Customer, channel: str, purpose: str) -> bool:
    """Whether the customer's latest word for this channel and purpose is yes."""
    latest = (customer.consents.filter(channel=channel, purpose=purpose)
              .order_by("-created_at", "-id").values_list("granted", flat=True).first())
    return bool(latest)


def _by_email(store, text):
    email = text.strip().lower()
    return Customer.objects.for_store(store).filter(
        Q(email__contains=email) | Q(secondary_email__contains=email)
    ).order_by("last_name", "first_name", "pk")


def _by_phone(store, text):
    e164 = phone_key(text)
    digits = phone_digits(text)
    match = Q(phone__contains=digits)
    if e164:
        match |= Q(phone=e164)
    return Customer.objects.for_store(store).filter(match).order_by("last_name", "first_name",
                                                                    "pk")


def _by_name(store, text):
    words = text.split()
    customers = Customer.objects.for_store(store)
    prefix = Q()
    for word in words:
        prefix &= Q(first_name__istartswith=word) | Q(last_name__istartswith=word)
    if connection.vendor != "postgresql":
        contains = Q()
        for word in words:
            contains &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        return customers.filter(prefix | contains).order_by("last_name", "first_name", "pk")
    fuzzy = Q()
    for word in words:
        fuzzy |= Q(first_name__trigram_similar=word) | Q(last_name__trigram_similar=word)
    return (
        customers.filter(prefix | fuzzy)
        .annotate(score=Greatest(TrigramSimilarity("first_name", text),
                                 TrigramSimilarity("last_name", text)))
        .order_by("-score", "last_name", "first_name", "pk")
    )


def customer_search(*, store, query: str, limit: int = 20):
    """One box: a name (prefix or fuzzy), phone digits in any format, or an email.

    Returns at most `limit` customers with their associate, best match first.
    """
    text = (query or "").strip()[:100]
    if not text:
        return Customer.objects.none()
    if "@" in text:
        found = _by_email(store, text)
    elif len(phone_digits(text)) >= MIN_PHONE_DIGITS and not any(c.isalpha() for c in text):
        found = _by_phone(store, text)
    else:
        found = _by_name(store, text)
    return found.select_related("assigned_to")[:limit]


def customer_duplicates(*, store, email: str = "", phone: str = ""):
    """Customers of `store` who already have this email (either field) or phone (E.164).

    Contact details that cannot be normalised yet (half typed) match nobody.
    """
    match = Q()
    try:
        email = normalize_email(email)
    except LoupeError:
        email = ""
    phone = phone_key(phone)
    if email:
        match |= Q(email=email) | Q(secondary_email=email)
    if phone:
        match |= Q(phone=phone)
    if not match:
        return Customer.objects.none()
    return (Customer.objects.for_store(store).filter(match).select_related("assigned_to")
            .order_by("last_name", "first_name", "pk"))
