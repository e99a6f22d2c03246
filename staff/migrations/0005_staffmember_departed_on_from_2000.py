import datetime

from django.db import migrations, models


class Migration(migrations.Migration):
    """A departure before 2000 is a mistyped year (1899-01-01 was accepted)."""

    dependencies = [
        ("staff", "0004_store_reassign_on_departure"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="staffmember",
            constraint=models.CheckConstraint(
                condition=models.Q(("departed_on__isnull", True),
                                   ("departed_on__gte", datetime.date(2000, 1, 1)),
                                   _connector="OR"),
                name="staffmember_departed_on_from_2000"),
        ),
    ]
