"""Logging a walk-in from the floor tablet: one tap, one transaction, one customer."""

import dataclasses
import uuid
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import audit_batch, log_action
from core.errors import LoupeError
from crm.models import (
    Channel,
    ConsentMethod,
    Customer,
    InteractionKind,
    Purpose,
    Source,
    WalkIn,
    WishItem,
)
from crm.normalize import normalize_email, normalize_phone, phone_key
from crm.selectors import customer_duplicates
from crm.services.assignment import client_assign
from crm.services.customers import (
    consent_record,
    consents_record_first,
    customer_add,
    customer_update,
    interaction_add,
    occasions_add_first,
    purchase_add,
)
from crm.services.occasions import occasion_record
from crm.services.timeline import timeline_batch
from crm.wording import reminder_words

# A yes for a channel needs the contact it would use, and says so beside the consent box.
CONTACT_FOR = {
    Channel.EMAIL: ("email", "To email reminders we need their email address above."),
    Channel.SMS: ("phone", "To text reminders we need their mobile number above."),
    Channel.PHONE: ("phone", "To call with reminders we need their phone number above."),
}

# The code of the LoupeError that asks "is this a different person?" before a second profile.
SAME_PERSON_CODE = "same_person"


@dataclasses.dataclass
class OccasionEntry:
    kind: str
    month: int
    day: int
    year: int | None = None
    label: str = ""


@dataclasses.dataclass
class WalkInEntry:
    """What the associate typed on the walk-in screen, in the order of the conversation."""

    first_name: str
    last_name: str = ""
    phone: str = ""
    email: str = ""
    address_line: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    partner_name: str = ""
    occasions: list[OccasionEntry] = dataclasses.field(default_factory=list)
    looked_at: str = ""
    looked_at_price: Decimal | None = None
    preferences: list = dataclasses.field(default_factory=list)
    bought: bool = False
    why_not: str = ""
    purchase_amount: Decimal | None = None
    consents: dict[str, bool] = dataclasses.field(default_factory=dict)
    # How they prefer to hear from us: email, text, both, or "" (not said).
    contact_preference: str = ""


def customer_log_walk_in(*, store, by, key: uuid.UUID, entry: WalkInEntry,
                         customer: Customer | None = None,
                         different_person: bool = False) -> Customer:
    """Log a walk-in: profile (new, or `customer` updated), occasions, wish item, purchase,
    consent rows and a visit on the timeline, all in one transaction.

    The form's one-time `key` makes it safe to post twice: a second post with the same key
    returns the first customer and writes nothing. Two posts racing each other meet at the
    unique key; the loser's savepoint rolls back and it returns the winner's customer.

    A new walk-in whose phone or email a profile of the store already has is refused
    (LoupeError with code SAME_PERSON_CODE) unless the associate said `different_person`:
    one person, one profile.
    """
    done = WalkIn.objects.filter(key=key).select_related("customer").first()
    if done is not None:
        return done.customer
    try:
        with transaction.atomic():
            if customer is None and not different_person:
                _check_not_on_file(store=store, entry=entry)
            return _log_walk_in(store=store, by=by, key=key, entry=entry, customer=customer)
    except IntegrityError:
        done = WalkIn.objects.filter(key=key).select_related("customer").first()
        if done is None:
            raise
        return done.customer


def _log_walk_in(*, store, by, key, entry: WalkInEntry, customer: Customer | None) -> Customer:
    """One transaction (the caller's) with no savepoint inside: any refusal undoes the whole
    visit. A new profile is nobody else's yet, so its dates and consents are written without
    the reads and locks an existing profile needs; the audit and timeline entries go in one
    insert each."""
    now = timezone.now()
    _check_consent_contacts(entry, customer)
    new = customer is None
    with audit_batch(), timeline_batch():
        customer = _profile(store=store, by=by, entry=entry, customer=customer, at=now)
        occasions = _occasions(customer=customer, by=by, entry=entry, new=new, at=now)
        if entry.looked_at.strip():
            WishItem.objects.create(customer=customer,
                                    description=entry.looked_at.strip()[:200],
                                    price=entry.looked_at_price, added_by=by)
        if entry.bought:
            if entry.purchase_amount is None:
                raise LoupeError("Enter what they paid.", field="purchase_amount")
            # The profile is new or locked by _profile_update: no second lock.
            purchase_add(customer=customer, purchased_on=store.today(now),
                         amount=entry.purchase_amount, description=entry.looked_at, by=by)
        _record_consents(customer=customer, by=by, entry=entry,
                         occasion=next(iter(occasions), None), at=now, new=new)
        WalkIn.objects.create(key=key, customer=customer, logged_by=by, bought=entry.bought,
                              why_not=entry.why_not.strip()[:200],
                              looked_at=entry.looked_at.strip()[:200], created_at=now)
        interaction_add(customer=customer, kind=InteractionKind.VISIT, by=by, at=now,
                        summary=_visit_summary(entry))
        if not new:
            Customer.objects.filter(pk=customer.pk).update(last_visit_at=now)
            customer.last_visit_at = now
        log_action(by=by, action="customer.walk_in", obj=customer,
                   data={"bought": entry.bought, "occasions": len(occasions)}, at=now)
    return customer


def _occasions(*, customer, by, entry: WalkInEntry, new: bool, at) -> list:
    dates = [dataclasses.asdict(o) | {"prefix": f"{o.kind}_"} for o in entry.occasions]
    if new and len({o.kind for o in entry.occasions}) == len(dates):
        return occasions_add_first(customer=customer, dates=dates, by=by, at=at)
    return [occasion_record(customer=customer, by=by, **date) for date in dates]


def _check_not_on_file(*, store, entry: WalkInEntry) -> None:
    if customer_duplicates(store=store, email=entry.email, phone=entry.phone).exists():
        raise LoupeError("A profile with this phone or email is already in Loupe: is this a "
                         "different person?", code=SAME_PERSON_CODE)


def _check_consent_contacts(entry: WalkInEntry, customer: Customer | None) -> None:
    """Refuse a yes for a channel the profile will have no contact for."""
    have = {"email": entry.email.strip() or (customer.email if customer else ""),
            "phone": entry.phone.strip() or (str(customer.phone) if customer else "")}
    for channel, yes in entry.consents.items():
        contact, message = CONTACT_FOR[channel]
        if yes and not have[contact]:
            raise LoupeError(message, field=f"consent_{channel}")


def _profile(*, store, by, entry: WalkInEntry, customer: Customer | None, at) -> Customer:
    details = {"address_line": entry.address_line, "city": entry.city, "region": entry.region,
               "postal_code": entry.postal_code, "partner_name": entry.partner_name,
               "contact_preference": entry.contact_preference}
    if customer is None:
        return customer_add(store=store, by=by, source=Source.WALK_IN,
                            first_name=entry.first_name, last_name=entry.last_name,
                            email=entry.email, phone=entry.phone, visited_at=at,
                            preferences=entry.preferences, **details)
    return _profile_update(customer=customer, by=by, entry=entry, details=details)


def _profile_update(*, customer: Customer, by, entry: WalkInEntry, details: dict) -> Customer:
    """'Open that profile' / "Log a visit": the form starts from what is on file, so a value typed
    differently is a correction (a new phone or email goes on the timeline) and a blank one
    changes nothing: a visit never erases."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    # Their own number comes back as typed; only a new one must pass today's check.
    known = str(customer.phone or "")
    phone = known if known and phone_key(entry.phone) == known else normalize_phone(entry.phone)
    typed = {"first_name": entry.first_name, "last_name": entry.last_name,
             "email": normalize_email(entry.email), "phone": phone} | details
    changes = {name: value.strip() for name, value in typed.items()
               if value.strip() and value.strip() != str(getattr(customer, name) or "")}
    if changes:
        customer = customer_update(customer=customer, by=by, **changes)
    if entry.preferences:
        customer.preferences.add(*entry.preferences)
    if customer.assigned_to_id is None and by is not None and by.can_sell:
        client_assign(customer=customer, associate=by, by=by, reason="walk_in")
    return customer


def _record_consents(*, customer, by, entry: WalkInEntry, occasion, at, new: bool) -> None:
    """Each yes is for the address typed on the screen (the profile's when left blank)."""
    email = entry.email.strip() or customer.email
    number = entry.phone.strip() or str(customer.phone or "")
    answers = [
        {"channel": channel, "address": email if channel == Channel.EMAIL else number,
         "purpose": Purpose.OCCASION_REMINDERS, "granted": True,
         "method": ConsentMethod.TABLET, "occasion": occasion,
         "words": reminder_words(store=customer.store, channel=channel, number=number)}
        for channel, yes in entry.consents.items() if yes]
    if new:
        consents_record_first(customer=customer, answers=answers, by=by, at=at)
        return
    for answer in answers:
        consent_record(customer=customer, by=by, at=at, **answer)


def _visit_summary(entry: WalkInEntry) -> str:
    looked = f"Looked at {entry.looked_at.strip()}" if entry.looked_at.strip() else "Visited"
    if entry.bought:
        return f"{looked}; bought."
    why = f" ({entry.why_not.strip()})" if entry.why_not.strip() else ""
    return f"{looked}; did not buy{why}."


def new_walk_in_key() -> uuid.UUID:
    return uuid.uuid4()
