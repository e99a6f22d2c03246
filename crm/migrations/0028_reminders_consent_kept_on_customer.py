"""Whether the customer has occasion-reminder consent now (crm.selectors.consent_granted_now),
kept on the customer's row by triggers (issue 14: the dashboard's walk-ins with consent at 1M
customers, which otherwise looks up each walk-in's ledger rows).

One column the models do not declare (so no `save()` of a customer read earlier can write an
old value back): `reminders_consent_now`, true when for some address the profile has now (its
email or second email by email, its phone by text or call) the ledger's newest row for that
channel, address and purpose (created_at, then id) grants occasion reminders. Kept in the
same statement as the change, as 0024 keeps the events words, so it is never stale:
- a ledger row about occasion reminders added, changed or deleted recomputes its customers;
- a profile whose email, second email or phone changes is recomputed.
The triggers fire under `session_replication_role = replica` too (ENABLE ALWAYS).

PostgreSQL only: SQLite (`make run`) reads the ledger directly (insights.selectors).
"""

from django.db import migrations

RECOMPUTE = """
CREATE OR REPLACE FUNCTION crm_reminders_consent_recompute(customer_ids bigint[])
RETURNS void LANGUAGE sql AS $$
    WITH touched AS (SELECT DISTINCT t.id FROM unnest(customer_ids) AS t(id)),
    words AS (
        SELECT DISTINCT ON (k.customer_id, k.channel, k.address)
               k.customer_id, k.channel, k.address, k.granted
        FROM crm_consent k JOIN touched t ON t.id = k.customer_id
        WHERE k.purpose = 'occasions'
        ORDER BY k.customer_id, k.channel, k.address, k.created_at DESC, k.id DESC
    ),
    decided AS (
        SELECT p.id,
               COALESCE(BOOL_OR(w.granted AND w.address <> '' AND (
                   (w.channel = 'email' AND w.address IN (p.email, p.secondary_email))
                   OR (w.channel IN ('sms', 'phone') AND w.address = p.phone))), false)
               AS granted
        FROM crm_customer p JOIN touched t ON t.id = p.id
        LEFT JOIN words w ON w.customer_id = p.id
        GROUP BY p.id
    )
    UPDATE crm_customer c SET reminders_consent_now = x.granted
    FROM decided x
    WHERE c.id = x.id AND c.reminders_consent_now IS DISTINCT FROM x.granted
$$ SET search_path FROM CURRENT;
"""

LEDGER = """
CREATE OR REPLACE FUNCTION crm_reminders_consent_ledger() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        touched := ARRAY(SELECT DISTINCT customer_id FROM new_rows WHERE purpose = 'occasions');
    ELSIF TG_OP = 'DELETE' THEN
        touched := ARRAY(SELECT DISTINCT customer_id FROM old_rows WHERE purpose = 'occasions');
    ELSE
        touched := ARRAY(SELECT customer_id FROM old_rows WHERE purpose = 'occasions'
                         UNION SELECT customer_id FROM new_rows WHERE purpose = 'occasions');
    END IF;
    IF cardinality(touched) > 0 THEN
        PERFORM crm_reminders_consent_recompute(touched);
    END IF;
    RETURN NULL;
END $$ SET search_path FROM CURRENT;
CREATE TRIGGER crm_reminders_consent_insert AFTER INSERT ON crm_consent
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION crm_reminders_consent_ledger();
CREATE TRIGGER crm_reminders_consent_update AFTER UPDATE ON crm_consent
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION crm_reminders_consent_ledger();
CREATE TRIGGER crm_reminders_consent_delete AFTER DELETE ON crm_consent
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION crm_reminders_consent_ledger();
ALTER TABLE crm_consent ENABLE ALWAYS TRIGGER crm_reminders_consent_insert;
ALTER TABLE crm_consent ENABLE ALWAYS TRIGGER crm_reminders_consent_update;
ALTER TABLE crm_consent ENABLE ALWAYS TRIGGER crm_reminders_consent_delete;
"""

# The recompute's own UPDATE changes no address, so it finds no customer here and stops.
PROFILE = """
CREATE OR REPLACE FUNCTION crm_reminders_consent_profile() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[] := ARRAY(
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.email, n.secondary_email, n.phone)
              IS DISTINCT FROM (o.email, o.secondary_email, o.phone));
BEGIN
    IF cardinality(touched) > 0 THEN
        PERFORM crm_reminders_consent_recompute(touched);
    END IF;
    RETURN NULL;
END $$ SET search_path FROM CURRENT;
CREATE TRIGGER crm_reminders_consent_addresses AFTER UPDATE ON crm_customer
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION crm_reminders_consent_profile();
ALTER TABLE crm_customer ENABLE ALWAYS TRIGGER crm_reminders_consent_addresses;
"""

COLUMN = """
ALTER TABLE crm_customer ADD COLUMN reminders_consent_now boolean NOT NULL DEFAULT false;
"""

# Every customer the occasion-reminders ledger knows, once.
FILL = """
SELECT crm_reminders_consent_recompute(ARRAY(
    SELECT DISTINCT customer_id FROM crm_consent WHERE purpose = 'occasions'));
"""

DROP = """
DROP TRIGGER IF EXISTS crm_reminders_consent_addresses ON crm_customer;
DROP TRIGGER IF EXISTS crm_reminders_consent_insert ON crm_consent;
DROP TRIGGER IF EXISTS crm_reminders_consent_update ON crm_consent;
DROP TRIGGER IF EXISTS crm_reminders_consent_delete ON crm_consent;
DROP FUNCTION IF EXISTS crm_reminders_consent_profile();
DROP FUNCTION IF EXISTS crm_reminders_consent_ledger();
DROP FUNCTION IF EXISTS crm_reminders_consent_recompute(bigint[]);
ALTER TABLE crm_customer DROP COLUMN IF EXISTS reminders_consent_now;
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0027_dashboard_walk_ins_and_bounces_by_index"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(COLUMN + RECOMPUTE + LEDGER + PROFILE + FILL),
                             _on_postgresql(DROP)),
    ]
