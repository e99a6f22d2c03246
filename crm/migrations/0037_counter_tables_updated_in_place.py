"""The tables the triggers keep counts in, updated where they lie (PostgreSQL only).

crm_customername (the name search's fuzzy stage), crm_clientcount (My clients' count, the
orphan list's associates) and crm_storebuyers are a few hundred or thousand rows, each
rewritten on every customer a walk-in, an import or a reassignment adds, moves or renames. Full
pages (fillfactor 100) made each update a new row version elsewhere with new index entries:
at the 1M size, after a morning of walk-ins, crm_customername held 19,485 dead versions beside
2,062 live rows and its index-only scan visited the heap 8,224 times for 1,031 names (the
typo search's 0.7 ms became 3.3 ms), and crm_clientcount held 16,856 dead beside 482 live.

Half-full pages let an update stay on its page without touching the indexes (a HOT update,
the count being in no index), and the page prunes its dead versions as it is read; autovacuum
looks at these tables after a few hundred changes rather than a fifth of the table.
The tables are rewritten once here (VACUUM FULL, a moment for a few thousand rows: outside a
transaction, so this migration is not atomic), so the rows already there get the room too.
"""

from django.db import migrations

_TABLES = ("crm_customername", "crm_clientcount", "crm_storebuyers")
_SETTINGS = ("fillfactor = 50, autovacuum_vacuum_scale_factor = 0.0, "
             "autovacuum_vacuum_threshold = 500, autovacuum_analyze_scale_factor = 0.0, "
             "autovacuum_analyze_threshold = 500")
_RESET = ("fillfactor, autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, "
          "autovacuum_analyze_scale_factor, autovacuum_analyze_threshold")


def _on_postgresql(*templates):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for table in _TABLES:
                for template in templates:
                    schema_editor.execute(template.format(table=table))
    return run


class Migration(migrations.Migration):

    atomic = False

    dependencies = [
        ("crm", "0036_purchase_prefix_indexes_dropped"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(f"ALTER TABLE {{table}} SET ({_SETTINGS})",
                                            "VACUUM FULL {table}"),
                             _on_postgresql(f"ALTER TABLE {{table}} RESET ({_RESET})",
                                            "VACUUM FULL {table}")),
    ]
