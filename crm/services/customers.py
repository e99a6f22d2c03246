"""Writes that matter for customers. Each is one transaction with keyword-only arguments."""

import calendar
import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.audit import log_action, user_of
from core.errors import LoupeError
from core.one_line import check_one_line
from crm.models import (
    Consent,
    Customer,
    Interaction,
    InteractionKind,
    Occasion,
    OccasionKind,
    Purchase,
)
from crm.normalize import consent_address, normalize_email, normalize_phone, phone_national
from crm.services.assignment import client_first_assign
from crm.services.privacy import NOT_AN_ASK, address_erased
from crm.services.timeline import interaction_add

# What `customer_create(**profile)` may set besides name and contact.
PROFILE_FIELDS = {"address_line", "city", "region", "postal_code", "partner_name", "notes",
                  "secondary_email", "contact_preference"}
# Fields that go into a greeting, a subject or an envelope line: no line breaks.
ONE_LINE_FIELDS = ["first_name", "last_name", "partner_name", "address_line", "city", "region",
                   "postal_code"]


@transaction.atomic
def consent_record(*, customer: Customer, channel: str, address: str, purpose: str,
                   granted: bool, method: str, words: str = "", by=None,
                   occasion=None, note: str = "", at=None) -> Consent:
    """Append a grant or a revocation for one address to the ledger; the latest row for the
    (address, channel, purpose) is the current state.

    `address` is the email or number the customer gave it for (normalised here; a LoupeError
    if blank). Recording the state that is already current adds no row, so a webhook
    delivered twice or a double tap leaves one entry.
    """
    address = consent_address(address, channel=channel)
    # Lock the customer so two concurrent recordings for one customer serialise.
    Customer.objects.select_for_update().filter(pk=customer.pk).first()
    current = Consent.objects.current_row(customer=customer, channel=channel, address=address,
                                          purpose=purpose)
    return _consent_appended(customer=customer, current=current, channel=channel,
                             address=address, purpose=purpose, granted=granted, method=method,
                             words=words, by=by, occasion=occasion, note=note, at=at)


def consents_record_first(*, customer: Customer, answers: list[dict], by=None,
                          at=None) -> list[Consent]:
    """`consent_record` for each of `answers` (dicts of its keyword arguments but customer,
    by and at) on a profile inserted in the caller's transaction (call inside it): nobody
    else can see it, so nothing to lock and no state current yet; one insert for the rows and
    one for their history."""
    at = at or timezone.now()
    rows = [Consent(customer=customer, recorded_by=by, created_at=at, **answer)
            for answer in answers]
    for row in rows:
        row.address = consent_address(row.address, channel=row.channel)
    rows = [row for row in rows if not _stays_closed(customer, row.address, row.granted,
                                                     row.method)]
    bulk_create_with_history(rows, Consent, default_user=user_of(by), default_date=at)
    for row in rows:
        _consent_logged(row, by=by, at=at)
    return rows


def _stays_closed(customer, address, granted, method) -> bool:
    """An erased address opens again only when the person asks again
    (crm.services.privacy)."""
    return granted and method in NOT_AN_ASK and address_erased(store=customer.store,
                                                               address=address)


def _consent_logged(consent, *, by, at) -> None:
    log_action(by=by, action="consent.granted" if consent.granted else "consent.revoked",
               obj=consent.customer, at=at,
               data={"channel": consent.channel, "address": consent.address,
                     "purpose": consent.purpose, "method": consent.method})


def _consent_appended(*, customer, current, channel, address, purpose, granted, method, words,
                      by, occasion, note, at) -> Consent:
    at = at or timezone.now()
    if _stays_closed(customer, address, granted, method):
        return current
    if current is not None and current.granted == granted and current.method == method:
        return current
    consent = Consent.objects.create(
        customer=customer, channel=channel, address=address, purpose=purpose, granted=granted,
        method=method, words=words, recorded_by=by, occasion=occasion, note=note,
        created_at=at,
    )
    _consent_logged(consent, by=by, at=at)
    return consent


@transaction.atomic
def customer_create(*, store, by, source: str, first_name: str, last_name: str = "",
                    email: str = "", phone: str = "", **profile) -> Customer:
    """Create a profile with normalised contact details.

    A salesperson or manager who creates a customer with no associate becomes their associate
    (reason walk-in). Raises LoupeError (with the field) for a missing name or a bad contact.
    """
    return customer_add(store=store, by=by, source=source, first_name=first_name,
                        last_name=last_name, email=email, phone=phone, **profile)


def customer_add(*, store, by, source: str, first_name: str, last_name: str = "",
                 email: str = "", phone: str = "", visited_at=None, **profile) -> Customer:
    """`customer_create` inside the caller's transaction (a walk-in writes the whole visit in
    one, with no savepoint per step); `visited_at` is their visit, if this is one."""
    unknown = set(profile) - PROFILE_FIELDS - {"preferences"}
    if unknown:
        raise TypeError(f"customer_create() got unexpected profile fields {sorted(unknown)}")
    first_name = (first_name or "").strip()
    if not first_name:
        raise LoupeError("Please enter the customer's first name.", field="first_name")
    check_one_line({"first_name": first_name, "last_name": (last_name or "").strip(),
                    **{k: str(v).strip() for k, v in profile.items() if isinstance(v, str)}},
                   ONE_LINE_FIELDS)
    preferences = profile.pop("preferences", None)
    if profile.get("secondary_email"):
        profile["secondary_email"] = normalize_email(profile["secondary_email"],
                                                     field="secondary_email")
    at = timezone.now()
    # Their first associate goes in with the row (client_first_assign records it).
    associate = by if by is not None and by.can_sell else None
    customer = Customer.objects.create(
        store=store, first_name=first_name, last_name=(last_name or "").strip(),
        email=normalize_email(email), phone=normalize_phone(phone), source=source,
        assigned_to=associate, last_visit_at=visited_at, **profile,
    )
    if preferences:
        # A new profile likes nothing yet: one insert instead of set()'s read, diff and insert.
        Likes = Customer.preferences.through  # noqa: N806
        ids = dict.fromkeys(getattr(preference, "pk", preference) for preference in preferences)
        Likes.objects.bulk_create([Likes(customer=customer, preference_id=pk) for pk in ids])
    log_action(by=by, action="customer.created", obj=customer,
               data={"source": source}, at=at)
    if associate is not None:
        client_first_assign(customer=customer, by=by, reason="walk_in", at=at)
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
    interaction_add(customer=locked, kind=InteractionKind.CHANGE, summary=summary, by=by)
    log_action(by=by, action="customer.email_set", obj=locked,
               data={"from": old, "to": new, "keep_previous": keep_previous})
    return locked


# Fields an associate may edit on the profile page (contact details are normalised).
EDITABLE_FIELDS = ["first_name", "last_name", "email", "secondary_email", "phone",
                   "contact_preference", "address_line", "city", "region", "postal_code",
                   "partner_name", "notes"]


@transaction.atomic
def customer_update(*, customer: Customer, by, **values) -> Customer:
    """Change profile fields; history records the before and after, the audit log who."""
    unknown = set(values) - set(EDITABLE_FIELDS) - {"preferences"}
    if unknown:
        raise TypeError(f"customer_update() got unexpected fields {sorted(unknown)}")
    preferences = values.pop("preferences", None)
    if "first_name" in values and not (values["first_name"] or "").strip():
        raise LoupeError("Please enter the customer's first name.", field="first_name")
    check_one_line({k: v.strip() for k, v in values.items() if isinstance(v, str)},
                   ONE_LINE_FIELDS)
    for name in ("email", "secondary_email"):
        if name in values:
            values[name] = normalize_email(values[name], field=name)
    if "phone" in values:
        values["phone"] = normalize_phone(str(values["phone"] or ""))
    changed = [name for name, value in values.items() if getattr(customer, name) != value]
    before = {name: getattr(customer, name) for name in changed if name in CONTACT_LABELS}
    for name in changed:
        setattr(customer, name, values[name])
    if changed:
        customer.save(update_fields=[*changed, "updated_at"])
    contact_changes_note(customer=customer, before=before, by=by)
    if preferences is not None:
        customer.preferences.set(preferences)
    log_action(by=by, action="customer.changed", obj=customer,
               data={"fields": changed})
    return customer


CONTACT_LABELS = {"email": "Email", "secondary_email": "Second email", "phone": "Phone"}


def _contact_shown(name: str, value) -> str:
    text = str(value or "")
    return phone_national(text) if name == "phone" and text else text


def contact_changes_note(*, customer: Customer, before: dict, by, via: str = "",
                         at=None) -> None:
    """Put each email or phone that changed from `before` on the timeline, old and new
    (inside the change's transaction): consent was given for an address, so a new one is
    worth seeing."""
    for name, old in before.items():
        label = CONTACT_LABELS[name]
        old, new = _contact_shown(name, old), _contact_shown(name, getattr(customer, name))
        if old == new:
            continue
        if old and new:
            summary = f"{label} changed from {old} to {new}"
        else:
            summary = f"{label} set to {new}" if new else f"{label} {old} removed"
        interaction_add(customer=customer, kind=InteractionKind.CHANGE, by=by, at=at,
                        summary=f"{summary}{via}.")


def occasion_checked(*, kind: str, month: int, day: int, year: int | None,
                     today: datetime.date, prefix: str = "") -> None:
    """Refuse a date that does not exist (Feb 30) or a birthday in the future.

    `prefix` names the form fields the error belongs beside (e.g. "anniversary_").
    """
    if not 1 <= month <= 12:
        raise LoupeError("Choose a month.", field=f"{prefix}month")
    longest = 29 if month == 2 else calendar.monthrange(2001, month)[1]
    if not 1 <= day <= longest:
        raise LoupeError(f"{calendar.month_name[month]} has no day {day}.", field=f"{prefix}day")
    if year is None:
        return
    if month == 2 and day == 29 and not calendar.isleap(year):
        raise LoupeError(f"{year} had no February 29.", field=f"{prefix}day")
    birthday = kind in (OccasionKind.BIRTHDAY, OccasionKind.PARTNER_BIRTHDAY)
    if birthday and (year, month, day) > (today.year, today.month, today.day):
        raise LoupeError("A birthday cannot be in the future.", field=f"{prefix}year")
    if year < 1900 or year > today.year + 5:
        raise LoupeError("That year does not look right.", field=f"{prefix}year")


@transaction.atomic
def occasion_add(*, customer: Customer, kind: str, month: int, day: int, year: int | None = None,
                 label: str = "", by=None, prefix: str = "") -> Occasion:
    """Add a yearly date; the same kind and date again returns the existing one."""
    occasion_checked(kind=kind, month=month, day=day, year=year,
                     today=customer.store.today(), prefix=prefix)
    check_one_line({f"{prefix}label": (label or "").strip()}, [f"{prefix}label"])
    occasion, created = Occasion.objects.get_or_create(
        customer=customer, kind=kind, month=month, day=day,
        defaults={"year": year, "label": (label or "").strip()[:80]},
    )
    if created:
        log_action(by=by, action="occasion.added", obj=customer,
                   data={"kind": kind, "month": month, "day": day, "year": year})
    return occasion


def occasions_add_first(*, customer: Customer, dates: list[dict], by, at) -> list[Occasion]:
    """The dates told for a profile inserted in the caller's transaction (call inside it),
    each a dict of kind, month, day, year, label and the form's field prefix, checked as
    `occasion_add` checks them and written in one insert (and one for their history). One
    date per kind (ValueError otherwise): for more, `occasion_record`, one at a time, decides
    what each corrects."""
    today = customer.store.today(at)
    occasions = []
    for date in dates:
        occasion_checked(kind=date["kind"], month=date["month"], day=date["day"],
                         year=date["year"], today=today, prefix=date["prefix"])
        label = f"{date['prefix']}label"
        check_one_line({label: (date["label"] or "").strip()}, [label])
        occasions.append(Occasion(customer=customer, kind=date["kind"], month=date["month"],
                                  day=date["day"], year=date["year"],
                                  label=(date["label"] or "").strip()[:80]))
    if len({o.kind for o in occasions}) < len(occasions):
        raise ValueError("occasions_add_first() takes one date per kind")
    bulk_create_with_history(occasions, Occasion, default_user=user_of(by), default_date=at)
    for occasion in occasions:
        log_action(by=by, action="occasion.added", obj=customer, at=at,
                   data={"kind": occasion.kind, "month": occasion.month, "day": occasion.day,
                         "year": occasion.year})
    return occasions


@transaction.atomic
def customer_note_add(*, customer: Customer, text: str, by) -> Interaction:
    text = (text or "").strip()
    if not text:
        raise LoupeError("Write the note first.", field="text")
    note = interaction_add(customer=customer, kind=InteractionKind.NOTE, summary=text, by=by)
    log_action(by=by, action="customer.note_added", obj=customer)
    return note


@transaction.atomic
def purchase_record(*, customer: Customer, purchased_on: datetime.date, amount: Decimal,
                    description: str = "", by=None, pos_reference: str = "",
                    wedding_date: datetime.date | None = None) -> Purchase:
    """Record a sale: the purchase, the customer's totals (a prospect no more), the timeline.

    A bridal purchase's `wedding_date` becomes the customer's anniversary (with its year).
    """
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    locked.store = customer.store
    purchase = purchase_add(customer=locked, purchased_on=purchased_on, amount=amount,
                            description=description, by=by, pos_reference=pos_reference,
                            wedding_date=wedding_date)
    for name in ("lifetime_value", "first_purchase_on", "last_purchase_on"):
        setattr(customer, name, getattr(locked, name))
    return purchase


def purchase_add(*, customer: Customer, purchased_on: datetime.date, amount: Decimal,
                 description: str = "", by=None, pos_reference: str = "",
                 wedding_date: datetime.date | None = None) -> Purchase:
    """`purchase_record` inside the caller's transaction, for a customer it holds locked or
    inserted itself: their totals are `customer`'s, which no one else can change meanwhile
    (a walk-in's purchase costs no second lock, no savepoint and no re-read)."""
    if amount is None or amount < 0:
        raise LoupeError("Enter the amount paid.", field="amount")
    if purchased_on > customer.store.today():
        raise LoupeError("A purchase cannot be in the future.", field="purchased_on")
    purchase = Purchase.objects.create(store=customer.store, customer=customer,
                                       purchased_on=purchased_on, amount=amount,
                                       description=(description or "").strip()[:200],
                                       associate=by, pos_reference=pos_reference)
    customer.lifetime_value += amount
    customer.first_purchase_on = min(filter(None, [customer.first_purchase_on, purchased_on]))
    customer.last_purchase_on = max(filter(None, [customer.last_purchase_on, purchased_on]))
    Customer.objects.filter(pk=customer.pk).update(
        lifetime_value=customer.lifetime_value, first_purchase_on=customer.first_purchase_on,
        last_purchase_on=customer.last_purchase_on)
    interaction_add(customer=customer, kind=InteractionKind.PURCHASE, by=by,
                    summary=f"Bought {purchase.description or 'a piece'} for ${amount:,.2f}")
    if wedding_date is not None:
        try:
            occasion_add(customer=customer, kind=OccasionKind.ANNIVERSARY,
                         month=wedding_date.month, day=wedding_date.day, year=wedding_date.year,
                         by=by)
        except LoupeError as exc:
            raise LoupeError(exc.message, field="wedding_date") from exc
    log_action(by=by, action="purchase.recorded", obj=customer,
               data={"amount": str(amount), "purchased_on": purchased_on.isoformat()})
    return purchase
