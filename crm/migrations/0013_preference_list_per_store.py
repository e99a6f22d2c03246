"""Each store keeps its own preference list.

The shared list becomes the oldest store's; every other store gets its own copy, and the
preferences of its customers and the strengths of its staff move to that copy. Without a
store yet (a fresh database), the shared rows have no owner and go: a new store starts from
`crm.services.preference_list_start`.
"""

import django.db.models.deletion
import django.db.models.functions.text
from django.db import migrations, models


def give_each_store_its_list(apps, schema_editor):
    Preference = apps.get_model("crm", "Preference")
    Store = apps.get_model("staff", "Store")
    shared = list(Preference.objects.filter(store__isnull=True).order_by("pk"))
    stores = list(Store.objects.order_by("pk"))
    if stores:
        first, *others = stores
        for store in others:
            for preference in shared:
                copy = Preference.objects.create(store=store, name=preference.name,
                                                 active=preference.active,
                                                 position=preference.position)
                _repoint(apps, store=store, old=preference.pk, new=copy.pk)
        Preference.objects.filter(pk__in=[p.pk for p in shared]).update(store=first)
    else:
        Preference.objects.filter(store__isnull=True).delete()
    _settle(schema_editor)


def share_one_list(apps, schema_editor):
    """Backwards: one row per name again (the oldest), every use pointing at it."""
    Preference = apps.get_model("crm", "Preference")
    Store = apps.get_model("staff", "Store")
    kept = {}
    for preference in Preference.objects.order_by("pk"):
        key = preference.name.lower()
        if key not in kept:
            kept[key] = preference
            continue
        for store in Store.objects.filter(pk=preference.store_id):
            _repoint(apps, store=store, old=preference.pk, new=kept[key].pk)
        preference.delete()
    Preference.objects.update(store=None)
    _settle(schema_editor)


def _settle(schema_editor):
    # PostgreSQL refuses to alter a table with foreign-key checks still pending in the same
    # transaction: run them now.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _repoint(apps, *, store, old, new):
    Customer = apps.get_model("crm", "Customer")
    StaffMember = apps.get_model("staff", "StaffMember")
    Customer.preferences.through.objects.filter(
        customer__store=store, preference_id=old).update(preference_id=new)
    StaffMember.strengths.through.objects.filter(
        staffmember__store=store, preference_id=old).update(preference_id=new)


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0012_assignment_moves_from_staff"),
        ("staff", "0007_assignment_moves_to_crm"),
    ]

    operations = [
        migrations.AddField(
            model_name="preference",
            name="store",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE,
                                    related_name="preferences", to="staff.store"),
        ),
        migrations.AlterField(
            model_name="preference",
            name="name",
            field=models.CharField(max_length=60),
        ),
        migrations.RunPython(give_each_store_its_list, share_one_list),
        migrations.AlterField(
            model_name="preference",
            name="store",
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                    related_name="preferences", to="staff.store"),
        ),
        migrations.AddConstraint(
            model_name="preference",
            constraint=models.UniqueConstraint(
                models.F("store"), django.db.models.functions.text.Lower("name"),
                name="preference_name_unique_per_store"),
        ),
    ]
