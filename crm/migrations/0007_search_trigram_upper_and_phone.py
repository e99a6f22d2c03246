"""Indexes the search box needs at 100,000 customers (bench/, README "Performance").

- Name prefix: Django's `istartswith` compares UPPER(column), which the plain trigram indexes
  of 0005 cannot serve; with it in the OR, every name search read the whole table.
- Phone: `contains` is LIKE '%digits%', which only a trigram index can serve.

PostgreSQL only, like 0005 (SQLite, used by `make run`, skips them).
"""

from django.db import migrations

INDEXES = {
    "customer_first_name_upper_trgm": "upper(first_name) gin_trgm_ops",
    "customer_last_name_upper_trgm": "upper(last_name) gin_trgm_ops",
    "customer_phone_trgm": "phone gin_trgm_ops",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, expression in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON crm_customer USING gin ({expression})"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("crm", "0006_view_history_permission")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
