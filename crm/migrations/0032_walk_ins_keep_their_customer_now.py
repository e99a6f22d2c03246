"""What the dashboard asks of each walk-in's customer, kept on the walk-in's row by triggers
(issue 14: the dashboard at 1M customers in under 300 ms).

The per-associate table counts the period's walk-ins, those whose customer has a phone or an
email, and those whose customer has occasion-reminder consent now, for the store the customer
belongs to now. Read through the customer, that was one customer look-up per walk-in (7,500 a
month at the flagship, most of the dashboard's time). Three columns the models do not declare
(as 0024 and 0028, so no `save()` of a walk-in read earlier can write an old answer back):

- `customer_store_id`: the customer's store now;
- `customer_reachable_now`: the customer has a phone or an email now;
- `customer_consents_now`: the customer's `occasion_reminders_now` (0028), i.e. crm's rule
  `consent_granted_now`.

Kept in the same statement as the change, so never stale: a walk-in written (or moved to
another customer) copies them from its customer (a row trigger); a customer whose store,
phone, email or consent changes copies them to their walk-ins (a statement trigger, which
also sees the consent triggers' own UPDATE of `occasion_reminders_now`). ENABLE ALWAYS: the
generator's bulk load and the benchmark's clean-up run as replicas. One index holds what the
dashboard reads (store, time, associate and the two answers), so it reads no row.

PostgreSQL only: SQLite (`make run`) has no triggers and reads the customer (insights).
"""

from django.db import migrations

COLUMNS = """
ALTER TABLE crm_walkin ADD COLUMN customer_store_id bigint,
    ADD COLUMN customer_reachable_now boolean NOT NULL DEFAULT false,
    ADD COLUMN customer_consents_now boolean NOT NULL DEFAULT false;
"""

WALK_IN = """
CREATE OR REPLACE FUNCTION crm_walkin_customer_now() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT c.store_id, c.phone <> '' OR c.email <> '', c.occasion_reminders_now
    INTO NEW.customer_store_id, NEW.customer_reachable_now, NEW.customer_consents_now
    FROM crm_customer c WHERE c.id = NEW.customer_id;
    RETURN NEW;
END $$ SET search_path FROM CURRENT;
CREATE TRIGGER crm_walkin_customer_now BEFORE INSERT OR UPDATE OF customer_id ON crm_walkin
    FOR EACH ROW EXECUTE FUNCTION crm_walkin_customer_now();
ALTER TABLE crm_walkin ENABLE ALWAYS TRIGGER crm_walkin_customer_now;
"""

# A statement trigger fires even when no row changed: most updates of customers (a visit, a
# purchase's totals) change none of these and write nothing here.
CUSTOMER = """
CREATE OR REPLACE FUNCTION crm_walkin_customer_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE crm_walkin w
    SET customer_store_id = n.store_id, customer_reachable_now = n.phone <> '' OR n.email <> '',
        customer_consents_now = n.occasion_reminders_now
    FROM (SELECT n.* FROM new_rows n JOIN old_rows o ON o.id = n.id
          WHERE (n.store_id, n.phone <> '' OR n.email <> '', n.occasion_reminders_now)
                IS DISTINCT FROM (o.store_id, o.phone <> '' OR o.email <> '',
                                  o.occasion_reminders_now)) AS n
    WHERE w.customer_id = n.id;
    RETURN NULL;
END $$ SET search_path FROM CURRENT;
CREATE TRIGGER crm_walkin_customer_changed AFTER UPDATE ON crm_customer
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION crm_walkin_customer_changed();
ALTER TABLE crm_customer ENABLE ALWAYS TRIGGER crm_walkin_customer_changed;
"""

FILL = """
UPDATE crm_walkin w
SET customer_store_id = c.store_id, customer_reachable_now = c.phone <> '' OR c.email <> '',
    customer_consents_now = c.occasion_reminders_now
FROM crm_customer c WHERE c.id = w.customer_id;
CREATE INDEX walkin_store_created_kept ON crm_walkin (customer_store_id, created_at)
    INCLUDE (logged_by_id, customer_reachable_now, customer_consents_now, customer_id);
"""

DROP = """
DROP TRIGGER IF EXISTS crm_walkin_customer_changed ON crm_customer;
DROP TRIGGER IF EXISTS crm_walkin_customer_now ON crm_walkin;
DROP FUNCTION IF EXISTS crm_walkin_customer_changed();
DROP FUNCTION IF EXISTS crm_walkin_customer_now();
DROP INDEX IF EXISTS walkin_store_created_kept;
ALTER TABLE crm_walkin DROP COLUMN IF EXISTS customer_store_id,
    DROP COLUMN IF EXISTS customer_reachable_now,
    DROP COLUMN IF EXISTS customer_consents_now;
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0031_store_buyers_kept_by_triggers"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(COLUMNS + WALK_IN + CUSTOMER + FILL),
                             _on_postgresql(DROP)),
    ]
