from django.db import migrations, models


class Migration(migrations.Migration):
    """Whether suggestions for orphaned clients include managers (off: salespeople only)."""

    dependencies = [
        ("staff", "0005_staffmember_departed_on_from_2000"),
    ]

    operations = [
        migrations.AddField(
            model_name="store",
            name="managers_take_clients",
            field=models.BooleanField(
                default=False,
                help_text="When on, managers are suggested for orphaned clients like "
                          "salespeople; when off, suggestions go to salespeople only.",
                verbose_name="managers look after clients too"),
        ),
    ]
