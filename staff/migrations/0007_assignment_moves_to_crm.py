"""`Assignment` now belongs to crm (crm/0008_assignment_moves_from_staff): forget it here.

State only: the table `staff_assignment` stays, owned by crm.Assignment.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ("staff", "0006_store_managers_take_clients"),
        ("crm", "0012_assignment_moves_from_staff"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Assignment")],
            database_operations=[],
        ),
    ]
