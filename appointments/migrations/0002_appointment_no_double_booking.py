# No associate booked twice at once, held by PostgreSQL itself (two bookings racing included).
# SQLite (`make run` on a laptop) has no exclusion constraints: there the service's check under
# a lock on the associate is the only guard, which is enough for one process.

from django.db import migrations

ADD = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE appointments_appointment ADD CONSTRAINT appointment_no_double_booking
    EXCLUDE USING gist (associate_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (status IN ('booked', 'done', 'no_show'));
"""
DROP = """
ALTER TABLE appointments_appointment DROP CONSTRAINT IF EXISTS appointment_no_double_booking;
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [("appointments", "0001_appointments_and_booking_hours")]

    operations = [migrations.RunPython(_on_postgresql(ADD), _on_postgresql(DROP),
                                       elidable=False)]
