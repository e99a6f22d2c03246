# The call task becomes the general task; its table and rows stay where they are.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('followups', '0011_calltask_reason'),
        ("crm", "0017_piece_photos"),
        ("staff", "0007_assignment_moves_to_crm"),
    ]

    operations = [
        migrations.AlterModelTable(name="calltask", table="followups_calltask"),
        migrations.RenameModel(old_name="CallTask", new_name="Task"),
    ]
