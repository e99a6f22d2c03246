"""Customer import (dry run first, per-row errors) and export (managers, always recorded)."""

import dataclasses

import tablib
from django.db import transaction
from django.utils import timezone

from core.audit import log_action
from core.errors import LoupeError
from crm.resources import CustomerResource
from crm.services.customers import contact_changes_note

MAX_IMPORT_ROWS = 5000


@dataclasses.dataclass
class ImportRow:
    number: int
    kind: str  # new, update, skip, invalid, error
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

    Rows are matched to existing customers by email or phone, so importing the same file
    twice updates the profiles instead of duplicating them. A blank cell never erases what
    a matched profile has; each row reports the fields it changes, old and new.
    """
    dataset = _dataset(csv_text)
    result = CustomerResource(store=store).import_data(
        dataset, dry_run=dry_run, raise_errors=False, use_transactions=True,
        rollback_on_validation_errors=False)
    report = ImportReport(dry_run=dry_run, rows=[
        _row_report(number, row_result, dict(zip(dataset.headers, values, strict=False)))
        for number, (row_result, values) in enumerate(zip(result.rows, dataset, strict=False),
                                                      start=2)
    ])
    if not dry_run:
        _note_contact_changes(result.rows, by)
        log_action(by=by, action="customer.imported", store=store,
                   data={"new": report.count("new"), "updated": report.count("update"),
                         "refused": report.count("invalid") + report.count("error")})
    return report


@transaction.atomic
def customers_export(*, store, by) -> str:
    """The store's customers as CSV, recorded (who, when, how many rows) in the audit log."""
    now = timezone.now()
    resource = CustomerResource(store=store)
    dataset = resource.export(resource.get_queryset())
    log_action(by=by, action="customer.exported", store=store, at=now,
               data={"rows": len(dataset)})
    return dataset.csv
