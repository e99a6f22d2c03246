"""Bulk loading for the generator: COPY on a second thread, indexes built after the load."""

import datetime
import io
import queue
import threading

from django.db import connection

FLUSH_ROWS = 50_000


class Sender:
    """Runs the COPYs on a second thread, so PostgreSQL loads one batch while Python makes the
    next (two cores: about twice as fast). Same connection, same transaction; only this thread
    touches the connection until `finish()`."""

    def __init__(self, cursor):
        self.cursor, self.error = cursor, None
        self.batches = queue.Queue(maxsize=4)
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while (batch := self.batches.get()) is not None:
            if self.error is None:
                try:
                    self.cursor.copy_expert(batch[0], io.StringIO(batch[1]))
                except Exception as error:  # noqa: BLE001 - re-raised on the main thread
                    self.error = error

    def send(self, sql: str, text: str) -> None:
        if self.error is not None:
            raise self.error
        self.batches.put((sql, text))

    def finish(self) -> None:
        self.batches.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error


class Copy:
    """Rows for one table, sent with COPY every FLUSH_ROWS rows.

    Columns left out get the model field's default, so a field added later with a default
    needs no change here. Generated words never contain tabs, newlines or backslashes.
    """

    def __init__(self, sender: Sender, model, columns: list[str]):
        self.sender, self.rows, self.written = sender, [], 0
        fields = [f for f in model._meta.concrete_fields
                  if f.column not in columns and not (f.primary_key and "id" not in columns)]
        tail = [_text(_default(f)) for f in fields]
        self.tail = "".join("\t" + value for value in tail) + "\n"
        names = ", ".join(f'"{c}"' for c in [*columns, *(f.column for f in fields)])
        self.sql = f"COPY {model._meta.db_table} ({names}) FROM STDIN"

    def add(self, *values) -> None:
        self.rows.append("\t".join(map(_text, values)) + self.tail)
        if len(self.rows) >= FLUSH_ROWS:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            self.sender.send(self.sql, "".join(self.rows))
            self.written += len(self.rows)
            self.rows = []


def _default(field):
    value = field.get_default()
    if value is None and not field.null:
        raise ValueError(f"{field.model.__name__}.{field.name} needs a value from the generator.")
    return field.get_db_prep_save(value, connection)


def _text(value) -> str:
    kind = type(value)
    if kind is str:
        return value
    if kind is int:
        return str(value)
    if value is None:
        return r"\N"
    if kind is bool:
        return "t" if value else "f"
    if kind is datetime.datetime or kind is datetime.date:
        return value.isoformat()
    return str(value)


_SECONDARY_INDEXES = """
    SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
    WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
      AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
"""


# What triggers keep on other rows (crm 0024, 0028, 0032, 0033), filled once after the load.
# Fired during it instead, the ledger's recompute read the whole unindexed ledger loaded so far
# after every COPY batch (the load grew quadratic: over 20 minutes at 1m), and a walk-in's or an
# occasion's row trigger looked for a customer whose COPY batch had not gone in yet.
_QUIET_TRIGGERS = [("crm_consent", "crm_events_words_insert"),
                   ("crm_walkin", "crm_walkin_customer_now"),
                   ("crm_customer", "crm_walkin_customer_changed"),
                   ("crm_occasion", "crm_occasion_book_row"),
                   ("crm_customer", "crm_occasion_book_customer")]
_KEPT_AFTER_THE_LOAD = [
    "SELECT crm_events_words_recompute(ARRAY("
    "SELECT DISTINCT customer_id FROM crm_consent WHERE purpose = 'events'))",
    "SELECT crm_occasion_reminders_recompute(ARRAY("
    "SELECT DISTINCT customer_id FROM crm_consent WHERE purpose = 'occasions'))",
    "UPDATE crm_walkin w SET customer_store_id = c.store_id, "
    "customer_reachable_now = c.phone <> '' OR c.email <> '', "
    "customer_consents_now = c.occasion_reminders_now "
    "FROM crm_customer c WHERE c.id = w.customer_id",
    "UPDATE crm_occasion o SET customer_store_id = c.store_id, "
    "customer_assigned_to_id = c.assigned_to_id FROM crm_customer c WHERE c.id = o.customer_id",
]


class BulkMode:
    """What a restore does: load first, index after, and skip per-row foreign-key checks.

    Secondary indexes are dropped and rebuilt once at the end (a sorted build is many times
    faster than a million inserts into a trigram index); every foreign key is satisfied by
    construction, so the row-by-row checks are skipped (superuser only; otherwise they run).
    All of it inside the generator's transaction: a failure puts every index back.
    """

    def __init__(self, cursor, models):
        self.cursor, self.indexes = cursor, []
        for model in models:
            cursor.execute(_SECONDARY_INDEXES, [model._meta.db_table])
            self.indexes += cursor.fetchall()
        for name, _ in self.indexes:
            cursor.execute(f"DROP INDEX {name}")
        for table, trigger in _QUIET_TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")

    def finish(self) -> None:
        for statement in _KEPT_AFTER_THE_LOAD:
            self.cursor.execute(statement)
        for table, trigger in _QUIET_TRIGGERS:
            self.cursor.execute(f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {trigger}")
        self.cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        self.cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in self.indexes:
            self.cursor.execute(definition)


class Ids:
    """Explicit primary keys for rows other rows point at, reserved from the sequence first."""

    def __init__(self, cursor, model, count: int):
        table = model._meta.db_table
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - model table
        self.next = cursor.fetchone()[0] + 1
        if count:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                           [table, self.next + count])

    def take(self) -> int:
        self.next += 1
        return self.next - 1


