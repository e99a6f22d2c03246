"""Writes that matter for repairs: take-in, status moves, ready for pickup.

Each is one transaction with keyword-only arguments, audited with `log_action`.
"""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from core.audit import log_action
from core.errors import LoupeError
from core.one_line import check_one_line
from core.photos import photo_resized
from crm.models import Channel, ConsentMethod, Customer, InteractionKind, Purpose, Source
from crm.normalize import normalize_email, normalize_phone
from crm.selectors import customer_duplicates
from crm.services import consent_record, customer_create, customer_email_set, interaction_add
from followups.services import repair_ready_notify
from repairs.models import Envelope, EnvelopeCounter, EnvelopePhoto, Status, StatusChange

# The words the take-in screen shows beside each question; the consent ledger keeps them.
REPAIR_NOTICE_WORDS = ("We will email you about this repair only: when it is ready for pickup "
                       "or if the bench has a question about the work.")
REPAIR_TEXT_WORDS = "Text me at this number when my repair is ready for pickup."
MARKETING_WORDS = ("Yes, I would like emails about events, new arrivals and news from the "
                   "store. I can unsubscribe at any time.")

EMAIL_REQUIRED = ("An email address is required for every repair: we send the ready-for-pickup "
                  "notice there.")

# What to do when a returning customer gives a different email from the one on file.
EMAIL_REPLACE = "replace"
EMAIL_KEEP_BOTH = "keep"


@dataclass(frozen=True)
class NewCustomer:
    first_name: str
    last_name: str = ""


@dataclass(frozen=True)
class Item:
    item_type: str
    description: str
    work_requested: str
    metal: str = ""
    stones: str = ""
    condition: str = ""
    estimate: Decimal | None = None
    deposit: Decimal = Decimal("0")


def envelope_check_email(*, email: str) -> str:
    """The normalised email, or a LoupeError saying why a take-in needs one."""
    if not (email or "").strip():
        raise LoupeError(EMAIL_REQUIRED, field="email", code="required")
    return normalize_email(email)


def _check_item(item: Item, promised_on: datetime.date, today: datetime.date) -> None:
    if not item.description.strip():
        raise LoupeError("Please describe the piece.", field="item_description")
    if not item.work_requested.strip():
        raise LoupeError("Please say what work is requested.", field="work_requested")
    if item.estimate is not None and item.estimate < 0:
        raise LoupeError("The estimate cannot be negative.", field="estimate")
    if item.deposit < 0:
        raise LoupeError("The deposit cannot be negative.", field="deposit")
    if promised_on < today:
        raise LoupeError(f"The promised date {promised_on:%b %-d} has already passed; "
                         "please choose today or a later date.", field="promised_on")


def _lock_counter(store) -> EnvelopeCounter:
    """Lock the store's envelope counter until the take-in commits.

    Concurrent take-ins queue here, so each claims the next number and a double tap finds the
    first envelope once it has committed; a take-in that rolls back returns its number, so the
    sequence has no gaps. The row is created on the store's first take-in, after any envelopes
    already on file (say, loaded from the old paper book), by an insert that ignores a conflict,
    so two first take-ins cannot both create it.
    """
    counter = EnvelopeCounter.objects.select_for_update().filter(store=store).first()
    if counter is not None:
        return counter
    on_file = Envelope.objects.filter(store=store).aggregate(last=Max("number"))["last"] or 0
    EnvelopeCounter.objects.bulk_create([EnvelopeCounter(store=store, last_number=on_file)],
                                        ignore_conflicts=True)
    return EnvelopeCounter.objects.select_for_update().get(store=store)


def _claim_number(counter: EnvelopeCounter) -> int:
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _customer_for_take_in(*, store, customer, new_customer, email, phone, email_choice, by):
    if customer is None:
        if new_customer is None:
            raise LoupeError("Find the customer or enter a new customer's name.",
                             field="first_name")
        if customer_duplicates(store=store, email=email).exists():
            raise LoupeError(f"{email} is already on file: choose that customer instead of "
                             "creating a second profile.", field="email", code="duplicate")
        return customer_create(store=store, by=by, source=Source.REPAIR,
                               first_name=new_customer.first_name,
                               last_name=new_customer.last_name, email=email, phone=phone)
    if customer.store_id != store.pk:
        raise LoupeError("That customer belongs to another store.", field="customer")
    has_other_email = customer.email and email not in (customer.email,
                                                       customer.secondary_email)
    if has_other_email and email_choice not in (EMAIL_REPLACE, EMAIL_KEEP_BOTH):
        raise LoupeError(f"{customer.full_name}'s profile has {customer.email}. Replace it "
                         f"with {email}, or keep both?", field="email_choice",
                         code="email_choice")
    return customer_email_set(customer=customer, email=email,
                              keep_previous=email_choice == EMAIL_KEEP_BOTH, by=by)


def _record_consents(*, customer, by, email: str, phone: str, texts_ok: bool,
                     marketing_ok: bool, at) -> None:
    """Consent for the envelope's email and the number typed at the counter, nothing else."""
    consent_record(customer=customer, channel=Channel.EMAIL, address=email,
                   purpose=Purpose.REPAIR_NOTICES, granted=True, method=ConsentMethod.ENVELOPE,
                   words=REPAIR_NOTICE_WORDS, by=by, at=at)
    if texts_ok:
        consent_record(customer=customer, channel=Channel.SMS, address=phone,
                       purpose=Purpose.REPAIR_NOTICES, granted=True,
                       method=ConsentMethod.ENVELOPE, words=REPAIR_TEXT_WORDS, by=by,
                       at=at)
    # Marketing is its own question, unticked by default; silence records nothing.
    if marketing_ok:
        consent_record(customer=customer, channel=Channel.EMAIL, address=email,
                       purpose=Purpose.EVENTS, granted=True, method=ConsentMethod.ENVELOPE,
                       words=MARKETING_WORDS, by=by, at=at)


@transaction.atomic
def envelope_take_in(*, store, by, email: str, item: Item, promised_on: datetime.date,
                     customer: Customer | None = None, new_customer: NewCustomer | None = None,
                     phone: str = "", email_choice: str = "", texts_ok: bool = False,
                     marketing_ok: bool = False, take_in_key: uuid.UUID | None = None,
                     condition_photo=None) -> Envelope:
    """Take a piece in at the counter: customer found or created, email on their profile,
    repair-notice consent recorded, the next envelope number claimed.

    The same `take_in_key` twice (a double tap) returns the first envelope. Raises LoupeError
    (with the field) for a missing or invalid email, a past promised date, or a returning
    customer with a different email and no replace-or-keep choice.
    """
    now = timezone.now()
    email = envelope_check_email(email=email)
    phone = normalize_phone(phone)
    if texts_ok and not phone:
        raise LoupeError("Texts need a phone number.", field="phone")
    _check_item(item, promised_on, store.today(now))
    counter = _lock_counter(store)
    if take_in_key is not None:
        already = Envelope.objects.filter(store=store, take_in_key=take_in_key).first()
        if already is not None:
            return already
    customer = _customer_for_take_in(store=store, customer=customer, new_customer=new_customer,
                                     email=email, phone=phone, email_choice=email_choice,
                                     by=by)
    _record_consents(customer=customer, by=by, email=email, phone=phone,
                     texts_ok=texts_ok, marketing_ok=marketing_ok, at=now)
    envelope = Envelope.objects.create(
        store=store, customer=customer, number=_claim_number(counter), take_in_key=take_in_key,
        email=email, phone=phone, item_type=item.item_type,
        item_description=item.description.strip(), metal=item.metal.strip(),
        stones=item.stones.strip(), condition=item.condition.strip(),
        work_requested=item.work_requested.strip(), estimate=item.estimate,
        deposit=item.deposit, promised_on=promised_on, taken_in_by=by,
        taken_in_at=now, status=Status.RECEIVED,
    )
    StatusChange.objects.create(envelope=envelope, to_status=Status.RECEIVED,
                                changed_by=by, changed_at=now)
    if condition_photo is not None:
        envelope_photo_add(envelope=envelope, upload=condition_photo, by=by,
                           field="condition_photo")
    interaction_add(customer=customer, kind=InteractionKind.REPAIR, by=by, at=now,
                    summary=f"Repair #{envelope.number} taken in: {envelope.item_description} "
                            f"({envelope.work_requested[:80]}).")
    log_action(by=by, action="envelope.taken_in", obj=envelope, at=now,
               data={"number": envelope.number, "customer": customer.pk})
    return envelope


_TIMELINE = {
    Status.READY: "Repair #{n} is ready for pickup.",
    Status.PICKED_UP: "Repair #{n} picked up.",
    Status.CANCELLED: "Repair #{n} cancelled: {note}",
}

CANCEL_REASON_REQUIRED = "Say why the repair is cancelled: it goes on the envelope's history."


@transaction.atomic
def envelope_status_change(*, envelope: Envelope, to_status: str, by, note: str = ""
                           ) -> Envelope:
    """Move the envelope to `to_status` and record the step.

    Locks the envelope so two taps cannot both move it. Asking for the status it already
    has changes nothing (a double tap); any other move not in TRANSITIONS is refused.
    Ready for pickup tells the customer so through the follow-ups outbox, whoever moves it
    (at most one notice per envelope and channel, sent after commit). Cancelling needs a
    reason (`note`): it goes on the envelope's history and the customer's timeline.
    """
    note = note.strip()
    if to_status == Status.CANCELLED and not note:
        raise LoupeError(CANCEL_REASON_REQUIRED, field="note", code="reason_required")
    now = timezone.now()
    locked = Envelope.objects.select_for_update().get(pk=envelope.pk)
    if locked.status == to_status:
        return locked
    if not locked.can_move_to(to_status):
        raise LoupeError(
            f"Envelope #{locked.number} is {locked.get_status_display().lower()}; it cannot "
            f"go straight to {Status(to_status).label.lower()}.", field="to_status",
            code="illegal_transition")
    from_status = locked.status
    locked.status = to_status
    fields = ["status"]
    if to_status == Status.READY:
        locked.ready_at, fields = now, [*fields, "ready_at"]
    if to_status in (Status.PICKED_UP, Status.CANCELLED):
        locked.closed_at, fields = now, [*fields, "closed_at"]
    locked.save(update_fields=fields)
    StatusChange.objects.create(envelope=locked, from_status=from_status, to_status=to_status,
                                changed_by=by, changed_at=now, note=note)
    if to_status in _TIMELINE:
        interaction_add(customer=locked.customer, kind=InteractionKind.REPAIR, by=by, at=now,
                        summary=_TIMELINE[to_status].format(n=locked.number, note=note))
    log_action(by=by, action="envelope.status_changed", obj=locked, at=now,
               data={"from": from_status, "to": to_status} | ({"note": note} if note else {}))
    if to_status == Status.READY:
        repair_ready_notify(envelope=locked, by=by)
    return locked


@transaction.atomic
def envelope_photo_add(*, envelope: Envelope, upload, by, caption: str = "",
                       field: str = "photo") -> EnvelopePhoto:
    """Keep a resized photo of the piece's condition (a bad file: LoupeError beside
    `field`, and at take-in nothing of the envelope is saved)."""
    caption = (caption or "").strip()[:120]
    check_one_line({"caption": caption}, ["caption"])
    image, width, height = photo_resized(upload, field=field)
    photo = EnvelopePhoto(store=envelope.store, envelope=envelope, caption=caption,
                          width=width, height=height, taken_by=by, created_at=timezone.now())
    photo.image.save(image.name, image, save=False)
    photo.save()
    log_action(by=by, action="envelope.photo_added", obj=envelope,
               data={"photo": photo.pk})
    return photo
