"""The name counts' update trigger (0026) without joins: it counts the statement's old rows'
names down and its new rows' names up, and only a name whose sum is not zero is written. A
reassignment, an import or a visit changes no name, yet the trigger joined the statement's old
and new rows eight times to find so (595 of 2,556 ms when a manager handed 10,000 orphans
over at 100k). (An EXISTS over that join, tried first, was planned as a nested loop: 30 s.)"""

import importlib

from django.db import migrations

NAMES = importlib.import_module("crm.migrations.0026_customer_names_kept_by_triggers")

COUNTED_AGAIN = f"{NAMES._names('old_rows', -1)} UNION ALL {NAMES._names('new_rows', 1)}"

FUNCTION = f"""
CREATE OR REPLACE FUNCTION crm_customer_name_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN {NAMES.KEEP.format(rows=NAMES._names("new_rows", 1))}
    ELSIF TG_OP = 'DELETE' THEN {NAMES.KEEP.format(rows=NAMES._names("old_rows", -1))}
    ELSE {NAMES.KEEP.format(rows=COUNTED_AGAIN)}
    END IF;
    RETURN NULL;
END $$ SET search_path FROM CURRENT;
"""

# 0026's function as it was (its text up to the triggers it created).
BEFORE = NAMES.FUNCTION.split("CREATE TRIGGER")[0]


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0029_fewer_customer_indexes"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(FUNCTION), _on_postgresql(BEFORE)),
    ]
