"""Whether the customer asked for occasion reminders at an address the profile has now, kept
on the customer's row by the triggers of migration 0024 (issue 19: FOLLOW-UP at 1M customers).

One column the models do not declare (as 0024's words, so no `save()` of a customer read
earlier can write an old answer back): `occasion_reminders_now`, true exactly when
`crm.selectors.consent_granted_now()` holds: for some (channel, address) of the occasion
reminders ledger whose address is on the profile now (an email as email or second email, the
phone for texts or calls; never ''), the newest row (created_at, then id) says yes. A later
"no" at that address wins; a yes at an address no longer on the profile counts for nothing.

Kept in the same statement as the change, by the same triggers as the events words: a ledger
row added, changed (an erasure) or deleted, or a profile's addresses changed, recomputes its
customers (`crm_occasion_reminders_recompute`). PostgreSQL only: SQLite reads the ledger.
"""

import importlib

from django.db import migrations

KEPT = importlib.import_module("crm.migrations.0024_events_words_kept_on_customer")

RECOMPUTE = """
CREATE OR REPLACE FUNCTION crm_occasion_reminders_recompute(customer_ids bigint[])
RETURNS void LANGUAGE sql AS $$
    WITH touched AS (SELECT DISTINCT t.id FROM unnest(customer_ids) AS t(id)),
    latest AS (
        SELECT DISTINCT ON (k.customer_id, k.channel, k.address)
               k.customer_id, k.channel, k.address, k.granted
        FROM crm_consent k JOIN touched t ON t.id = k.customer_id
        WHERE k.purpose = 'occasions'
        ORDER BY k.customer_id, k.channel, k.address, k.created_at DESC, k.id DESC
    ),
    decided AS (
        SELECT p.id,
               COALESCE(bool_or(w.granted AND w.address <> ''
                                AND ((w.channel = 'email'
                                      AND w.address IN (p.email, p.secondary_email))
                                     OR (w.channel IN ('sms', 'phone')
                                         AND w.address = p.phone))), false) AS asked
        FROM crm_customer p JOIN touched t ON t.id = p.id
        LEFT JOIN latest w ON w.customer_id = p.id
        GROUP BY p.id
    )
    UPDATE crm_customer c SET occasion_reminders_now = x.asked
    FROM decided x
    WHERE c.id = x.id AND c.occasion_reminders_now IS DISTINCT FROM x.asked
$$ SET search_path FROM CURRENT;
"""

# The same trigger functions as 0024, each recomputing both kept values.
LEDGER = """
CREATE OR REPLACE FUNCTION crm_events_words_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    events bigint[];
    occasions bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        events := ARRAY(SELECT DISTINCT customer_id FROM new_rows WHERE purpose = 'events');
        occasions := ARRAY(SELECT DISTINCT customer_id FROM new_rows
                           WHERE purpose = 'occasions');
    ELSIF TG_OP = 'DELETE' THEN
        events := ARRAY(SELECT DISTINCT customer_id FROM old_rows WHERE purpose = 'events');
        occasions := ARRAY(SELECT DISTINCT customer_id FROM old_rows
                           WHERE purpose = 'occasions');
    ELSE
        events := ARRAY(SELECT customer_id FROM old_rows WHERE purpose = 'events'
                        UNION SELECT customer_id FROM new_rows WHERE purpose = 'events');
        occasions := ARRAY(SELECT customer_id FROM old_rows WHERE purpose = 'occasions'
                           UNION SELECT customer_id FROM new_rows WHERE purpose = 'occasions');
    END IF;
    IF cardinality(events) > 0 THEN
        PERFORM crm_events_words_recompute(events);
    END IF;
    IF cardinality(occasions) > 0 THEN
        PERFORM crm_occasion_reminders_recompute(occasions);
    END IF;
    RETURN NULL;
END $$ SET search_path FROM CURRENT;
"""

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
        PERFORM crm_occasion_reminders_recompute(touched);
    END IF;
    RETURN NULL;
END $$ SET search_path FROM CURRENT;
"""

COLUMN = """
ALTER TABLE crm_customer ADD COLUMN occasion_reminders_now boolean NOT NULL DEFAULT false;
"""

# Every customer the occasion reminders ledger knows, once.
FILL = """
SELECT crm_occasion_reminders_recompute(ARRAY(
    SELECT DISTINCT customer_id FROM crm_consent WHERE purpose = 'occasions'));
"""

DROP = """
DROP FUNCTION IF EXISTS crm_occasion_reminders_recompute(bigint[]);
ALTER TABLE crm_customer DROP COLUMN IF EXISTS occasion_reminders_now;
"""


def _on_postgresql(*sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in sql:
                schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0027_dashboard_walk_ins_and_bounces_by_index"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(COLUMN, RECOMPUTE, LEDGER, PROFILE, FILL),
                             # 0024's trigger functions first: they call the function dropped.
                             _on_postgresql(KEPT.LEDGER.split("CREATE TRIGGER")[0],
                                            KEPT.PROFILE.split("CREATE TRIGGER")[0], DROP)),
    ]
