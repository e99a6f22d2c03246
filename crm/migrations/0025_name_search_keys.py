"""The name search's keys (crm.search): each name upper-cased in byte order, after the store,
so that a name prefix is a range read in order and stopped at the limit (at a million
customers "Smith" was eight thousand rows scored and sorted to show twenty).

PostgreSQL only, like 0005 and 0007: SQLite (`make run`) has no "C" collation and its search
reads the table. Built CONCURRENTLY so that a store's floor keeps saving walk-ins meanwhile.
"""

from django.db import migrations

KEY = '(upper({column}::text) COLLATE "C")'
INDEXES = {
    "crm_customer_store_surname_key": ("last_name", "first_name"),
    "crm_customer_store_first_name_key": ("first_name", "last_name"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (first, second) in INDEXES.items():
        keys = f"{KEY.format(column=first)}, {KEY.format(column=second)}"
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON crm_customer (store_id, {keys}, id)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("crm", "0024_events_words_kept_on_customer")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
