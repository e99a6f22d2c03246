"""`Assignment` (who looks after whom) moves from staff to crm; its table stays.

State only: the model is created here and deleted from staff in
staff/0005_assignment_moves_to_crm; the table keeps its name (`db_table`), so neither
migration touches the database. The content type follows, so permissions stay attached.
"""

import django.db.models.deletion
from django.db import migrations, models


def content_type_to_crm(apps, schema_editor):
    _move_content_type(apps, source="staff", target="crm")


def content_type_to_staff(apps, schema_editor):
    _move_content_type(apps, source="crm", target="staff")


def _move_content_type(apps, *, source, target):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label=target, model="assignment").exists():
        ContentType.objects.filter(app_label=source, model="assignment").update(
            app_label=target)


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("crm", "0011_customer_contact_preference"),
        ("staff", "0006_store_managers_take_clients"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Assignment",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("started_at", models.DateTimeField()),
                        ("ended_at", models.DateTimeField(blank=True, null=True)),
                        ("reason", models.CharField(choices=[("walk_in", "Walk-in"), ("reassignment", "Reassigned by a manager"), ("import", "Import"), ("departure", "Departure policy"), ("merge", "Profiles merged")], max_length=16)),
                        ("note", models.CharField(blank=True, max_length=200)),
                        ("associate", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="assignments", to="staff.staffmember")),
                        ("customer", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="assignments", to="crm.customer")),
                        ("set_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="staff.staffmember")),
                    ],
                    options={
                        "db_table": "staff_assignment",
                        "ordering": ["-started_at", "-id"],
                        "constraints": [models.UniqueConstraint(condition=models.Q(("ended_at__isnull", True)), fields=("customer",), name="assignment_one_open_per_customer")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_crm, content_type_to_staff),
    ]
