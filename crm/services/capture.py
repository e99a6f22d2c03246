"""The public sign-up forms (website voucher, monthly drawing) and their double opt-in.

Whoever fills in a public form may type anyone's email or phone, so the form changes nothing
on any profile: `sign_up_create` saves a SignUp and tells the rooms above (by signal) that an
address is waiting for its confirmation email. Only confirming the link in that email, with a
POST from the page it opens, applies the entry (`sign_up_confirm`): to the profile that has
the confirmed address, else to the profile with the same phone and name, else to a new
prospect; and records email consent for that address alone.
"""

import dataclasses
import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.audit import log_action
from core.errors import LoupeError
from crm.models import (
    Channel,
    ConsentMethod,
    Customer,
    DrawingEntry,
    InteractionKind,
    Occasion,
    OccasionKind,
    Purpose,
    SignUp,
    SignUpOutcome,
    Source,
    Voucher,
)
from crm.normalize import normalize_email, normalize_phone
from crm.selectors import sign_up_for_link
from crm.services.customers import (
    consent_record,
    customer_create,
    customer_update,
    interaction_add,
    occasion_add,
    occasion_checked,
)
from crm.services.promotions import Entered, Issued, drawing_enter, voucher_issue
from crm.signals import sign_up_received
from crm.wording import capture_words

# Sign-ups per IP address per hour: enough for a family at one home, too few for a script.
RATE_LIMIT = 5
RATE_WINDOW = datetime.timedelta(hours=1)
TOO_MANY = "Too many sign-ups from here: please try again later."


def ip_hash(ip: str) -> str:
    """A keyed hash of the client's IP address: enough to count, useless to anyone without
    the SECRET_KEY."""
    return salted_hmac("crm.sign_up.ip", ip or "", algorithm="sha256").hexdigest()


@transaction.atomic
def sign_up_create(*, store, source: str, ip: str, first_name: str, last_name: str = "",
                   email: str, phone: str = "", occasion: dict | None = None) -> SignUp:
    """Save a public form's entry, apart from every profile, and have its confirmation email
    put in the outbox (same transaction). Nothing else changes, for a known or a new person.

    Raises LoupeError beside the field for bad input, and with code "too_many" when this IP
    address already signed up RATE_LIMIT times in the last hour. The limit counts rows, so it
    needs no cache; two requests racing may both pass, which a rate limit can afford.
    """
    now = timezone.now()
    first_name = (first_name or "").strip()
    if not first_name:
        raise LoupeError("Please enter your first name.", field="first_name")
    email = normalize_email(email)
    if not email:
        raise LoupeError("Please enter your email address.", field="email")
    phone = normalize_phone(phone)
    occasion = _checked_occasion(occasion, today=store.today(now))
    hashed = ip_hash(ip)
    if SignUp.objects.filter(ip_hash=hashed, created_at__gte=now - RATE_WINDOW).count() \
            >= RATE_LIMIT:
        raise LoupeError(TOO_MANY, code="too_many")
    sign_up = SignUp.objects.create(
        store=store, source=source, first_name=first_name[:80],
        last_name=(last_name or "").strip()[:80], email=email, phone=phone,
        words=capture_words(store=store), ip_hash=hashed, created_at=now, **occasion)
    log_action(by=None, action="sign_up.received", obj=sign_up, at=now,
               data={"source": source})
    sign_up_received.send(sender=SignUp, sign_up=sign_up)
    return sign_up


def _checked_occasion(occasion: dict | None, *, today: datetime.date) -> dict:
    """The SignUp's occasion fields; a date that does not exist is refused beside the field."""
    if not occasion:
        return {}
    kind, month, day = occasion["kind"], occasion["month"], occasion["day"]
    year = occasion.get("year")
    occasion_checked(kind=kind, month=month, day=day, year=year, today=today,
                     prefix="occasion_")
    label = (occasion.get("label") or "").strip()[:80] if kind == OccasionKind.OTHER else ""
    return {"occasion_kind": kind, "occasion_month": month, "occasion_day": day,
            "occasion_year": year, "occasion_label": label}


@dataclasses.dataclass(frozen=True)
class Confirmation:
    sign_up: SignUp
    # Confirmed by an earlier request: this one changed nothing.
    already: bool
    # What the confirmation earned: a website sign-up's voucher, a drawing sign-up's entry
    # (each may be one the person already had).
    issued: Issued = Issued(voucher=None, earlier=False)
    entered: Entered = Entered(entry=None, drawing=None, earlier=False)


@transaction.atomic
def sign_up_confirm(*, token: str) -> Confirmation:
    """The person pressed "Confirm my email" on the page the link opened: apply the sign-up.

    Locks the sign-up, so a double tap or two tabs apply it once; a second call changes
    nothing and says so. A tampered or expired link raises LoupeError and changes nothing.
    In the sign-up's store, in this order:
    (a) a profile whose email or second email IS the confirmed address gets only what it
        lacks (phone, last name, an occasion of a kind it has none of); nothing is replaced;
    (b) else the profile with the typed phone and the same first and last name gets the
        address as its second email if that is free (never the main one), otherwise a note
        for staff; it also gets the occasion if it has none of that kind;
    (c) else a new prospect holds everything, except a phone that another profile has.
    Then email consent for the confirmed address only (events and news; occasion reminders
    too when the form named an occasion), with the words that were shown.
    """
    sign_up = sign_up_for_link(token=token)
    sign_up = (SignUp.objects.select_for_update(of=("self",)).select_related("store")
               .get(pk=sign_up.pk))
    if sign_up.is_confirmed:
        return Confirmation(sign_up=sign_up, already=True, **_earned_before(sign_up))
    now = timezone.now()
    customer, outcome, occasion, added = _apply(sign_up)
    _record_consent(sign_up, customer, occasion, now)
    sign_up.confirmed_at, sign_up.customer, sign_up.outcome = now, customer, outcome
    sign_up.save(update_fields=["confirmed_at", "customer", "outcome"])
    interaction_add(customer=customer, kind=InteractionKind.CHANGE, at=now,
                    summary=_timeline_summary(sign_up, outcome, added))
    log_action(by=None, action="sign_up.confirmed", obj=sign_up, at=now,
               data={"customer": customer.pk, "outcome": outcome, "added": added})
    earned = {}
    if sign_up.source == Source.WEBSITE:
        earned["issued"] = voucher_issue(sign_up=sign_up, customer=customer, now=now)
    elif sign_up.source == Source.DRAWING:
        earned["entered"] = drawing_enter(sign_up=sign_up, customer=customer, now=now)
    return Confirmation(sign_up=sign_up, already=False, **earned)


def _earned_before(sign_up: SignUp) -> dict:
    """What the first confirmation earned, for the page a second tap shows."""
    voucher = Voucher.objects.filter(sign_up=sign_up).select_related("program").first()
    entry = DrawingEntry.objects.filter(sign_up=sign_up).select_related("drawing").first()
    return {"issued": Issued(voucher=voucher, earlier=False),
            "entered": Entered(entry=entry, drawing=entry and entry.drawing, earlier=False)}


def _apply(sign_up: SignUp) -> tuple[Customer, str, Occasion | None, list[str]]:
    """Find (or create) the profile this confirmed sign-up belongs to and fill it in.

    Returns the profile, the outcome, the occasion on file for what the form named, and the
    names of what was added.
    """
    in_store = Customer.objects.for_store(sign_up.store).select_for_update()
    email = sign_up.email
    holders = list(in_store.filter(Q(email=email) | Q(secondary_email=email)).order_by("pk"))
    if holders:
        customer = next((c for c in holders if c.email == email), holders[0])
        added, occasion = _fill_blanks(customer, sign_up, in_store)
        return customer, SignUpOutcome.PROFILE, occasion, added
    phone = str(sign_up.phone or "")
    same_person = in_store.filter(
        phone=phone, first_name__iexact=sign_up.first_name,
        last_name__iexact=sign_up.last_name).order_by("pk").first() if phone else None
    if same_person is not None:
        added = []
        if not same_person.secondary_email:
            customer_update(customer=same_person, by=None, secondary_email=email)
            added.append("second email")
        occasion, occasion_added = _occasion_if_lacking(same_person, sign_up)
        added += occasion_added
        outcome = SignUpOutcome.SECOND_EMAIL if "second email" in added else SignUpOutcome.NOTED
        return same_person, outcome, occasion, added
    return _new_prospect(sign_up, in_store)


def _fill_blanks(customer: Customer, sign_up: SignUp, in_store) -> tuple[list[str],
                                                                          Occasion | None]:
    values, added = {}, []
    phone = str(sign_up.phone or "")
    if phone and not customer.phone \
            and not in_store.filter(phone=phone).exclude(pk=customer.pk).exists():
        values["phone"] = phone
        added.append("phone")
    if sign_up.last_name and not customer.last_name:
        values["last_name"] = sign_up.last_name
        added.append("last name")
    if values:
        customer_update(customer=customer, by=None, **values)
    occasion, occasion_added = _occasion_if_lacking(customer, sign_up)
    return added + occasion_added, occasion


def _occasion_if_lacking(customer: Customer, sign_up: SignUp) -> tuple[Occasion | None,
                                                                         list[str]]:
    """The form's occasion, added only if the profile has none of that kind; returns the
    profile's occasion of that kind (None if the form named none)."""
    wanted = sign_up.occasion
    if wanted is None:
        return None, []
    on_file = customer.occasions.filter(kind=wanted["kind"]).order_by("pk").first()
    if on_file is not None:
        return on_file, []
    occasion = occasion_add(customer=customer, prefix="occasion_", **wanted)
    return occasion, [str(occasion)]


def _new_prospect(sign_up: SignUp, in_store) -> tuple[Customer, str, Occasion | None,
                                                       list[str]]:
    phone = str(sign_up.phone or "")
    # Another profile's number (with another name, or (b) would have matched) stays theirs.
    if phone and in_store.filter(phone=phone).exists():
        phone = ""
    customer = customer_create(store=sign_up.store, by=None, source=sign_up.source,
                               first_name=sign_up.first_name, last_name=sign_up.last_name,
                               email=sign_up.email, phone=phone)
    occasion, added = _occasion_if_lacking(customer, sign_up)
    return customer, SignUpOutcome.NEW_PROSPECT, occasion, added


def _record_consent(sign_up: SignUp, customer: Customer, occasion: Occasion | None,
                    now) -> None:
    purposes = [Purpose.EVENTS]
    if sign_up.occasion_kind:
        purposes.append(Purpose.OCCASION_REMINDERS)
    for purpose in purposes:
        consent_record(customer=customer, channel=Channel.EMAIL, address=sign_up.email,
                       purpose=purpose, granted=True, method=ConsentMethod.WEB_FORM,
                       words=sign_up.words, at=now,
                       occasion=occasion if purpose == Purpose.OCCASION_REMINDERS else None,
                       note=f"Confirmed {sign_up.email} (sign-up #{sign_up.pk})")


def _timeline_summary(sign_up: SignUp, outcome: str, added: list[str]) -> str:
    form = sign_up.get_source_display().lower()
    said = f"Confirmed {sign_up.email} from the {form} form"
    extra = f"; added {', '.join(added)}" if added else ""
    if outcome == SignUpOutcome.NOTED:
        return (f"{sign_up.full_name} signed up from the {form} form with this phone number "
                f"and confirmed {sign_up.email}{extra}. That email is not on the profile (it "
                f"has two already): add it by hand if it is theirs.")
    if outcome == SignUpOutcome.NEW_PROSPECT:
        return f"Signed up from the {form} form and confirmed {sign_up.email}."
    return f"{said}{extra}."
