from django.db import migrations

DEFAULTS = ["Bridal", "Diamonds", "Colored gems", "Pearls", "Watches", "Gold", "Silver",
            "Designer lines"]


def add_defaults(apps, schema_editor):
    Preference = apps.get_model("crm", "Preference")
    for position, name in enumerate(DEFAULTS):
        Preference.objects.get_or_create(name=name, defaults={"position": position})


class Migration(migrations.Migration):
    dependencies = [("crm", "0002_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
