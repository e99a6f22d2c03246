"""Four indexes fewer on the customer: each one cost every new customer, every reassignment
and every import (an UPDATE that changes the associate is written into each index).

- `customer_store_assigned` (store, associate) is the start of `customer_store_book`.
- The store's own foreign-key index is the start of every other index on the table.
- `customer_first_name_trgm` and `customer_last_name_trgm` (0005) served the first name
  search; names are now searched by their keys (0025) and by `crm.CustomerName`'s trigrams,
  and the list's filter compares upper-cased names, which the upper-cased trigram indexes of
  0007 serve. At 1m the bench's run had read neither of them once.
"""

from django.db import migrations, models

TRIGRAMS = {"customer_first_name_trgm": "first_name", "customer_last_name_trgm": "last_name"}


def drop_trigrams(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in TRIGRAMS:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def create_trigrams(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, column in TRIGRAMS.items():
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON crm_customer "
                                  f"USING gin ({column} gin_trgm_ops)")


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0028_occasion_reminders_kept_on_customer"),
        ("staff", "0009_floor_tablets_and_pins"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="customer", name="customer_store_assigned"),
        migrations.AlterField(
            model_name="customer", name="store",
            field=models.ForeignKey(db_index=False, on_delete=models.deletion.PROTECT,
                                    related_name="customers", to="staff.store"),
        ),
        migrations.RunPython(drop_trigrams, create_trigrams),
    ]
