"""POS files imported by a worker: upload and preview in the request, the rows in the back.

The manager uploads a file (stored with Django's storage API, never served), sees a dry run
of its first rows, and starts it; a Celery worker then reads the file as a stream, batch by
batch. Each batch commits its rows with the counts, its problems and the new cursor
(`Import.rows_done`), so the page shows progress while it runs and a worker killed mid-file
leaves an import that resumes where it stopped. Re-running a batch is harmless: customers
match on POS id, email or phone; a receipt number is imported once per store.
"""

import itertools
import logging
import time
from collections.abc import Iterator

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.audit import log_action
from core.errors import LoupeError
from core.queueing import publish
from crm.models import (
    IMPORT_STALLED_AFTER,
    Import,
    ImportKind,
    ImportProblem,
    ImportStatus,
)
from crm.pos import (
    CUSTOMER_REQUIRED,
    PURCHASE_REQUIRED,
    Row,
    count_rows,
    read_rows,
    receipts,
)
from crm.selectors import associates_by_name
from crm.services.purchases import purchases_import_batch
from crm.services.transfer import ImportReport, ImportRow, customers_import_rows

logger = logging.getLogger(__name__)

# Rows per committed batch: big enough that per-batch queries are cheap, small enough that
# a killed worker redoes little and the progress bar moves.
BATCH_ROWS = 5000
# The preview is a dry run of the file's first rows; the worker imports all of them.
PREVIEW_ROWS = 500
# A task hands the rest of the file to a fresh task before Celery's time limit (300 s).
SLICE_SECONDS = 200
MAX_FILE_BYTES = 200 * 1024 * 1024
REQUIRED = {ImportKind.CUSTOMERS: CUSTOMER_REQUIRED, ImportKind.PURCHASES: PURCHASE_REQUIRED}


def _open_rows(run: Import, binary) -> tuple[list[str], Iterator[Row]]:
    return read_rows(binary, required=REQUIRED[run.kind])


def _batches(run: Import, rows: Iterator[Row], size: int) -> Iterator[list[list[Row]]]:
    """Batches of row groups: one row per group for customers, a receipt's lines for
    purchases (a batch never splits a receipt)."""
    groups = receipts(rows) if run.kind == ImportKind.PURCHASES else ([row] for row in rows)
    batch, count = [], 0
    for group in groups:
        batch.append(group)
        count += len(group)
        if count >= size:
            yield batch
            batch, count = [], 0
    if batch:
        yield batch


def _apply(run: Import, header, batch, *, by, associates, dry_run: bool,
           seen: dict) -> list[ImportRow]:
    if run.kind == ImportKind.PURCHASES:
        return purchases_import_batch(store=run.store, groups=batch, by=by,
                                      associates=associates, seen=seen)
    return customers_import_rows(store=run.store, by=by, header=header,
                                 rows=[group[0] for group in batch], dry_run=dry_run,
                                 associates=associates).rows


@transaction.atomic
def import_upload(*, store, kind: str, upload, by) -> Import:
    """Keep the uploaded file as a new import (not started). A file that is not a CSV with
    the kind's columns is refused beside the file field."""
    if kind not in ImportKind.values:
        raise LoupeError("Choose what the file holds.", field="kind")
    if upload.size > MAX_FILE_BYTES:
        raise LoupeError("The file is larger than 200 MB: split it.", field="file")
    upload.seek(0)
    read_rows(upload, required=REQUIRED[kind])
    upload.seek(0)
    total = count_rows(upload)
    if not total:
        raise LoupeError("The file has no rows under its first line.", field="file")
    upload.seek(0)
    run = Import(store=store, kind=kind, file_name=upload.name[:200], rows_total=total, by=by,
                 created_at=timezone.now())
    run.file.save(upload.name, upload, save=False)
    run.save()
    log_action(by=by, action="import.uploaded", obj=run,
               data={"kind": kind, "rows": total})
    return run


def import_preview(*, run: Import, by) -> ImportReport:
    """A dry run of the file's first rows: everything is done, then rolled back."""
    associates = associates_by_name(store=run.store)
    with run.file.open("rb") as binary, transaction.atomic():
        header, rows = _open_rows(run, binary)
        shown = list(itertools.islice(rows, PREVIEW_ROWS))
        report, seen = [], {}
        for batch in _batches(run, iter(shown), BATCH_ROWS):
            report += _apply(run, header, batch, by=by, associates=associates, dry_run=True,
                             seen=seen)
        transaction.set_rollback(True)
    return ImportReport(rows=report, dry_run=True)


def _queue(import_id: int) -> None:
    from crm.tasks import import_run

    transaction.on_commit(lambda: publish(import_run, import_id))


@transaction.atomic
def import_start(*, run: Import, by) -> Import:
    """Hand a previewed import to the worker (a second press changes nothing)."""
    started = Import.objects.filter(pk=run.pk, status=ImportStatus.PREVIEWED) \
        .update(status=ImportStatus.QUEUED, heartbeat_at=timezone.now())
    if started:
        log_action(by=by, action="import.started", obj=run,
                   data={"kind": run.kind, "rows": run.rows_total})
        _queue(run.pk)
    run.refresh_from_db()
    return run


@transaction.atomic
def import_resume(*, run: Import, by) -> Import:
    """Queue again an import whose worker died (stalled), or that stopped on a fault, or
    whose task never reached the broker; it goes on from its last committed batch."""
    now = timezone.now()
    resumable = (Q(status=ImportStatus.FAILED)
                 | Q(status=ImportStatus.RUNNING, heartbeat_at__lt=now - IMPORT_STALLED_AFTER)
                 | Q(status=ImportStatus.QUEUED))
    if not Import.objects.filter(resumable, pk=run.pk).update(status=ImportStatus.QUEUED,
                                                            error="", heartbeat_at=now):
        raise LoupeError("This import is running or finished; there is nothing to resume.")
    log_action(by=by, action="import.resumed", obj=run,
               data={"from_row": run.rows_done})
    _queue(run.pk)
    run.refresh_from_db()
    return run


def _claim(import_id: int, now) -> Import | None:
    """Take the import for this worker: queued, or running with a silent worker. Exactly one
    row changes, or another worker has it (a redelivered task finds nothing to do)."""
    claimed = (Import.objects.filter(pk=import_id)
               .filter(Q(status=ImportStatus.QUEUED)
                       | Q(status=ImportStatus.RUNNING,
                           heartbeat_at__lt=now - IMPORT_STALLED_AFTER))
               .update(status=ImportStatus.RUNNING, attempt=F("attempt") + 1,
                       heartbeat_at=now))
    if not claimed:
        return None
    run = Import.objects.select_related("store", "by").get(pk=import_id)
    if run.started_at is None:
        Import.objects.filter(pk=run.pk).update(started_at=now)
    return run


def import_process(*, import_id: int) -> str:
    """The worker's part: import the rows after the cursor, one committed batch at a time.

    Returns what it did ("done", "continued", "nothing to do", "failed").
    """
    run = _claim(import_id, timezone.now())
    if run is None:
        return "nothing to do"
    began = time.monotonic()
    associates = associates_by_name(store=run.store)
    seen: dict[str, int] = {}
    try:
        with run.file.open("rb") as binary:
            header, rows = _open_rows(run, binary)
            rows = itertools.islice(rows, run.rows_done, None)
            consumed = run.rows_done
            for batch in _batches(run, rows, BATCH_ROWS):
                consumed += sum(len(group) for group in batch)
                with transaction.atomic():
                    report = _apply(run, header, batch, by=run.by, associates=associates,
                                    dry_run=False, seen=seen)
                    _record(run, report, consumed=consumed)
                if time.monotonic() - began > SLICE_SECONDS:
                    return _hand_on(run)
    except _Superseded:
        return "nothing to do"
    except (LoupeError, OSError, ValueError) as exc:
        # The file itself cannot be read further: stop, say why; the rows done stay done.
        logger.warning("Import %s stopped", import_id, exc_info=True)
        Import.objects.filter(pk=run.pk, attempt=run.attempt).update(
            status=ImportStatus.FAILED, error=getattr(exc, "message", str(exc))[:500],
            finished_at=timezone.now())
        return "failed"
    _finish(run)
    return "done"


class _Superseded(Exception):
    """Another worker claimed the import since this one did (this one was presumed dead)."""


def _record(run: Import, report: list[ImportRow], *, consumed: int) -> None:
    """The batch's counts, problems and cursor, in the batch's transaction and only for the
    current claim."""
    counts = {"new": 0, "update": 0, "skip": 0, "invalid": 0, "error": 0}
    for row in report:
        counts[row.kind] = counts.get(row.kind, 0) + 1
    moved = Import.objects.filter(pk=run.pk, attempt=run.attempt,
                                  status=ImportStatus.RUNNING).update(
        rows_done=consumed, created=F("created") + counts["new"],
        updated=F("updated") + counts["update"], unchanged=F("unchanged") + counts["skip"],
        refused=F("refused") + counts["invalid"] + counts["error"],
        heartbeat_at=timezone.now())
    if not moved:
        raise _Superseded
    ImportProblem.objects.bulk_create(
        [ImportProblem(run=run, line=row.number, name=row.name[:200],
                       message="; ".join(row.errors)) for row in report if row.errors],
        ignore_conflicts=True)


@transaction.atomic
def _hand_on(run: Import) -> str:
    if Import.objects.filter(pk=run.pk, attempt=run.attempt,
                             status=ImportStatus.RUNNING).update(status=ImportStatus.QUEUED,
                                                                 heartbeat_at=timezone.now()):
        _queue(run.pk)
    return "continued"


@transaction.atomic
def _finish(run: Import) -> None:
    now = timezone.now()
    if not Import.objects.filter(pk=run.pk, attempt=run.attempt,
                                 status=ImportStatus.RUNNING).update(
            status=ImportStatus.DONE, finished_at=now, heartbeat_at=now):
        return
    run.refresh_from_db()
    log_action(by=run.by, action=f"{run.kind}.imported", store=run.store, at=now,
               data={"import": run.pk, "new": run.created, "updated": run.updated,
                     "unchanged": run.unchanged, "refused": run.refused})
