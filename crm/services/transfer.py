"""Customer import (dry run first, per-row errors) and export (managers, always recorded)."""

import csv
import dataclasses
import io

import tablib
from django.db import transaction
from django.utils import timezone

from core.audit import log_action
from core.errors import LoupeError
from crm.models import Channel, OccasionKind, Purpose
from crm.normalize import phone_national
from crm.pos import Row
from crm.resources import CustomerResource, neutralise
from crm.selectors import associates_by_name, current_consents_of_store, customers_for_export
from crm.services.customers import contact_changes_note

MAX_IMPORT_ROWS = 5000


@dataclasses.dataclass
class ImportRow:
    """One row (a customer) or one receipt (at its first line) of an import, and what became
    of it: new, update, skip (unchanged, or a receipt already imported), invalid, error."""

    number: int
    kind: str
    name: str
    errors: list[str]
    # For a matched profile: (field, old, new) for each field the row changes.
    changes: list[tuple[str, str, str]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class ImportReport:
    rows: list[ImportRow]
    dry_run: bool

    def count(self, kind: str) -> int:
        return sum(1 for row in self.rows if row.kind == kind)

    @property
    def counts(self) -> dict[str, int]:
        return {kind: self.count(kind) for kind in ("new", "update", "skip", "invalid", "error")}

    @property
    def has_errors(self) -> bool:
        return any(row.errors for row in self.rows)


def _dataset(csv_text: str) -> tablib.Dataset:
    try:
        dataset = tablib.Dataset().load(csv_text, format="csv")
    except Exception as exc:  # tablib raises several types for a malformed file
        raise LoupeError("This file is not a CSV the import can read.", field="file") from exc
    if not dataset.headers or "first_name" not in dataset.headers:
        raise LoupeError("The first line must name the columns, including first_name.",
                         field="file")
    if len(dataset) > MAX_IMPORT_ROWS:
        raise LoupeError(f"Import at most {MAX_IMPORT_ROWS} rows at a time.", field="file")
    return dataset


def _row_report(number, row_result, row_values) -> ImportRow:
    errors = [f"{field}: {' '.join(messages)}" for field, messages in
              (row_result.validation_error.message_dict.items()
               if row_result.validation_error else [])]
    errors += [str(error.error) for error in row_result.errors]
    name = f"{row_values.get('first_name') or ''} {row_values.get('last_name') or ''}".strip()
    changes = (CustomerResource.changes(row_result.original, row_result.instance)
               if _updated(row_result) else [])
    return ImportRow(number=number, kind=row_result.import_type, name=name, errors=errors,
                     changes=changes)


def _updated(row_result) -> bool:
    return row_result.is_update() and row_result.original is not None


def _note_contact_changes(rows, by) -> None:
    """A new phone or email from the POS goes on that customer's timeline."""
    for row_result in rows:
        if _updated(row_result):
            original = row_result.original
            contact_changes_note(customer=row_result.instance, by=by, via=" (POS import)",
                                 before={"email": original.email, "phone": original.phone})


@transaction.atomic
def customers_import(*, store, by, csv_text: str, dry_run: bool) -> ImportReport:
    """Read the POS CSV. A dry run writes nothing; a real run saves the rows without errors.

    Rows are matched to existing customers by POS id, email or phone, so importing the same
    file twice updates the profiles instead of duplicating them. A blank cell never erases
    what a matched profile has; each row reports the fields it changes, old and new.
    """
    dataset = _dataset(csv_text)
    rows = [Row(line=n, values=dict(zip(dataset.headers, values, strict=False)))
            for n, values in enumerate(dataset, start=2)]
    report = customers_import_rows(store=store, by=by, header=list(dataset.headers), rows=rows,
                                   dry_run=dry_run, associates=associates_by_name(store=store))
    if not dry_run:
        log_action(by=by, action="customer.imported", store=store,
                   data={"new": report.count("new"), "updated": report.count("update"),
                         "refused": report.count("invalid") + report.count("error")})
    return report


@transaction.atomic
def customers_import_rows(*, store, by, header: list[str], rows: list[Row], dry_run: bool,
                          associates: dict) -> ImportReport:
    """Import a batch of rows of the customer file (the import's worker calls it batch by
    batch; `customers_import` with a whole small file)."""
    dataset = tablib.Dataset(headers=header)
    for row in rows:
        dataset.append([row.values.get(name, "") for name in header])
    result = CustomerResource(store=store, associates=associates, by=by).import_data(
        dataset, dry_run=dry_run, raise_errors=False, use_transactions=True,
        rollback_on_validation_errors=False)
    report = ImportReport(dry_run=dry_run, rows=[
        _row_report(row.line, row_result, row.values)
        for row_result, row in zip(result.rows, rows, strict=False)
    ])
    if not dry_run:
        _note_contact_changes(result.rows, by)
    return report


# The export's columns after the profile's: who looks after them, what they are worth, when
# they were last seen, their dates, and where each kind of message may go today.
PROFILE_COLUMNS = ("first_name", "last_name", "email", "phone", "secondary_email",
                   "address_line", "city", "region", "postal_code", "partner_name", "notes",
                   "pos_id")
OCCASION_COLUMNS = {OccasionKind.BIRTHDAY: "birthday", OccasionKind.ANNIVERSARY: "anniversary",
                    OccasionKind.PARTNER_BIRTHDAY: "partner_birthday",
                    OccasionKind.OTHER: "other_occasions"}
CONSENT_COLUMNS = [(channel, purpose, f"consent_{channel}_{purpose}")
                   for channel in Channel.values for purpose in Purpose.values]
EXPORT_COLUMNS = (*PROFILE_COLUMNS, "associate", "lifetime_value", "first_purchase_on",
                  "last_purchase_on", "last_visit_on", *OCCASION_COLUMNS.values(),
                  *(name for _, _, name in CONSENT_COLUMNS))


def _occasion_cell(occasion) -> str:
    date = f"{occasion.month:02d}-{occasion.day:02d}"
    date = f"{occasion.year}-{date}" if occasion.year else date
    return f"{occasion.label} {date}" if occasion.kind == OccasionKind.OTHER else date


def _export_row(customer, consents, store) -> list:
    occasions = {}
    for occasion in customer.occasions.all():
        occasions.setdefault(OCCASION_COLUMNS[occasion.kind], []).append(
            _occasion_cell(occasion))
    granted = consents.get(customer.pk, {})
    last_visit = (customer.last_visit_at and store.today(customer.last_visit_at).isoformat())
    return [
        *(str(getattr(customer, name) or "") for name in PROFILE_COLUMNS),
        customer.assigned_to.display_name if customer.assigned_to else "",
        f"{customer.lifetime_value:.2f}",
        customer.first_purchase_on.isoformat() if customer.first_purchase_on else "",
        customer.last_purchase_on.isoformat() if customer.last_purchase_on else "",
        last_visit or "",
        *("; ".join(occasions.get(name, [])) for name in OCCASION_COLUMNS.values()),
        *("; ".join(a if "@" in a else phone_national(a)
                    for a in sorted(granted.get((channel, purpose), [])))
          for channel, purpose, _ in CONSENT_COLUMNS),
    ]


@transaction.atomic
def customers_export(*, store, by) -> str:
    """The store's customers as CSV, recorded (who, when, how many rows) in the audit log.

    A consent column lists the addresses whose current consent covers that channel and
    purpose (blank: none may be used). Cells a spreadsheet would run as formulas are text.
    """
    now = timezone.now()
    consents = current_consents_of_store(store=store)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    rows = 0
    for customer in customers_for_export(store=store).iterator(chunk_size=2000):
        writer.writerow([neutralise(cell) for cell in _export_row(customer, consents, store)])
        rows += 1
    log_action(by=by, action="customer.exported", store=store, at=now,
               data={"rows": rows})
    return out.getvalue()
