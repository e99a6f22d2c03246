"""The consent ledger's latest word about "events and news" at each address of the profile,
kept on the customer's row by triggers (issue 13: the audience preview at 1M customers).

Three columns the models do not declare (so no `save()` of a customer read earlier can write
an old word back): `events_word_email`, `events_word_secondary_email`, `events_word_phone`,
each 'granted', else how consent was taken back ('unsubscribe', 'stop', 'bounce', ...), else
'' (never asked at that address, or no address). Kept in the same statement as the change,
so they are never stale:
- a ledger row added, changed (an erasure anonymises addresses) or deleted recomputes its
  customers (statement triggers: a bulk load or an import recomputes each customer once);
- a profile whose email, second email or phone changes is recomputed for its new addresses.

One SQL owns the rule (`crm_events_words_recompute`): for each customer and profile address,
the ledger's newest row (created_at, then id) for that channel, address and purpose - as
`Consent.objects.current_row` reads it. The triggers fire under `session_replication_role =
replica` too (ENABLE ALWAYS), which the generator's bulk load and the benchmark's clean-up
use. The function keeps the schema it was created in (`SET search_path FROM CURRENT`).

PostgreSQL only: SQLite (`make run`) has no statement triggers, and its audience reads the
ledger directly (events.audience).
"""

from django.db import migrations

# The customers come as an array joined as a set (hashed when many: `= ANY` of a parameter
# array would be searched element by element for each row).
RECOMPUTE = """
CREATE OR REPLACE FUNCTION crm_events_words_recompute(customer_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    WITH touched AS (SELECT DISTINCT t.id FROM unnest(customer_ids) AS t(id)),
    words AS (
        SELECT DISTINCT ON (k.customer_id, k.channel, k.address)
               k.customer_id, k.channel, k.address,
               CASE WHEN k.granted THEN 'granted' ELSE k.method END AS word
        FROM crm_consent k JOIN touched t ON t.id = k.customer_id
        WHERE k.purpose = 'events'
        ORDER BY k.customer_id, k.channel, k.address, k.created_at DESC, k.id DESC
    ),
    decided AS (
        SELECT p.id,
               COALESCE(MAX(CASE WHEN w.channel = 'email' AND w.address = p.email
                                 THEN w.word END), '') AS e1,
               COALESCE(MAX(CASE WHEN w.channel = 'email' AND w.address = p.secondary_email
                                 THEN w.word END), '') AS e2,
               COALESCE(MAX(CASE WHEN w.channel = 'sms' AND w.address = p.phone
                                 THEN w.word END), '') AS p1
        FROM crm_customer p JOIN touched t ON t.id = p.id
        LEFT JOIN words w ON w.customer_id = p.id
        GROUP BY p.id
    )
    UPDATE crm_customer c
    SET events_word_email = x.e1, events_word_secondary_email = x.e2,
        events_word_phone = x.p1
    FROM decided x
    WHERE c.id = x.id
      AND (c.events_word_email, c.events_word_secondary_email, c.events_word_phone)
          IS DISTINCT FROM (x.e1, x.e2, x.p1)
$$ SET search_path FROM CURRENT;
"""

LEDGER = """
CREATE OR REPLACE FUNCTION crm_events_words_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        touched := ARRAY(SELECT DISTINCT customer_id FROM new_rows WHERE purpose = 'events');
    ELSIF TG_OP = 'DELETE' THEN
        touched := ARRAY(SELECT DISTINCT customer_id FROM old_rows WHERE purpose = 'events');
    ELSE
        touched := ARRAY(SELECT customer_id FROM old_rows WHERE purpose = 'events'
                         UNION SELECT customer_id FROM new_rows WHERE purpose = 'events');
    END IF;
    IF cardinality(touched) > 0 THEN
        PERFORM crm_events_words_recompute(touched);
    END IF;
    RETURN NULL;
END $$ SET search_path FROM CURRENT;
CREATE TRIGGER crm_events_words_insert AFTER INSERT ON crm_consent
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION crm_events_words_ledger();
CREATE TRIGGER crm_events_words_update AFTER UPDATE ON crm_consent
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION crm_events_words_ledger();
CREATE TRIGGER crm_events_words_delete AFTER DELETE ON crm_consent
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION crm_events_words_ledger();
ALTER TABLE crm_consent ENABLE ALWAYS TRIGGER crm_events_words_insert;
ALTER TABLE crm_consent ENABLE ALWAYS TRIGGER crm_events_words_update;
ALTER TABLE crm_consent ENABLE ALWAYS TRIGGER crm_events_words_delete;
"""

# A statement trigger fires even when no row changed; the recompute's own UPDATE changes no
# address, so it finds no customer here and stops.
PROFILE = """
CREATE OR REPLACE FUNCTION crm_events_words_profile() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[] := ARRAY(
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.email, n.secondary_email, n.phone)
              IS DISTINCT FROM (o.email, o.secondary_email, o.phone));
BEGIN
    IF cardinality(touched) > 0 THEN
        PERFORM crm_events_words_recompute(touched);
    END IF;
    RETURN NULL;
END $$ SET search_path FROM CURRENT;
CREATE TRIGGER crm_events_words_addresses AFTER UPDATE ON crm_customer
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION crm_events_words_profile();
ALTER TABLE crm_customer ENABLE ALWAYS TRIGGER crm_events_words_addresses;
"""

COLUMNS = """
ALTER TABLE crm_customer ADD COLUMN events_word_email varchar(20) NOT NULL DEFAULT '',
    ADD COLUMN events_word_secondary_email varchar(20) NOT NULL DEFAULT '',
    ADD COLUMN events_word_phone varchar(20) NOT NULL DEFAULT '';
"""

# Every customer the events ledger knows, once.
FILL = """
SELECT crm_events_words_recompute(ARRAY(
    SELECT DISTINCT customer_id FROM crm_consent WHERE purpose = 'events'));
"""

DROP = """
DROP TRIGGER IF EXISTS crm_events_words_addresses ON crm_customer;
DROP TRIGGER IF EXISTS crm_events_words_insert ON crm_consent;
DROP TRIGGER IF EXISTS crm_events_words_update ON crm_consent;
DROP TRIGGER IF EXISTS crm_events_words_delete ON crm_consent;
DROP FUNCTION IF EXISTS crm_events_words_profile();
DROP FUNCTION IF EXISTS crm_events_words_ledger();
DROP FUNCTION IF EXISTS crm_events_words_recompute(bigint[]);
ALTER TABLE crm_customer DROP COLUMN IF EXISTS events_word_email,
    DROP COLUMN IF EXISTS events_word_secondary_email,
    DROP COLUMN IF EXISTS events_word_phone;
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0023_list_pages_indexes"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(COLUMNS + RECOMPUTE + LEDGER + PROFILE + FILL),
                             _on_postgresql(DROP)),
    ]
