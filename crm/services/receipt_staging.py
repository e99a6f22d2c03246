"""A batch of POS receipts written set-based in PostgreSQL: COPY into staging tables, then a
few INSERT ... SELECT and UPDATE ... FROM statements, whatever the batch's size.

Only the SQL lives here; `crm.services.purchases` parses and checks each receipt (so every
refused row keeps its line and its reason), decides who the new buyers are and who gets the
credit, and calls these steps in its transaction. The staging tables are temporary and
dropped at commit; a second batch in one transaction (the preview) drops and makes them again.
"""

import csv
import functools
import io

from django.db import connection

from crm.models import Customer

RECEIPT_COLUMNS = ("line", "number", "purchased_on", "pos_id", "email", "phone", "amount",
                   "description", "associate_id", "credit_to", "summary")
LINE_COLUMNS = ("receipt_line", "position", "category", "metal", "stones", "description",
                "amount")

_CREATE = """
    DROP TABLE IF EXISTS pg_temp.staged_receipt, pg_temp.staged_line;
    CREATE TEMP TABLE staged_receipt (
        line integer PRIMARY KEY, number varchar(64) NOT NULL, purchased_on date NOT NULL,
        pos_id varchar(64) NOT NULL, email varchar(254) NOT NULL, phone varchar(128) NOT NULL,
        amount numeric(12, 2) NOT NULL, description varchar(200) NOT NULL,
        associate_id bigint, credit_to bigint, summary text NOT NULL,
        already boolean NOT NULL DEFAULT false, customer_id bigint, purchase_id bigint
    ) ON COMMIT DROP;
    CREATE TEMP TABLE staged_line (
        receipt_line integer NOT NULL, position smallint NOT NULL, category varchar(60) NOT NULL,
        metal varchar(60) NOT NULL, stones varchar(200) NOT NULL,
        description varchar(200) NOT NULL, amount numeric(12, 2) NOT NULL,
        PRIMARY KEY (receipt_line, position)
    ) ON COMMIT DROP;
    CREATE UNIQUE INDEX ON staged_receipt (number);
"""
# The buyers no customer matched, added by the batch (ids taken from the customers' sequence
# beforehand, so their receipts point at them before they are written).
_CREATE_NEWCOMERS = """
    DROP TABLE IF EXISTS pg_temp.staged_newcomer;
    CREATE TEMP TABLE staged_newcomer (
        id bigint PRIMARY KEY, first_name varchar(80) NOT NULL, last_name varchar(80) NOT NULL,
        pos_id varchar(64) NOT NULL, email varchar(254) NOT NULL, phone varchar(128) NOT NULL
    ) ON COMMIT DROP;
"""
NEWCOMER_COLUMNS = ("id", "first_name", "last_name", "pos_id", "email", "phone")

# Receipts already in Loupe are skipped; the others find their customer by POS id, then the
# main email, then the second email, then the phone (the oldest profile when several match),
# each step an index lookup per receipt still without one (LATERAL: the receipts drive; the
# statistics may not know the POS ids a first import is adding). min() over a fenced
# subquery (OFFSET 0), not min(c.id) itself: PostgreSQL answers that by walking the primary
# key, the whole table for a value nobody has. A customer found by email or phone keeps the
# receipt's POS id for the next file, and a receipt giving only that POS id later in the
# batch finds them by it. Then: the receipts still without a customer, for the caller to
# add them (or refuse them).
_FIND = """
    UPDATE staged_receipt r SET customer_id = found.id
      FROM (SELECT s.line, m.id FROM staged_receipt s
             CROSS JOIN LATERAL (
                SELECT min(x.id) AS id FROM (
                    SELECT c.id FROM crm_customer c
                     WHERE c.store_id = %(store)s AND c.{column} = s.{key} AND c.{column} <> ''
                    OFFSET 0) x) m
             WHERE NOT s.already AND s.customer_id IS NULL AND s.{key} <> ''
               AND m.id IS NOT NULL) found
     WHERE r.line = found.line;
"""
_BY_POS_ID = _FIND.format(column="pos_id", key="pos_id")
# JIT off: it spent about a second compiling each of these statements, which run for
# milliseconds (their estimates are high: most profiles share the empty second email).
_SKIP_IMPORTED = """
    SET LOCAL jit = off;
    ANALYZE staged_receipt;
    ANALYZE staged_line;
    UPDATE staged_receipt r SET already = EXISTS (
        SELECT 1 FROM crm_purchase p
         WHERE p.store_id = %(store)s AND p.pos_reference = r.number AND p.pos_reference <> '');
"""
# A customer found by email or phone keeps the receipt's POS id for the next file: the first
# receipt's (by line) of each customer, one profile per POS id (DISTINCT ON: the unique
# constraint stands behind it), only a profile without one. No other profile has the POS id
# kept: a receipt whose POS id one has was matched by it first. The POS id is written by the
# batch's one UPDATE of its customers (`_SETTLE`); until then `staged_kept` holds it, and a
# receipt giving only that POS id later in the batch finds its customer there.
_KEEP_POS_ID = """
    DROP TABLE IF EXISTS pg_temp.staged_kept;
    CREATE TEMP TABLE staged_kept ON COMMIT DROP AS
    SELECT kept.customer_id, kept.pos_id
      FROM (SELECT DISTINCT ON (pos_id) customer_id, pos_id
              FROM (SELECT DISTINCT ON (customer_id) customer_id, pos_id, line
                      FROM staged_receipt
                     WHERE NOT already AND customer_id IS NOT NULL AND pos_id <> ''
                     ORDER BY customer_id, line) first_of_each
             ORDER BY pos_id, line) kept
      JOIN crm_customer c ON c.id = kept.customer_id AND c.pos_id = '';
    UPDATE staged_receipt r SET customer_id = k.customer_id
      FROM staged_kept k
     WHERE r.pos_id = k.pos_id AND NOT r.already AND r.customer_id IS NULL;
"""
_STILL_UNKNOWN = """
    SELECT line FROM staged_receipt WHERE NOT already AND customer_id IS NULL ORDER BY line;
"""
_MATCH = "".join([
    _SKIP_IMPORTED, _BY_POS_ID,
    _FIND.format(column="email", key="email"),
    _FIND.format(column="secondary_email", key="email"),
    _FIND.format(column="phone", key="phone"),
    _KEEP_POS_ID, _STILL_UNKNOWN,
])

_SET_CUSTOMERS = """
    UPDATE staged_receipt r SET customer_id = found.customer_id
      FROM unnest(%(lines)s::integer[], %(customers)s::bigint[]) AS found(line, customer_id)
     WHERE r.line = found.line
"""

# The purchases, their lines and their timeline entries in one statement. ON CONFLICT: a
# receipt another import wrote since the check above is skipped, not doubled (the unique
# constraint purchase_receipt_once_per_store is the truth); only the receipts inserted here
# get lines and a timeline entry. Returns them, for the totals and the credit.
_INSERT = """
    WITH written AS (
        INSERT INTO crm_purchase (store_id, customer_id, purchased_on, amount, description,
                                  associate_id, pos_reference, created_at)
        SELECT %(store)s, r.customer_id, r.purchased_on, r.amount, r.description,
               r.associate_id, r.number, %(now)s
          FROM staged_receipt r
         WHERE NOT r.already AND r.customer_id IS NOT NULL
         ORDER BY r.line
        ON CONFLICT (store_id, pos_reference) WHERE NOT (pos_reference = '') DO NOTHING
        RETURNING id, pos_reference
    ), lines AS (
        INSERT INTO crm_purchaseline (purchase_id, position, category, metal, stones,
                                      description, amount)
        SELECT w.id, l.position, l.category, l.metal, l.stones, l.description, l.amount
          FROM written w
          JOIN staged_receipt r ON r.number = w.pos_reference
          JOIN staged_line l ON l.receipt_line = r.line
    ), timeline AS (
        INSERT INTO crm_interaction (customer_id, kind, summary, staff_id, occurred_at)
        SELECT r.customer_id, %(kind)s, r.summary, %(by)s, %(now)s
          FROM written w JOIN staged_receipt r ON r.number = w.pos_reference
         ORDER BY r.line
    )
    UPDATE staged_receipt r SET purchase_id = w.id
      FROM written w WHERE r.number = w.pos_reference
    RETURNING r.line, r.customer_id, r.credit_to, r.purchased_on
"""

# Who gets the credit for a customer of the batch: the associate of their latest receipt
# written by it (date, then line) who may look after clients (`credit_to`). `{written}`: the
# receipts written, or about to be.
_CREDIT = """
    credit AS (
        SELECT DISTINCT ON (customer_id) customer_id, credit_to FROM staged_receipt
         WHERE {written} AND credit_to IS NOT NULL
         ORDER BY customer_id, purchased_on DESC, line DESC
    )"""

# The customers of the receipts written (and those keeping a POS id), locked in id order so
# two batches touching the same customers cannot deadlock; then each of them written once:
# lifetime value and first and last purchase derived again from all their purchases, the
# POS id kept, and a customer nobody looks after (or whose associate left) handed to the
# associate with the credit. One write per customer, and none for a customer whose values
# stay as they are (the buyers the batch added came with theirs): each write touches every
# index of crm_customer, same values or not. Returns (customer, associate before, associate
# now) of those who changed hands.
_LOCK = """
    SELECT c.id FROM crm_customer c
     WHERE c.id IN (SELECT customer_id FROM staged_receipt WHERE purchase_id IS NOT NULL
                    UNION SELECT customer_id FROM staged_kept)
     ORDER BY c.id FOR UPDATE
"""
_SETTLE = """
    WITH theirs AS (
        SELECT customer_id FROM staged_receipt WHERE purchase_id IS NOT NULL
        UNION SELECT customer_id FROM staged_kept
    ), totals AS (
        SELECT p.customer_id, sum(p.amount) AS spent, min(p.purchased_on) AS first_on,
               max(p.purchased_on) AS last_on
          FROM crm_purchase p WHERE p.customer_id IN (SELECT customer_id FROM theirs)
         GROUP BY p.customer_id
    ), {credit}, settled AS (
        SELECT o.id, o.assigned_to_id AS was, COALESCE(t.spent, 0) AS spent, t.first_on,
               t.last_on,
               CASE WHEN o.pos_id = '' AND k.pos_id IS NOT NULL THEN k.pos_id
                    ELSE o.pos_id END AS pos_id,
               COALESCE(CASE WHEN o.assigned_to_id IS NULL OR o.assigned_to_id IN (
                                 SELECT id FROM {staff} WHERE departed_on IS NOT NULL)
                             THEN cr.credit_to END, o.assigned_to_id) AS assigned_to_id
          FROM crm_customer o JOIN theirs ON theirs.customer_id = o.id
          LEFT JOIN totals t ON t.customer_id = o.id
          LEFT JOIN credit cr ON cr.customer_id = o.id
          LEFT JOIN staged_kept k ON k.customer_id = o.id
    )
    UPDATE crm_customer c
       SET lifetime_value = s.spent, first_purchase_on = s.first_on,
           last_purchase_on = s.last_on, updated_at = %(now)s, pos_id = s.pos_id,
           assigned_to_id = s.assigned_to_id
      FROM settled s
     WHERE c.id = s.id
       AND (c.lifetime_value, c.first_purchase_on, c.last_purchase_on, c.pos_id,
            c.assigned_to_id)
           IS DISTINCT FROM (s.spent, s.first_on, s.last_on, s.pos_id, s.assigned_to_id)
    RETURNING c.id, s.was, c.assigned_to_id
"""

# The new buyers, each written once with what their receipts in the batch make of them
# (totals, and the associate with the credit: nobody looked after them before), with their
# history rows, in one statement. `_SETTLE` derives the same values again from the purchases
# and so leaves them as they are. Returns (customer, associate) of those handed to one.
_ADD_NEWCOMERS = """
    WITH bought AS (
        SELECT customer_id, sum(amount) AS spent, min(purchased_on) AS first_on,
               max(purchased_on) AS last_on
          FROM staged_receipt
         WHERE NOT already AND customer_id IN (SELECT id FROM staged_newcomer)
         GROUP BY customer_id
    ), {credit}, added AS (
        INSERT INTO crm_customer ({columns})
        SELECT {values}
          FROM staged_newcomer n
          LEFT JOIN bought b ON b.customer_id = n.id
          LEFT JOIN credit cr ON cr.customer_id = n.id
         ORDER BY n.id
        RETURNING *
    ), history AS (
        INSERT INTO {history} ({history_columns}, history_date, history_type,
                               history_user_id, history_change_reason)
        SELECT {history_values}, %(now)s, '+', %(user)s, NULL FROM added ORDER BY id
    )
    SELECT id, assigned_to_id FROM added WHERE assigned_to_id IS NOT NULL ORDER BY id
"""
# What a new buyer's row holds beyond the field defaults.
_NEWCOMER_VALUES = {
    "id": "n.id", "first_name": "n.first_name", "last_name": "n.last_name",
    "pos_id": "n.pos_id", "email": "n.email", "phone": "n.phone",
    "store_id": "%(store)s", "source": "%(source)s", "created_at": "%(now)s",
    "updated_at": "%(now)s", "lifetime_value": "COALESCE(b.spent, 0)",
    "first_purchase_on": "b.first_on", "last_purchase_on": "b.last_on",
    "assigned_to_id": "cr.credit_to",
}
_HISTORY_OWN = {"history_id", "history_date", "history_type", "history_user_id",
                "history_change_reason"}


@functools.cache
def _add_newcomers_sql() -> tuple[str, dict]:
    """`_ADD_NEWCOMERS` for the model's fields as they are: every other field of a customer
    gets its default, and the history row every field the history keeps."""
    fields = [f for f in Customer._meta.concrete_fields]
    defaults = {f"default_{f.column}": f.get_db_prep_save(f.get_default(), connection)
                for f in fields if f.column not in _NEWCOMER_VALUES}
    values = [_NEWCOMER_VALUES.get(f.column, f"%(default_{f.column})s") for f in fields]
    history = Customer.history.model
    kept = [f.column for f in history._meta.concrete_fields if f.column not in _HISTORY_OWN]
    sql = _ADD_NEWCOMERS.format(
        credit=_CREDIT.format(written="NOT already AND customer_id IS NOT NULL"),
        columns=", ".join(f.column for f in fields), values=", ".join(values),
        history=history._meta.db_table, history_columns=", ".join(kept),
        history_values=", ".join(f"added.{column}" for column in kept))
    return sql, defaults


def _copy(cursor, table: str, columns: tuple[str, ...], rows) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for row in rows:
        writer.writerow([r"\N" if value is None else value for value in row])
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN "
                       f"WITH (FORMAT csv, NULL '\\N')", buffer)


def receipts_stage(*, receipts, lines) -> None:
    """The batch into the staging tables: `receipts` rows in RECEIPT_COLUMNS order, `lines`
    rows in LINE_COLUMNS order."""
    with connection.cursor() as cursor:
        cursor.execute(_CREATE)
        _copy(cursor, "staged_receipt", RECEIPT_COLUMNS, receipts)
        _copy(cursor, "staged_line", LINE_COLUMNS, lines)


def receipts_match(*, store_id: int) -> list[int]:
    """Find each staged receipt's customer; returns the lines of those without one."""
    with connection.cursor() as cursor:
        cursor.execute(_MATCH, {"store": store_id})
        return [line for (line,) in cursor.fetchall()]


def receipts_set_customers(found: dict[int, int]) -> None:
    """Receipt line -> the customer the caller found or added for it."""
    if not found:
        return
    with connection.cursor() as cursor:
        cursor.execute(_SET_CUSTOMERS, {"lines": list(found), "customers": list(found.values())})


def receipts_insert(*, store_id: int, by_id: int | None, kind: str, now) -> list[tuple]:
    """Write the staged receipts with a customer; returns (line, customer id, credit to,
    purchased on) of each one written."""
    with connection.cursor() as cursor:
        cursor.execute(_INSERT, {"store": store_id, "by": by_id, "kind": kind, "now": now})
        return cursor.fetchall()


def receipts_settle(*, now, staff_table: str) -> list[tuple[int, int | None, int]]:
    """Write each customer of the batch once (totals, POS id kept, credit; see `_SETTLE`);
    returns (customer id, associate before, associate now) of those who changed hands."""
    with connection.cursor() as cursor:
        cursor.execute(_LOCK)
        cursor.execute(_SETTLE.format(staff=staff_table,
                                      credit=_CREDIT.format(written="purchase_id IS NOT NULL")),
                       {"now": now})
        return [row for row in cursor.fetchall() if row[1] != row[2]]


def customer_ids_take(count: int) -> list[int]:
    """`count` new customer ids from the customers' own sequence."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                       "FROM generate_series(1, %s)", [Customer._meta.db_table, count])
        return [pk for (pk,) in cursor.fetchall()]


def newcomers_add(*, newcomers, found: dict[int, int], store_id: int, source: str,
                  user_id: int | None, now) -> list[tuple[int, None, int]]:
    """Write the batch's new buyers (`newcomers` rows in NEWCOMER_COLUMNS order, ids from
    `customer_ids_take`) and point their receipts at them (`found`: line -> customer id);
    returns (customer id, None, associate id) of those handed to an associate."""
    sql, defaults = _add_newcomers_sql()
    with connection.cursor() as cursor:
        cursor.execute(_CREATE_NEWCOMERS)
        _copy(cursor, "staged_newcomer", NEWCOMER_COLUMNS, newcomers)
    receipts_set_customers(found)
    with connection.cursor() as cursor:
        cursor.execute(sql, {**defaults, "store": store_id, "source": source, "now": now,
                             "user": user_id})
        return [(pk, None, to) for pk, to in cursor.fetchall()]
