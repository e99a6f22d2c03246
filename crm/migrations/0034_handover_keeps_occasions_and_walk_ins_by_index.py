"""A handover of 10,000 clients back under 2 s at 100k (issue 19): the keeping triggers of 0032
and 0033 write only what a statement changed, and find it by index.

- `crm_occasion_book_row` (0033) recomputed an occasion's store and associate from its
  customer on every UPDATE of the occasion, including 0033's own statement trigger that had
  just set them: 25,000 row-trigger calls, each a customer look-up, when a manager handed
  10,000 orphans over (about a third of the handover's time). It now fires as an occasion is
  inserted or its customer is written (a merge moving the dates, a `save()`); nothing else
  writes the two columns (they are not on the model).
- `crm_occasion_book_customer` (0033) and `crm_walkin_customer_changed` (0032) first list the
  customers whose kept values changed, from the statement's old and new rows, and stop there
  when there are none (a visit, a purchase's totals, a handover for the walk-ins); otherwise
  they read those customers' occasions or walk-ins by the customer's index (`= ANY` of the
  list). The walk-ins' join had hashed every walk-in of the chain on every customer update
  (550,000 rows, 450 ms at 1m, for a handover that changes none of them); the occasions' sorted
  its matches on disk. An occasion or walk-in already right is not written again.

Same values as before, in the same statement (tests/crm/test_occasion_book.py,
tests/crm/test_walk_ins_kept.py, tests/crm/test_assignment.py compare them with a recount).
The triggers stay ENABLE ALWAYS, the functions keep their schema (SET search_path FROM
CURRENT). PostgreSQL only.
"""

import importlib

from django.db import migrations

WALK_INS = importlib.import_module("crm.migrations.0032_walk_ins_keep_their_customer_now")
BOOK = importlib.import_module("crm.migrations.0033_follow_up_by_index")

OCCASION_ROW = """
DROP TRIGGER crm_occasion_book_row ON crm_occasion;
CREATE TRIGGER crm_occasion_book_row BEFORE INSERT OR UPDATE OF customer_id ON crm_occasion
    FOR EACH ROW EXECUTE FUNCTION crm_occasion_book_row();
ALTER TABLE crm_occasion ENABLE ALWAYS TRIGGER crm_occasion_book_row;
"""

OCCASION_ROW_BEFORE = """
DROP TRIGGER crm_occasion_book_row ON crm_occasion;
CREATE TRIGGER crm_occasion_book_row BEFORE INSERT OR UPDATE ON crm_occasion
    FOR EACH ROW EXECUTE FUNCTION crm_occasion_book_row();
ALTER TABLE crm_occasion ENABLE ALWAYS TRIGGER crm_occasion_book_row;
"""

# The customers come as an array compared with `= ANY`, which the customer index of each
# table serves (the list is sorted once and the index walked in order).
OCCASIONS = """
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
        WHERE o.customer_id = ANY(moved) AND n.id = o.customer_id
          AND (o.customer_store_id, o.customer_assigned_to_id)
              IS DISTINCT FROM (n.store_id, n.assigned_to_id);
    END IF;
    RETURN NULL;
END $$ SET search_path FROM CURRENT;
"""

WALK_IN_CUSTOMERS = """
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
        WHERE w.customer_id = ANY(changed) AND n.id = w.customer_id
          AND (w.customer_store_id, w.customer_reachable_now, w.customer_consents_now)
              IS DISTINCT FROM (n.store_id, n.phone <> '' OR n.email <> '',
                                n.occasion_reminders_now);
    END IF;
    RETURN NULL;
END $$ SET search_path FROM CURRENT;
"""

# 0032's and 0033's functions as they were (their text up to the triggers they created).
BEFORE = (WALK_INS.CUSTOMER.split("CREATE TRIGGER")[0]
          + BOOK.CUSTOMER.split("CREATE TRIGGER")[0])


def _on_postgresql(*sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in sql:
                schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0033_follow_up_by_index"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(OCCASION_ROW, OCCASIONS, WALK_IN_CUSTOMERS),
                             _on_postgresql(OCCASION_ROW_BEFORE, BEFORE)),
    ]
