"""One occasion per customer, kind and date (0008 folded the duplicates first).

A migration of its own: PostgreSQL refuses to alter a table that still has the deferred
foreign-key checks of 0008's deletions pending in the same transaction.
"""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0008_merge_duplicate_occasions"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="occasion",
            constraint=models.UniqueConstraint(fields=("customer", "kind", "month", "day"),
                                               name="occasion_once_per_customer_kind_date"),
        ),
    ]
