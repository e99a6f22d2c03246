"""Every store that exists has its messaging settings and its own copy of the default
templates, so no page creates them when it is opened. A store created from now on gets them
from `followups.services.store_messaging_start` (followups.receivers)."""

from django.db import migrations


def give_each_store_its_messaging(apps, schema_editor):
    from followups.rendering import DEFAULTS

    Store = apps.get_model("staff", "Store")
    MessagingSettings = apps.get_model("followups", "MessagingSettings")
    MessageTemplate = apps.get_model("followups", "MessageTemplate")
    for store in Store.objects.filter(messaging_settings__isnull=True).order_by("pk"):
        MessagingSettings.objects.create(
            store=store, footer_address=store.address, sender_name=store.name,
            sender_email=store.email, sender_phone=store.phone)
    MessageTemplate.objects.bulk_create(
        [MessageTemplate(store=store, kind=kind, channel=channel, subject=subject, body=body)
         for store in Store.objects.order_by("pk")
         for (kind, channel), (subject, body) in DEFAULTS.items()],
        ignore_conflicts=True)


class Migration(migrations.Migration):

    dependencies = [
        ("followups", "0005_message_for_sign_up"),
        ("staff", "0007_assignment_moves_to_crm"),
    ]

    # Backwards leaves the rows: the app made the same ones on first use before.
    operations = [migrations.RunPython(give_each_store_its_messaging,
                                       migrations.RunPython.noop)]
