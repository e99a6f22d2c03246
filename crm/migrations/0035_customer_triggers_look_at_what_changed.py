"""Two keeping triggers on crm_customer look only at the customers whose kept columns changed
(issue 16: a POS file of 100,000 receipts at 1M customers).

A purchases import writes tens of thousands of customers a batch (their totals, a POS id),
and hands few of them to an associate and changes no address. Both statement triggers below
joined every updated customer to their occasions or walk-ins (an index probe each, about
2,000 a batch) and only then dropped the customers whose store, associate, addresses or
consent had not changed: most of the import's trigger time, to write nothing. They now
find those customers first, from the statement's transition tables alone, and stop when
there are none; the rows they write, and when, are as before:

- `crm_occasion_book_customer` (0033): the occasions of customers whose store or associate
  changed.
- `crm_walkin_customer_changed` (0032): the walk-ins of customers whose store, reachability
  (a phone or an email) or occasion-reminder consent changed.

(A statement trigger with transition tables cannot name columns, `AFTER UPDATE OF ...`, nor
have a WHEN: the test is in the body.) The other triggers on crm_customer are unchanged.
"""

import importlib

from django.db import migrations

WALK_INS = importlib.import_module("crm.migrations.0032_walk_ins_keep_their_customer_now")
OCCASIONS = importlib.import_module("crm.migrations.0033_follow_up_by_index")

OCCASION_BOOK = """
CREATE OR REPLACE FUNCTION crm_occasion_book_customer() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved bigint[] := ARRAY(
        SELECT n.id FROM new_rows n JOIN old_rows p ON p.id = n.id
        WHERE (p.store_id, p.assigned_to_id) IS DISTINCT FROM (n.store_id, n.assigned_to_id));
BEGIN
    IF cardinality(moved) > 0 THEN
        UPDATE crm_occasion o
        SET customer_store_id = n.store_id, customer_assigned_to_id = n.assigned_to_id
        FROM new_rows n
        WHERE o.customer_id = ANY(moved) AND n.id = o.customer_id;
    END IF;
    RETURN NULL;
END $$ SET search_path FROM CURRENT;
"""

WALK_IN = """
CREATE OR REPLACE FUNCTION crm_walkin_customer_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed bigint[] := ARRAY(
        SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
        WHERE (n.store_id, n.phone <> '' OR n.email <> '', n.occasion_reminders_now)
              IS DISTINCT FROM (o.store_id, o.phone <> '' OR o.email <> '',
                                o.occasion_reminders_now));
BEGIN
    IF cardinality(changed) > 0 THEN
        UPDATE crm_walkin w
        SET customer_store_id = n.store_id,
            customer_reachable_now = n.phone <> '' OR n.email <> '',
            customer_consents_now = n.occasion_reminders_now
        FROM new_rows n
        WHERE w.customer_id = ANY(changed) AND n.id = w.customer_id;
    END IF;
    RETURN NULL;
END $$ SET search_path FROM CURRENT;
"""


def _function(sql: str) -> str:
    """The CREATE FUNCTION of a migration's trigger SQL, without its CREATE TRIGGER."""
    return sql.split("CREATE TRIGGER")[0]


def _on_postgresql(*sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in sql:
                schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0034_prefix_indexes_dropped"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(OCCASION_BOOK, WALK_IN),
                             _on_postgresql(_function(OCCASIONS.CUSTOMER),
                                            _function(WALK_INS.CUSTOMER))),
    ]
