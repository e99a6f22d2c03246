"""The names a store's customers bear, counted (crm.models.CustomerName), kept by statement
triggers like the client counts of 0021: one statement's rows are counted together (transition
tables), upserted in (store, name) order so that two transactions lock them in the same order,
and a name nobody bears any more is deleted (an erased customer's name leaves no trace here).
The triggers fire under `session_replication_role = replica` too (ENABLE ALWAYS), which the
benchmark's clean-up uses, and keep the schema they were made in (SET search_path FROM CURRENT).

A trigram index on the names serves the name search's fuzzy stage. PostgreSQL only: SQLite
(`make run`) has neither statement triggers nor trigrams, and its search does not read them.
"""

import django.db.models.deletion
from django.db import migrations, models


def _names(rows: str, change: int) -> str:
    return (f"SELECT store_id, first_name AS name, {change} AS change FROM {rows} "
            f"UNION ALL SELECT store_id, last_name, {change} FROM {rows}")


CHANGED = ("FROM old_rows o JOIN new_rows n USING (id) WHERE (o.store_id, o.first_name, "
           "o.last_name) IS DISTINCT FROM (n.store_id, n.first_name, n.last_name)")
MOVED = " UNION ALL ".join(f"SELECT {side}.store_id, {side}.{column} AS name, {change} AS change "
                           f"{CHANGED}"
                           for side, change in (("o", -1), ("n", 1))
                           for column in ("first_name", "last_name"))
KEEP = """
    INSERT INTO crm_customername (store_id, name, customers)
    SELECT store_id, name, SUM(change) FROM ({rows}) AS changes WHERE name <> ''
    GROUP BY store_id, name HAVING SUM(change) <> 0 ORDER BY store_id, name
    ON CONFLICT (store_id, name)
    DO UPDATE SET customers = crm_customername.customers + EXCLUDED.customers;
    DELETE FROM crm_customername WHERE customers <= 0
        AND (store_id, name) IN (SELECT store_id, name FROM ({rows}) AS touched);
"""
FUNCTION = f"""
CREATE OR REPLACE FUNCTION crm_customer_name_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN {KEEP.format(rows=_names("new_rows", 1))}
    ELSIF TG_OP = 'DELETE' THEN {KEEP.format(rows=_names("old_rows", -1))}
    ELSE {KEEP.format(rows=MOVED)}
    END IF;
    RETURN NULL;
END $$ SET search_path FROM CURRENT;
CREATE TRIGGER crm_customer_name_insert AFTER INSERT ON crm_customer
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_name_keep();
CREATE TRIGGER crm_customer_name_update AFTER UPDATE ON crm_customer
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_name_keep();
CREATE TRIGGER crm_customer_name_delete AFTER DELETE ON crm_customer
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_customer_name_keep();
ALTER TABLE crm_customer ENABLE ALWAYS TRIGGER crm_customer_name_insert;
ALTER TABLE crm_customer ENABLE ALWAYS TRIGGER crm_customer_name_update;
ALTER TABLE crm_customer ENABLE ALWAYS TRIGGER crm_customer_name_delete;
INSERT INTO crm_customername (store_id, name, customers)
SELECT store_id, name, COUNT(*) FROM ({_names("crm_customer", 1)}) AS names WHERE name <> ''
GROUP BY store_id, name;
CREATE INDEX customername_name_trgm ON crm_customername USING gin (name gin_trgm_ops);
"""
DROP = """
DROP TRIGGER IF EXISTS crm_customer_name_insert ON crm_customer;
DROP TRIGGER IF EXISTS crm_customer_name_update ON crm_customer;
DROP TRIGGER IF EXISTS crm_customer_name_delete ON crm_customer;
DROP FUNCTION IF EXISTS crm_customer_name_keep();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return run


_keep, _stop = _on_postgresql(FUNCTION), _on_postgresql(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0025_name_search_keys'),
        ('staff', '0009_floor_tablets_and_pins'),
    ]

    operations = [
        migrations.CreateModel(
            name='CustomerName',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=80)),
                ('customers', models.BigIntegerField(default=0)),
                ('store', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='staff.store')),
            ],
            options={
                'constraints': [models.UniqueConstraint(fields=('store', 'name'), name='customername_once_per_store')],
            },
        ),
        migrations.RunPython(_keep, _stop),
    ]
