"""The website voucher and the monthly drawing: what a confirmed public sign-up earns, the
counter's redemption, and the manager's draw.

Nothing here runs before an address is confirmed: `sign_up_confirm` calls `voucher_issue`
or `drawing_enter` inside its own transaction. The rooms above hear of a voucher issued and
of a winner drawn through crm.signals (followups emails them through its outbox).
"""

import dataclasses
import datetime
import re
import secrets
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import log_action
from core.errors import LoupeError
from crm.models import (
    Customer,
    Drawing,
    DrawingEntry,
    SignUp,
    Voucher,
    VoucherKind,
    VoucherProgram,
)
from crm.services.customers import purchase_record
from crm.signals import drawing_winner_drawn, voucher_issued

# Capitals and digits that cannot be mistaken for one another (no 0/O, 1/I/L, 5/S, 2/Z,
# 8/B): read out over the counter or typed from a crumpled printout. 8 of 25 symbols is
# about 2**37 codes; a lookup needs a staff login, so guessing one is out of reach.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8
_NOT_CODE = re.compile(r"[^A-Z0-9]")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What was typed or scanned (the QR code reads "ABCD-EFGH"), as stored: capitals, no
    dash or spaces."""
    return _NOT_CODE.sub("", (text or "").upper())[:16]


# ---------------------------------------------------------------------------------------
# The voucher program


@transaction.atomic
def voucher_program_set(*, store, kind: str, value: Decimal, minimum_purchase: Decimal,
                        valid_days: int, terms: str, by) -> VoucherProgram:
    """Offer a new website voucher from now on; the one before stops being offered (the
    vouchers it issued stay good until they expire)."""
    if kind not in VoucherKind.values:
        raise LoupeError("Choose an amount or a percentage.", field="kind")
    if value is None or value <= 0:
        raise LoupeError("The voucher must be worth something.", field="value")
    if kind == VoucherKind.PERCENT and value > 100:
        raise LoupeError("A percentage is at most 100.", field="value")
    if minimum_purchase is None or minimum_purchase < 0:
        raise LoupeError("Enter a minimum purchase of 0 or more.", field="minimum_purchase")
    if not valid_days or valid_days < 1:
        raise LoupeError("A voucher is valid for at least one day.", field="valid_days")
    terms = (terms or "").strip()
    if not terms:
        raise LoupeError("Write the terms the customer will see.", field="terms")
    now = timezone.now()
    VoucherProgram.objects.filter(store=store, active=True).update(active=False)
    program = VoucherProgram.objects.create(
        store=store, kind=kind, value=value, minimum_purchase=minimum_purchase,
        valid_days=valid_days, terms=terms, created_at=now, created_by=by)
    log_action(by=by, action="voucher_program.set", obj=program, at=now,
               data={"offer": program.offer, "valid_days": valid_days})
    return program


@transaction.atomic
def voucher_program_end(*, store, by) -> None:
    """Stop offering a voucher on the website (issued vouchers stay good)."""
    now = timezone.now()
    ended = VoucherProgram.objects.filter(store=store, active=True).update(active=False)
    if ended:
        log_action(by=by, action="voucher_program.ended", store=store, at=now)


# ---------------------------------------------------------------------------------------
# Issuing, on confirmation


@dataclasses.dataclass(frozen=True)
class Issued:
    voucher: Voucher | None
    # The person already had this program's voucher: nothing new was issued.
    earlier: bool


def voucher_issue(*, sign_up: SignUp, customer: Customer, now) -> Issued:
    """Issue the store's current voucher to the person who just confirmed `sign_up` (called
    inside `sign_up_confirm`'s transaction, with the customer row locked). One per person and
    program: a person who has it already keeps theirs and gets no second one."""
    program = VoucherProgram.objects.filter(store=sign_up.store, active=True).first()
    if program is None:
        return Issued(voucher=None, earlier=False)
    # Two sign-ups of one person confirmed at once: the second waits here, then finds the first.
    Customer.objects.select_for_update().filter(pk=customer.pk).exists()
    earlier = Voucher.objects.filter(program=program, customer=customer).first()
    if earlier is not None:
        return Issued(voucher=earlier, earlier=True)
    last_day = sign_up.store.today(now) + datetime.timedelta(days=program.valid_days)
    # Valid through the store's last day, to its end.
    expires_at = datetime.datetime.combine(last_day + datetime.timedelta(days=1),
                                           datetime.time.min, tzinfo=sign_up.store.tz)
    voucher = _create_with_fresh_code(
        store=sign_up.store, program=program, customer=customer, sign_up=sign_up,
        email=sign_up.email, issued_at=now, expires_at=expires_at)
    log_action(by=None, action="voucher.issued", obj=voucher, at=now,
               data={"customer": customer.pk, "sign_up": sign_up.pk, "offer": program.offer})
    voucher_issued.send(sender=Voucher, voucher=voucher)
    return Issued(voucher=voucher, earlier=False)


def _create_with_fresh_code(**fields) -> Voucher:
    """A collision of two random codes is rare but possible: try another code, in a
    savepoint so the transaction around survives the unique violation."""
    for _ in range(5):
        try:
            with transaction.atomic():
                return Voucher.objects.create(code=new_code(), **fields)
        except IntegrityError:
            continue
    raise LoupeError("Could not issue a voucher code; please try again.")


# ---------------------------------------------------------------------------------------
# The counter


@dataclasses.dataclass(frozen=True)
class Lookup:
    """What the counter sees for a code: the voucher (None when unknown here) and whether it
    may be redeemed now; `problem` says why not, with when."""

    code: str
    voucher: Voucher | None
    problem: str

    @property
    def redeemable(self) -> bool:
        return self.voucher is not None and not self.problem


def voucher_lookup(*, store, code: str, now=None) -> Lookup:
    """Read only: the voucher with this code in `store`, and what stands in its way."""
    now = now or timezone.now()
    code = normalize_code(code)
    if not code:
        return Lookup(code=code, voucher=None, problem="Type or scan a voucher code.")
    voucher = (Voucher.objects.select_related("program", "customer", "redeemed_by", "purchase",
                                              "store")
               .filter(code=code).first())
    return Lookup(code=code, voucher=voucher if voucher and voucher.store_id == store.pk
                  else None, problem=_problem(voucher, store=store, now=now, code=code))


def _problem(voucher: Voucher | None, *, store, now, code: str) -> str:
    if voucher is None:
        return f"No voucher has the code {code}. Check the letters and try again."
    if voucher.store_id != store.pk:
        return (f"Voucher {voucher.shown_code} was issued by {voucher.store.name}, not this "
                f"store: it cannot be redeemed here.")
    if voucher.redeemed_at is not None:
        when = timezone.localtime(voucher.redeemed_at, store.tz)
        who = voucher.redeemed_by.display_name if voucher.redeemed_by else "someone"
        return (f"Voucher {voucher.shown_code} was already used on {when:%b %d, %Y at %H:%M} "
                f"(by {who}).")
    if voucher.expires_at <= now:
        return (f"Voucher {voucher.shown_code} expired: it was valid through "
                f"{voucher.valid_through:%b %d, %Y}.")
    return ""


@transaction.atomic
def voucher_redeem(*, store, code: str, total: Decimal, description: str = "",
                   by) -> Voucher:
    """Redeem a voucher against a purchase of `total` (before the voucher) made now.

    Records the purchase (what was paid, the discount taken off) and the visit, so the
    person leaves POTENTIAL. Two associates redeeming the same code at once: the row lock
    makes the second wait and then find it used; the conditional update that must change
    exactly one row says the same should anything bypass the lock. A used, expired,
    unknown or other store's code, or a purchase under the minimum, changes nothing.
    """
    now = timezone.now()
    code = normalize_code(code)
    found = Voucher.objects.filter(code=code).values_list("pk", flat=True).first()
    if found is not None:
        # Lock before reading its state: the second of two racing redemptions reads it used.
        Voucher.objects.select_for_update().filter(pk=found).exists()
    lookup = voucher_lookup(store=store, code=code, now=now)
    if not lookup.redeemable:
        raise LoupeError(lookup.problem, field="code", code="not_redeemable")
    voucher, program = lookup.voucher, lookup.voucher.program
    if total is None or total <= 0:
        raise LoupeError("Enter the purchase total before the voucher.", field="total")
    if total < program.minimum_purchase:
        raise LoupeError(f"This voucher needs a purchase of ${program.minimum_purchase:,.2f} or "
                         f"more (this one is ${total:,.2f}).", field="total")
    discount = program.discount_on(total)
    what = (description or "").strip() or "a piece"
    purchase = purchase_record(
        customer=voucher.customer, purchased_on=store.today(now), amount=total - discount,
        description=f"{what} (voucher {voucher.shown_code}: ${discount:,.2f} off)"[:200], by=by)
    claimed = Voucher.objects.filter(pk=voucher.pk, redeemed_at__isnull=True,
                                     expires_at__gt=now).update(
        redeemed_at=now, redeemed_by=by, purchase=purchase, discount=discount)
    if claimed != 1:
        raise LoupeError(f"Voucher {voucher.shown_code} was just used at another register.",
                         field="code", code="not_redeemable")
    Customer.objects.filter(pk=voucher.customer_id).update(last_visit_at=now)
    log_action(by=by, action="voucher.redeemed", obj=voucher, at=now,
               data={"purchase": purchase.pk, "total": str(total), "discount": str(discount)})
    voucher.refresh_from_db()
    return voucher


# ---------------------------------------------------------------------------------------
# The monthly drawing


@transaction.atomic
def drawing_create(*, store, month: datetime.date, prize: str, rules: str,
                   closes_on: datetime.date, by) -> Drawing:
    """Set up the store's drawing for `month`: open from now (or the month's first day, if
    later) until the end of `closes_on` in the store's timezone."""
    now = timezone.now()
    prize, rules = (prize or "").strip(), (rules or "").strip()
    if not prize:
        raise LoupeError("Name the prize.", field="prize")
    if not rules:
        raise LoupeError("Write the official rules (they are shown to the public).",
                         field="rules")
    month = month.replace(day=1)
    tz = store.tz
    opens_at = max(now, datetime.datetime.combine(month, datetime.time.min, tzinfo=tz))
    closes_at = datetime.datetime.combine(closes_on + datetime.timedelta(days=1),
                                          datetime.time.min, tzinfo=tz)
    if closes_at <= opens_at:
        raise LoupeError("The closing date must be after the drawing opens.",
                         field="closes_on")
    if Drawing.objects.for_store(store).filter(month=month).exists():
        raise LoupeError(f"There is already a drawing for {month:%B %Y}.", field="month")
    overlapping = Drawing.objects.for_store(store).filter(
        opens_at__lt=closes_at, closes_at__gt=opens_at).first()
    if overlapping is not None:
        raise LoupeError(f"The {overlapping.month:%B %Y} drawing takes entries until "
                         f"{timezone.localtime(overlapping.closes_at, tz):%b %d}: close it "
                         f"first, or choose a later month.", field="month")
    drawing = Drawing.objects.create(store=store, month=month, prize=prize, rules=rules,
                                     opens_at=opens_at, closes_at=closes_at, created_at=now,
                                     created_by=by)
    log_action(by=by, action="drawing.created", obj=drawing, at=now,
               data={"prize": prize, "closes_at": closes_at.isoformat()})
    return drawing


@dataclasses.dataclass(frozen=True)
class Entered:
    entry: DrawingEntry | None
    drawing: Drawing | None
    # This person was already in this drawing: acknowledged, not counted again.
    earlier: bool


def drawing_enter(*, sign_up: SignUp, customer: Customer, now) -> Entered:
    """Enter the person who just confirmed a drawing sign-up in the store's open drawing
    (called inside `sign_up_confirm`'s transaction). One entry per person: the confirmed
    address, or the profile it was applied to, already in the drawing keeps its entry."""
    drawing = (Drawing.objects.for_store(sign_up.store).open_at(now)
               .select_for_update().order_by("closes_at").first())
    if drawing is None:
        return Entered(entry=None, drawing=None, earlier=False)
    earlier = drawing.entries.filter(Q(email=sign_up.email) | Q(customer=customer)).first()
    if earlier is not None:
        log_action(by=None, action="drawing.entry_repeated", obj=drawing, at=now,
                   data={"sign_up": sign_up.pk, "entry": earlier.pk})
        return Entered(entry=earlier, drawing=drawing, earlier=True)
    entry = DrawingEntry.objects.create(drawing=drawing, customer=customer, sign_up=sign_up,
                                        email=sign_up.email, name=sign_up.full_name,
                                        phone=sign_up.phone, entered_at=now)
    log_action(by=None, action="drawing.entered", obj=drawing, at=now,
               data={"entry": entry.pk, "customer": customer.pk, "sign_up": sign_up.pk})
    return Entered(entry=entry, drawing=drawing, earlier=False)


@transaction.atomic
def drawing_close(*, drawing: Drawing, by) -> Drawing:
    """Stop taking entries now (before the closing date set up front)."""
    now = timezone.now()
    drawing = Drawing.objects.select_for_update().get(pk=drawing.pk)
    if drawing.closes_at <= now:
        return drawing
    if drawing.opens_at >= now:
        raise LoupeError("This drawing has not opened yet: there is nothing to close.")
    drawing.closes_at = now
    drawing.save(update_fields=["closes_at"])
    log_action(by=by, action="drawing.closed", obj=drawing, at=now,
               data={"entries": drawing.entries.count()})
    return drawing


@transaction.atomic
def drawing_draw(*, drawing: Drawing, by) -> Drawing:
    """Draw the winner among the drawing's entries, once, after it closed.

    The drawing row is locked, so two managers pressing at once draw one winner: the second
    finds it drawn and is told by whom. The pick is `secrets.SystemRandom` (the operating
    system's randomness, which nobody at the store can steer or replay), recorded in the
    audit log with the number of entries it was made among.
    """
    now = timezone.now()
    drawing = (Drawing.objects.select_for_update(of=("self",)).select_related("store",
                                                                                "drawn_by")
               .get(pk=drawing.pk))
    tz = drawing.store.tz
    if drawing.drawn_at is not None:
        who = drawing.drawn_by.display_name if drawing.drawn_by else "someone"
        raise LoupeError(f"The winner was already drawn on "
                         f"{timezone.localtime(drawing.drawn_at, tz):%b %d at %H:%M} by {who}.",
                         code="drawn")
    if drawing.closes_at > now:
        raise LoupeError(f"The drawing is still open until "
                         f"{timezone.localtime(drawing.closes_at, tz):%b %d at %H:%M}: close "
                         f"it first.", code="open")
    entry_ids = list(drawing.entries.order_by("pk").values_list("pk", flat=True))
    if not entry_ids:
        raise LoupeError("Nobody entered this drawing: there is no winner to draw.",
                         code="empty")
    winner_id = secrets.SystemRandom().choice(entry_ids)
    drawing.winner_id, drawing.drawn_at, drawing.drawn_by = winner_id, now, by
    drawing.entry_count = len(entry_ids)
    drawing.save(update_fields=["winner", "drawn_at", "drawn_by", "entry_count"])
    log_action(by=by, action="drawing.drawn", obj=drawing, at=now,
               data={"entries": len(entry_ids), "winner_entry": winner_id,
                     "method": "secrets.SystemRandom().choice"})
    drawing.refresh_from_db()
    drawing_winner_drawn.send(sender=Drawing, drawing=drawing)
    return drawing
