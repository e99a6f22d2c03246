"""Each store's buyers and their lifetime value together, kept by statement triggers on
crm_customer as 0021 keeps the client counts (issue 14: the dashboard's top 30 % at 1M
customers summed a quarter of a million buyers on every view).

A buyer is a customer whose lifetime value is above zero. One statement's rows are counted
together (transition tables): a bulk load, an import's totals or an erasure costs one upsert
per store it touched; an update that changes no lifetime value and no store writes nothing.
ENABLE ALWAYS (the generator's bulk load and the benchmark's clean-up run as replicas); the
function keeps its schema (`SET search_path FROM CURRENT`).
"""

import django.db.models.deletion
from django.db import migrations, models

UPSERT = """
    INSERT INTO crm_storebuyers (store_id, buyers, sales)
    SELECT store_id, SUM(buyers), SUM(sales) FROM ({rows}) AS changes
    GROUP BY store_id HAVING SUM(buyers) <> 0 OR SUM(sales) <> 0 ORDER BY store_id
    ON CONFLICT (store_id) DO UPDATE SET buyers = crm_storebuyers.buyers + EXCLUDED.buyers,
        sales = crm_storebuyers.sales + EXCLUDED.sales;
"""
ADDED = ("SELECT store_id, 1 AS buyers, lifetime_value AS sales FROM new_rows "
         "WHERE lifetime_value > 0")
REMOVED = ("SELECT store_id, -1 AS buyers, -lifetime_value AS sales FROM old_rows "
           "WHERE lifetime_value > 0")
MOVED = """
    SELECT o.store_id, -1 AS buyers, -o.lifetime_value AS sales
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE o.lifetime_value > 0
      AND (o.store_id, o.lifetime_value) IS DISTINCT FROM (n.store_id, n.lifetime_value)
    UNION ALL
    SELECT n.store_id, 1, n.lifetime_value
    FROM old_rows o JOIN new_rows n ON n.id = o.id
    WHERE n.lifetime_value > 0
      AND (o.store_id, o.lifetime_value) IS DISTINCT FROM (n.store_id, n.lifetime_value)
"""
FUNCTION = f"""
CREATE OR REPLACE FUNCTION crm_store_buyers_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN {UPSERT.format(rows=ADDED)}
    ELSIF TG_OP = 'DELETE' THEN {UPSERT.format(rows=REMOVED)}
    ELSE {UPSERT.format(rows=MOVED)}
    END IF;
    RETURN NULL;
END $$ SET search_path FROM CURRENT;
CREATE TRIGGER crm_store_buyers_insert AFTER INSERT ON crm_customer
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_store_buyers_keep();
CREATE TRIGGER crm_store_buyers_update AFTER UPDATE ON crm_customer
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION crm_store_buyers_keep();
CREATE TRIGGER crm_store_buyers_delete AFTER DELETE ON crm_customer
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION crm_store_buyers_keep();
ALTER TABLE crm_customer ENABLE ALWAYS TRIGGER crm_store_buyers_insert;
ALTER TABLE crm_customer ENABLE ALWAYS TRIGGER crm_store_buyers_update;
ALTER TABLE crm_customer ENABLE ALWAYS TRIGGER crm_store_buyers_delete;
INSERT INTO crm_storebuyers (store_id, buyers, sales)
SELECT store_id, COUNT(*), SUM(lifetime_value) FROM crm_customer WHERE lifetime_value > 0
GROUP BY store_id;
"""
DROP = """
DROP TRIGGER IF EXISTS crm_store_buyers_insert ON crm_customer;
DROP TRIGGER IF EXISTS crm_store_buyers_update ON crm_customer;
DROP TRIGGER IF EXISTS crm_store_buyers_delete ON crm_customer;
DROP FUNCTION IF EXISTS crm_store_buyers_keep();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        # SQLite (`make run` on a laptop) has no statement triggers: insights counts there.
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0030_customer_names_counted_without_joins'),
        ('staff', '0009_floor_tablets_and_pins'),
    ]

    operations = [
        migrations.CreateModel(
            name='StoreBuyers',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('buyers', models.BigIntegerField(default=0)),
                ('sales', models.DecimalField(decimal_places=2, default=0, max_digits=16)),
                ('store', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='staff.store')),
            ],
        ),
        migrations.RunPython(_on_postgresql(FUNCTION), _on_postgresql(DROP)),
    ]
