"""The benchmark's data: one PostgreSQL database, `loupe_bench`, one schema per size.

Each size is generated once (`generate_data`) and kept, with a marker row saying what was
generated; the next run reuses it after `migrate` (so a new index lands on the old data).
A different size, seed or generator version regenerates that schema alone. The development
and test databases are never touched.
"""

import contextlib
import datetime
import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent
# Two people benchmarking on one machine set BENCH_DATABASE / BENCH_REDIS_DB / BENCH_PORT apart.
DATABASE = os.environ.get("BENCH_DATABASE", "loupe_bench")
SERVER = "postgres://postgres@127.0.0.1:5432"
SEED = 8
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
REDIS_URL = f"redis://127.0.0.1:6379/{os.environ.get('BENCH_REDIS_DB', '6')}"
SECRET_KEY = "loupe-bench-secret-key-not-for-production-3e8d1b7a"  # noqa: S105 - bench only
MARKER = "bench_dataset"
KEPT_BY_TRIGGERS = {"crm_clientcount", "crm_customername", "crm_storebuyers"}
GENERATOR = ROOT / "sampledata" / "generate"


def generator_version() -> str:
    """A change to the generator regenerates every size (no version number to forget)."""
    digest = hashlib.sha256()
    for path in sorted(GENERATOR.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def schema(size: str) -> str:
    return f"size_{size}"


def database_url(size: str) -> str:
    return f"{SERVER}/{DATABASE}?options=-c%20search_path%3D{schema(size)},public"


def environment(size: str) -> dict[str, str]:
    """Production settings (DEBUG off), pointed at this size's schema and Redis db 6."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url(size),
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "false",
        "HTTPS": "false",
        "CONN_MAX_AGE": "60",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


def connect(database: str = DATABASE):
    """An autocommit connection, closed on leaving the `with` block.

    (psycopg2's own `with connection` opens a transaction even in autocommit mode, which would
    hide a new schema from the `migrate` subprocess until the block ends.)
    """
    connection = psycopg2.connect(f"{SERVER}/{database}")
    connection.autocommit = True
    return contextlib.closing(connection)


def ensure_database() -> None:
    with connect("postgres") as admin, admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
    with connect() as connection, connection.cursor() as cursor:
        # Extensions live in public, which every size's search_path includes: one made by a
        # size's migrate would live in that size's schema, and generating that size again
        # (DROP SCHEMA ... CASCADE) would take the other sizes' uses of it along (btree_gist:
        # their appointments' no-double-booking constraint).
        # A database from before this was made moves it there.
        for extension in ("pg_trgm", "btree_gist"):
            name = sql.Identifier(extension)
            cursor.execute(sql.SQL("CREATE EXTENSION IF NOT EXISTS {} SCHEMA public").format(name))
            cursor.execute("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
                           "ON n.oid = e.extnamespace WHERE e.extname = %s", [extension])
            if cursor.fetchone()[0] != "public":
                cursor.execute(sql.SQL("ALTER EXTENSION {} SET SCHEMA public").format(name))


def _marker(cursor, size: str) -> dict | None:
    cursor.execute("SELECT to_regclass(%s)", [f"{schema(size)}.{MARKER}"])
    if cursor.fetchone()[0] is None:
        return None
    cursor.execute(sql.SQL("SELECT customers, seed, version, generated_at, seconds FROM {}.{}")
                   .format(sql.Identifier(schema(size)), sql.Identifier(MARKER)))
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip(["customers", "seed", "version", "generated_at", "seconds"], row,
                    strict=True))


def _manage(size: str, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT,  # noqa: S603
                   env=environment(size), check=True, stdout=subprocess.DEVNULL)


def ensure(size: str, log) -> dict:
    """This size's data, generated now or reused; returns how and how long it took."""
    customers = SIZES[size]
    with connect() as connection, connection.cursor() as cursor:
        marker = _marker(cursor, size)
        wanted = {"customers": customers, "seed": SEED, "version": generator_version()}
        if marker and all(marker[k] == v for k, v in wanted.items()):
            _manage(size, "migrate", "--noinput")
            log(f"{size}: reusing the data generated {marker['generated_at']:%Y-%m-%d %H:%M} "
                f"({marker['seconds']:.0f} s)")
            return {**marker, "generated_at": marker["generated_at"].isoformat(),
                    "reused": True}
        log(f"{size}: generating {customers:,} customers...")
        name = sql.Identifier(schema(size))
        cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(name))
        cursor.execute(sql.SQL("CREATE SCHEMA {}").format(name))
        _manage(size, "migrate", "--noinput")
        started = time.monotonic()
        _manage(size, "generate_data", "--customers", str(customers), "--seed", str(SEED))
        seconds = time.monotonic() - started
        now = datetime.datetime.now(datetime.UTC)
        cursor.execute(sql.SQL("CREATE TABLE {}.{} (customers int, seed int, version text, "
                               "generated_at timestamptz, seconds float)")
                       .format(name, sql.Identifier(MARKER)))
        cursor.execute(sql.SQL("INSERT INTO {}.{} VALUES (%s, %s, %s, %s, %s)")
                       .format(name, sql.Identifier(MARKER)),
                       [customers, SEED, wanted["version"], now, seconds])
        log(f"{size}: generated in {seconds:.1f} s")
        return {**wanted, "generated_at": now.isoformat(), "seconds": seconds, "reused": False}


def _vacuum(cursor, size: str, tables, *, analyze: bool = False) -> None:
    """VACUUM (ANALYZE) each of `tables` of the size, on an autocommit connection's cursor."""
    command = sql.SQL("VACUUM ANALYZE {}.{}" if analyze else "VACUUM {}.{}")
    for table in tables:
        cursor.execute(command.format(sql.Identifier(schema(size)), sql.Identifier(table)))


def vacuum(size: str) -> None:
    """VACUUM ANALYZE every table of the size, as autovacuum keeps a live database.

    It matters: the planner costs a trigram (GIN) index from statistics that VACUUM keeps, and
    on a table never vacuumed since its load it chose to read the whole table instead. It also
    clears what the previous run's writes left behind, so every run starts from the same state.
    """
    with connect() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema(size)])
        _vacuum(cursor, size, [table for (table,) in cursor.fetchall()], analyze=True)


def autovacuum_stand_in(size: str) -> bool:
    """On a server that runs no autovacuum (a CI machine's may not), VACUUM the tables the
    triggers keep counts in, as autovacuum would within its minute's nap: a save updates its
    counts in place, and each update leaves a dead version behind (they vacuum after 500:
    crm 0037). Without it a run's saves left the next run's orphan list stepping over the
    dead versions of 482 client counts, 24,000 of them by the last run. Returns whether it ran
    (False where autovacuum is on: it does this itself)."""
    with connect() as connection, connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('autovacuum')::boolean")
        if cursor.fetchone()[0]:
            return False
        _vacuum(cursor, size, sorted(KEPT_BY_TRIGGERS))
    return True


def _id_tables(cursor, size: str) -> list[str]:
    cursor.execute("""
        SELECT c.relname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid
        WHERE n.nspname = %s AND c.relkind = 'r' AND a.attname = 'id'
          AND a.atttypid IN ('int4'::regtype, 'int8'::regtype)
    """, [schema(size)])
    # What triggers keep (crm_clientcount, crm_customername, crm_storebuyers) follows the rows
    # it counts as those are deleted.
    return sorted(row[0] for row in cursor.fetchall() if row[0] not in KEPT_BY_TRIGGERS)


def write_marks(size: str) -> dict[str, int]:
    """The highest id in every table, before the benchmark writes anything."""
    with connect() as connection, connection.cursor() as cursor:
        marks = {}
        for table in _id_tables(cursor, size):
            cursor.execute(sql.SQL("SELECT COALESCE(MAX(id), 0) FROM {}.{}")
                           .format(sql.Identifier(schema(size)), sql.Identifier(table)))
            marks[table] = cursor.fetchone()[0]
        return marks


def undo_writes(size: str, marks: dict[str, int], *, vacuum: bool = False) -> int:
    """Delete every row the benchmark added (ids above the marks), so the next run measures
    the same data. One transaction; foreign keys are skipped since every new row goes.
    `vacuum`: then VACUUM the tables rows went from (a run starts where the one before did:
    the deleted rows' index entries gone, as after the size's own VACUUM)."""
    connection = psycopg2.connect(f"{SERVER}/{DATABASE}")
    removed, emptied = 0, []
    try:
        with connection, connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            for table, mark in marks.items():
                cursor.execute(sql.SQL("DELETE FROM {}.{} WHERE id > %s")
                               .format(sql.Identifier(schema(size)), sql.Identifier(table)),
                               [mark])
                removed += cursor.rowcount
                if cursor.rowcount:
                    emptied.append(table)
        if vacuum:
            connection.autocommit = True
            with connection.cursor() as cursor:
                _vacuum(cursor, size, emptied)
    finally:
        connection.close()
    return removed
