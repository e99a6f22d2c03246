"""Purchases from the POS: receipts matched to customers, credited to associates, once.

A batch of receipts is written set-based (a few queries per batch, not per receipt), so a
100,000-receipt file is a few hundred batches. A receipt number is imported once per store
(`purchase_receipt_once_per_store`): a file imported again changes nothing.
"""

import dataclasses
import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max, Min, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core.audit import log_action, user_of
from core.errors import LoupeError
from core.one_line import check_one_line
from crm.models import (
    AssignmentReason,
    Customer,
    InteractionKind,
    Purchase,
    PurchaseLine,
    Source,
)
from crm.normalize import normalize_email, normalize_phone
from crm.pos import Row, parse_amount, parse_date
from crm.services import receipt_staging
from crm.services.assignment import Move, clients_handed_over, clients_reassign
from crm.services.timeline import interactions_add
from crm.services.transfer import ImportRow


@dataclasses.dataclass
class _Receipt:
    number: str
    line: int
    purchased_on: datetime.date
    pos_id: str
    email: str
    phone: str
    first_name: str
    last_name: str
    associate: object | None
    lines: list[dict]

    @property
    def amount(self) -> Decimal:
        return sum((line["amount"] for line in self.lines), Decimal(0))

    @property
    def description(self) -> str:
        return "; ".join(filter(None, (_line_words(line) for line in self.lines)))[:200]


def _line_words(line: dict) -> str:
    return line["description"] or " ".join(filter(None, (line["metal"], line["category"])))


def _same(rows: list[Row], name: str) -> str:
    """The receipt-level value every line repeats (a line that disagrees is an error)."""
    if len(rows) == 1:  # most receipts: nothing to compare
        return rows[0].get(name)
    values = {row.get(name) for row in rows} - {""}
    if len(values) > 1:
        raise LoupeError(f"the lines of this receipt give different {name} values "
                         f"({', '.join(sorted(values))}).", field=name)
    return values.pop() if values else ""


def _parse(rows: list[Row], *, associates, today) -> _Receipt:
    number = rows[0].get("receipt")
    if not number:
        raise LoupeError("the receipt number is missing.", field="receipt")
    if len(number) > 64:
        raise LoupeError("the receipt number is longer than 64 characters.", field="receipt")
    purchased_on = parse_date(_same(rows, "date"))
    if purchased_on > today:
        raise LoupeError(f"the date {purchased_on:%b %-d, %Y} is in the future.", field="date")
    email = normalize_email(_same(rows, "email"))
    phone = normalize_phone(_same(rows, "phone"))
    pos_id = _same(rows, "customer_pos_id")[:64]
    first_name, last_name = _same(rows, "first_name"), _same(rows, "last_name")
    check_one_line({"first_name": first_name, "last_name": last_name},
                   ["first_name", "last_name"])
    if not (pos_id or email or phone):
        raise LoupeError("no customer: give the POS customer id, an email or a phone.",
                         field="customer_pos_id")
    associate = None
    if name := _same(rows, "associate"):
        associate = associates.get(name.lower())
        if associate is None:
            raise LoupeError(f"“{name}” is not an associate of this store.", field="associate")
    lines = []
    for row in rows:
        try:
            amount = parse_amount(row.get("amount"))
        except LoupeError as exc:
            raise LoupeError(f"line {row.line}: {exc.message}", field="amount") from None
        lines.append({"category": row.get("category")[:60], "metal": row.get("metal")[:60],
                      "stones": row.get("stones")[:200],
                      "description": row.get("description")[:200], "amount": amount})
    return _Receipt(number=number, line=rows[0].line, purchased_on=purchased_on, pos_id=pos_id,
                    email=email, phone=phone, first_name=first_name[:80],
                    last_name=last_name[:80], associate=associate, lines=lines)


def _name(receipt: _Receipt) -> str:
    who = f"{receipt.first_name} {receipt.last_name}".strip()
    return f"Receipt {receipt.number}" + (f" ({who})" if who else "")


class _Customers:
    """The batch's customers, found by POS id, then email, then phone, in three queries."""

    def __init__(self, store, receipts: list[_Receipt]):
        self.store = store
        base = Customer.objects.for_store(store)
        pos_ids = {r.pos_id for r in receipts if r.pos_id}
        emails = {r.email for r in receipts if r.email}
        phones = {r.phone for r in receipts if r.phone}
        self.by_pos = {c.pos_id: c for c in base.filter(pos_id__in=pos_ids)} if pos_ids else {}
        self.by_email, self.by_phone = {}, {}
        if emails:
            # Two indexed lookups (customer_store_email, customer_store_email2), not an OR.
            for field in ("email", "secondary_email"):
                for c in base.filter(**{f"{field}__in": emails}).order_by("pk"):
                    self.by_email.setdefault(getattr(c, field), c)
        if phones:
            for c in base.filter(phone__in=phones).order_by("pk"):
                self.by_phone.setdefault(str(c.phone), c)

    def find(self, receipt: _Receipt) -> Customer | None:
        return (receipt.pos_id and self.by_pos.get(receipt.pos_id)
                or receipt.email and self.by_email.get(receipt.email)
                or receipt.phone and self.by_phone.get(receipt.phone)
                or None)

    def remember(self, customer: Customer) -> None:
        for index, key in ((self.by_pos, customer.pos_id), (self.by_email, customer.email),
                           (self.by_phone, str(customer.phone or ""))):
            if key:
                index.setdefault(key, customer)


def _lock_store(store) -> None:
    """Two imports into one store take turns batch by batch, so the check for receipts
    already imported cannot race another worker's insert of the same receipt."""
    Store = Customer._meta.get_field("store").related_model
    Store.objects.select_for_update().filter(pk=store.pk).first()


@transaction.atomic
def purchases_import_batch(*, store, groups: list[list[Row]], by, associates,
                           seen: dict[str, int] | None = None) -> list[ImportRow]:
    """Import one batch of receipts (each the list of its lines); one ImportRow per receipt.

    A receipt already in Loupe is skipped (its number is unique per store); a customer is
    matched by POS id, email or phone, or created (a prospect no more) when the receipt names
    them; the associate on the receipt gets the credit and becomes the associate of a
    customer who has none. `seen` (receipt number -> first line) spans the batches of one
    file, so a receipt whose lines are split apart in the file is refused, not half kept.

    On PostgreSQL the checked receipts are written set-based through staging tables
    (`receipt_staging`: the same queries for a hundred receipts or ten thousand); elsewhere
    (SQLite on a laptop) through the ORM, for the small files a laptop sees.
    """
    now = timezone.now()
    seen = {} if seen is None else seen
    _lock_store(store)
    report, parsed, rows_of = _check(groups, associates=associates, today=store.today(now),
                                     seen=seen)
    if parsed and connection.vendor == "postgresql":
        _write_staged(store=store, receipts=parsed, rows_of=rows_of, by=by, now=now)
    elif parsed:
        _write_fresh(store=store, receipts=parsed, rows_of=rows_of, by=by, now=now)
    return report


def _check(groups, *, associates, today, seen) -> tuple[list[ImportRow], list[_Receipt], dict]:
    """Each receipt parsed and checked: the report (a refused one with its line and why),
    the receipts that may be written and their report rows by line."""
    report, parsed, rows_of = [], [], {}
    for rows in groups:
        number = rows[0].get("receipt")
        if number and number in seen:
            report.append(ImportRow(number=rows[0].line, kind="invalid", name=f"Receipt {number}",
                                    errors=[f"receipt: receipt {number} appears again; the "
                                            f"lines of a receipt must follow one another "
                                            f"(first on line {seen[number]})."]))
            continue
        if number:
            seen[number] = rows[0].line
        try:
            receipt = _parse(rows, associates=associates, today=today)
        except LoupeError as exc:
            report.append(ImportRow(number=rows[0].line, kind="invalid",
                                    name=f"Receipt {number}" if number else "",
                                    errors=[f"{exc.field or 'row'}: {exc.message}"]))
            continue
        parsed.append(receipt)
        rows_of[receipt.line] = ImportRow(number=receipt.line, kind="new", name=_name(receipt),
                                          errors=[])
        report.append(rows_of[receipt.line])
    return report, parsed, rows_of


def _write_fresh(*, store, receipts: list[_Receipt], rows_of, by, now) -> None:
    """The ORM path: skip the receipts already imported, write the others."""
    already = set(Purchase.objects.filter(store=store, pos_reference__in=[
        r.number for r in receipts]).values_list("pos_reference", flat=True))
    fresh = []
    for receipt in receipts:
        if receipt.number in already:
            rows_of[receipt.line].kind = "skip"
        else:
            fresh.append(receipt)
    if fresh:
        _write(store=store, receipts=fresh, rows_of=rows_of, by=by, now=now)


def _refuse_unknown(receipt: _Receipt, rows_of) -> None:
    rows_of[receipt.line].kind = "invalid"
    rows_of[receipt.line].errors.append(
        "customer: no customer has this POS id, email or phone; give first_name to add them.")


def _newcomer(store, receipt: _Receipt) -> Customer:
    return Customer(store=store, source=Source.IMPORT, pos_id=receipt.pos_id,
                    first_name=receipt.first_name, last_name=receipt.last_name,
                    email=receipt.email, phone=receipt.phone)


def _buyer(customers, store, receipt: _Receipt, rows_of) -> tuple[Customer | None, bool]:
    """The customer a receipt names, or a new one when it gives a first name (remembered, so
    their other receipts in the batch find them): (customer, is new). Without a name the row
    is refused and the customer is None."""
    customer = customers.find(receipt)
    if customer is not None:
        return customer, False
    if not receipt.first_name:
        _refuse_unknown(receipt, rows_of)
        return None, False
    customer = _newcomer(store, receipt)
    customers.remember(customer)
    return customer, True


def _write(*, store, receipts: list[_Receipt], rows_of, by, now) -> None:
    customers = _Customers(store, receipts)
    bought_by, newcomers, found_pos_ids = {}, {}, []
    for receipt in receipts:
        customer, new = _buyer(customers, store, receipt, rows_of)
        if customer is None:
            continue
        if new:
            newcomers[receipt.line] = customer
        elif receipt.pos_id and not customer.pos_id:
            # Found by email or phone: keep the POS id so the next file matches it directly.
            customer.pos_id = receipt.pos_id
            found_pos_ids.append(customer)
            customers.remember(customer)
        bought_by[receipt.line] = customer
    _add_newcomers(store=store, customers=list({id(c): c for c in newcomers.values()}.values()),
                   by=by, now=now)
    if found_pos_ids:
        Customer.objects.bulk_update(found_pos_ids, ["pos_id"])
    receipts = [r for r in receipts if r.line in bought_by]
    if not receipts:
        return
    purchases = Purchase.objects.bulk_create(
        Purchase(store=store, customer=bought_by[r.line], purchased_on=r.purchased_on,
                 amount=r.amount, description=r.description, associate=r.associate,
                 pos_reference=r.number) for r in receipts)
    PurchaseLine.objects.bulk_create(
        PurchaseLine(purchase=purchase, position=n, **line)
        for purchase, receipt in zip(purchases, receipts, strict=True)
        for n, line in enumerate(receipt.lines, start=1))
    _totals_refresh(customer_ids={bought_by[r.line].pk for r in receipts}, now=now)
    interactions_add(kind=InteractionKind.PURCHASE, by=by, at=now, entries=(
        (bought_by[r.line].pk, _summary(r)) for r in receipts))
    _credit(store=store, sales=[(bought_by[r.line].pk, r.associate, r.purchased_on, r.line)
                                for r in receipts], by=by, now=now)


def _write_staged(*, store, receipts: list[_Receipt], rows_of, by, now) -> None:
    """The PostgreSQL path: the same rules as `_write`, set-based (see receipt_staging)."""
    receipt_staging.receipts_stage(
        receipts=([r.line, r.number, r.purchased_on, r.pos_id, r.email, r.phone, r.amount,
                   r.description, r.associate and r.associate.pk,
                   r.associate.pk if r.associate is not None and r.associate.can_sell else None,
                   _summary(r)] for r in receipts),
        lines=([r.line, n, line["category"], line["metal"], line["stones"],
                line["description"], line["amount"]]
               for r in receipts for n, line in enumerate(r.lines, start=1)))
    unmatched = receipt_staging.receipts_match(store_id=store.pk)
    handed = []
    if unmatched:
        by_line = {r.line: r for r in receipts}
        handed = _add_unknown_buyers(store=store, receipts=[by_line[line] for line in unmatched],
                                     rows_of=rows_of, by=by, now=now)
    written = receipt_staging.receipts_insert(store_id=store.pk, by_id=by and by.pk,
                                              kind=InteractionKind.PURCHASE, now=now)
    done = {line for line, *_ in written}
    for receipt in receipts:
        if receipt.line not in done and rows_of[receipt.line].kind == "new":
            rows_of[receipt.line].kind = "skip"
    moved = handed + receipt_staging.receipts_settle(now=now, staff_table=_staff_table())
    if moved:
        associates = {r.associate.pk: r.associate for r in receipts if r.associate is not None}
        clients_handed_over(store=store, moves=moved, by=by, reason=AssignmentReason.IMPORT,
                            note=_CREDIT_NOTE, at=now,
                            receivers={to: associates[to] for _, _, to in moved})


def _staff_table() -> str:
    return Customer._meta.get_field("assigned_to").related_model._meta.db_table


_PHONE = Customer._meta.get_field("phone")


def _add_unknown_buyers(*, store, receipts: list[_Receipt], rows_of, by,
                        now) -> list[tuple[int, None, int]]:
    """The receipts no customer matched: a buyer with a name is added (once, however many of
    their receipts the batch holds) with the totals and the associate their receipts give,
    one without is refused. Returns (customer, None, associate) of the new buyers handed to
    an associate."""
    customers = _Customers(store, [])
    bought_by, newcomers = {}, []
    for receipt in receipts:
        customer, new = _buyer(customers, store, receipt, rows_of)
        if customer is None:
            continue
        if new:
            newcomers.append(customer)
        bought_by[receipt.line] = customer
    if not newcomers:
        return []
    for customer, pk in zip(newcomers, receipt_staging.customer_ids_take(len(newcomers)),
                            strict=True):
        customer.pk = pk
    handed = receipt_staging.newcomers_add(
        newcomers=([c.pk, c.first_name, c.last_name, c.pos_id, c.email,
                    _PHONE.get_prep_value(c.phone)] for c in newcomers),
        found={line: customer.pk for line, customer in bought_by.items()},
        store_id=store.pk, source=Source.IMPORT, user_id=getattr(user_of(by), "pk", None),
        now=now)
    _newcomers_logged(store=store, ids=[c.pk for c in newcomers], by=by, now=now)
    return handed


def _add_newcomers(*, store, customers: list[Customer], by, now) -> None:
    """The buyers the store did not know, added in one insert (with their history rows) and
    one audit entry: a prospect no more once their receipts are written. Nobody looks after
    them until `_credit` hands them to the receipt's associate."""
    if not customers:
        return
    for customer in customers:
        customer.created_at = customer.updated_at = now
    bulk_create_with_history(customers, Customer, default_user=user_of(by),
                             default_date=now)
    _newcomers_logged(store=store, ids=[c.pk for c in customers], by=by, now=now)


def _newcomers_logged(*, store, ids: list[int], by, now) -> None:
    log_action(by=by, action="customers.created_from_receipts", store=store, at=now,
               data={"count": len(ids), "ids": ids})


def _summary(receipt: _Receipt) -> str:
    sold = f", sold by {receipt.associate.display_name}" if receipt.associate else ""
    return (f"Bought {receipt.description or 'a piece'} for ${receipt.amount:,.2f} on "
            f"{receipt.purchased_on:%b %-d, %Y} (receipt {receipt.number}{sold}).")


def _totals_refresh(*, customer_ids: set[int], now) -> None:
    """Lifetime value and first and last purchase, derived again from the customers'
    purchases in one UPDATE (customers locked in id order first, so two batches touching the
    same customers cannot deadlock)."""
    ids = sorted(customer_ids)
    list(Customer.objects.select_for_update().filter(pk__in=ids).order_by("pk")
         .values_list("pk", flat=True))
    theirs = Purchase.objects.filter(customer=OuterRef("pk")).order_by().values("customer")
    Customer.objects.filter(pk__in=ids).update(
        lifetime_value=Coalesce(Subquery(theirs.annotate(v=Sum("amount")).values("v")),
                                Value(Decimal(0))),
        first_purchase_on=Subquery(theirs.annotate(v=Min("purchased_on")).values("v")),
        last_purchase_on=Subquery(theirs.annotate(v=Max("purchased_on")).values("v")),
        updated_at=now)


_CREDIT_NOTE = "Associate on their POS receipt."


def _credit(*, store, sales, by, now) -> None:
    """A customer with no associate (or one who left) goes to the associate of their latest
    receipt in the batch, if that associate can look after clients. `sales` holds (customer
    id, associate or None, purchased on, line) for each receipt written."""
    latest = {}
    for customer_id, associate, _day, _line in sorted(sales, key=lambda s: (s[2], s[3])):
        if associate is not None and associate.can_sell:
            latest[customer_id] = associate
    if not latest:
        return
    current = dict(Customer.objects.filter(pk__in=latest).orphaned()
                   .values_list("pk", "assigned_to_id"))
    moves = [Move(customer_id=pk, shown_associate_id=current[pk], associate_id=latest[pk].pk)
             for pk in sorted(current)]
    if moves:
        clients_reassign(store=store, moves=moves, by=by, reason=AssignmentReason.IMPORT,
                         note=_CREDIT_NOTE, at=now)
