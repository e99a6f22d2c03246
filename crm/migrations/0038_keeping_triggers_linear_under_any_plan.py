"""The customer's keeping triggers stay linear in the rows a statement changed, whatever plan
PostgreSQL keeps for them (issue 19).

PL/pgSQL keeps each statement's plan for the rest of the database session, planned the first
time with the transition tables as large as they were then. A connection that had saved a
few customers (a worker serving walk-ins; CONN_MAX_AGE keeps it) had plans for one-row
`old_rows` and `new_rows`: joining them was a nested loop, and a manager's handover of 10,000
orphans on that connection compared every old row with every new one, in five triggers:
5 minutes where a fresh connection took 12 s (seen as a test run in a worker that had saved
customers before; auto_explain showed `Nested Loop ... rows=1` on each).

Now no trigger joins the two tables:
- The client counts and the store's buyers count the old rows down and the new rows up and
  write the sums that are not zero (as the name counts have since 0030).
- The customers whose kept values changed are the new rows `EXCEPT` the old ones (a hashed or
  sorted set operation, never a nested loop; EXCEPT treats NULLs as equal, as IS DISTINCT
  FROM does).
- The occasions and walk-ins of those customers are written by a statement planned on each
  call (`EXECUTE ... USING` the changed customers' ids and values as arrays), which runs only
  when something changed: a visit or a purchase still stops at the empty list.

Same values as before (tests/crm/test_client_counts.py, test_store_buyers.py,
test_occasion_book.py, test_walk_ins_kept.py and test_handover_kept.py recount them); the last
also hands clients over on a connection whose plans were made for one row, and checks that no
trigger function joins the old and new rows again.
PostgreSQL only.
"""

import importlib

from django.db import migrations

COUNTS = importlib.import_module("crm.migrations.0021_client_counts_kept_by_triggers")
BUYERS = importlib.import_module("crm.migrations.0031_store_buyers_kept_by_triggers")
REMINDERS = importlib.import_module("crm.migrations.0028_occasion_reminders_kept_on_customer")
BY_INDEX = importlib.import_module(
    "crm.migrations.0034_handover_keeps_occasions_and_walk_ins_by_index")


def _counted(module, name: str) -> str:
    """`module`'s counting function with its update counted down then up, not joined."""
    moved = f"{module.REMOVED} UNION ALL {module.ADDED}"
    return f"""
CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN {module.UPSERT.format(rows=module.ADDED)}
    ELSIF TG_OP = 'DELETE' THEN {module.UPSERT.format(rows=module.REMOVED)}
    ELSE {module.UPSERT.format(rows=moved)}
    END IF;
    RETURN NULL;
END $$ SET search_path FROM CURRENT;
"""


def _changed(columns: str) -> str:
    """The ids of the statement's customers whose `columns` changed."""
    return (f"SELECT id FROM (SELECT id, {columns} FROM new_rows "  # noqa: S608 - our columns
            f"EXCEPT SELECT id, {columns} FROM old_rows) AS changed")


PROFILE = f"""
CREATE OR REPLACE FUNCTION crm_events_words_profile() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    touched bigint[] := ARRAY({_changed("email, secondary_email, phone")});
BEGIN
    IF cardinality(touched) > 0 THEN
        PERFORM crm_events_words_recompute(touched);
        PERFORM crm_occasion_reminders_recompute(touched);
    END IF;
    RETURN NULL;
END $$ SET search_path FROM CURRENT;
"""

OCCASIONS = """
CREATE OR REPLACE FUNCTION crm_occasion_book_customer() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
    stores bigint[];
    associates bigint[];
BEGIN
    SELECT array_agg(id), array_agg(store_id), array_agg(assigned_to_id)
      INTO ids, stores, associates
      FROM (SELECT id, store_id, assigned_to_id FROM new_rows
            EXCEPT SELECT id, store_id, assigned_to_id FROM old_rows) AS moved;
    IF ids IS NOT NULL THEN
        EXECUTE $sql$
        UPDATE crm_occasion o
        SET customer_store_id = m.store_id, customer_assigned_to_id = m.assigned_to_id
        FROM unnest($1, $2, $3) AS m(id, store_id, assigned_to_id)
        WHERE o.customer_id = m.id
          AND (o.customer_store_id, o.customer_assigned_to_id)
              IS DISTINCT FROM (m.store_id, m.assigned_to_id)
        $sql$ USING ids, stores, associates;
    END IF;
    RETURN NULL;
END $$ SET search_path FROM CURRENT;
"""

WALK_IN_CUSTOMERS = """
CREATE OR REPLACE FUNCTION crm_walkin_customer_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
    stores bigint[];
    reachable boolean[];
    consents boolean[];
BEGIN
    SELECT array_agg(id), array_agg(store_id), array_agg(reachable_now), array_agg(consents_now)
      INTO ids, stores, reachable, consents
      FROM (SELECT id, store_id, phone <> '' OR email <> '' AS reachable_now,
                   occasion_reminders_now AS consents_now FROM new_rows
            EXCEPT SELECT id, store_id, phone <> '' OR email <> '', occasion_reminders_now
                   FROM old_rows) AS changed;
    IF ids IS NOT NULL THEN
        EXECUTE $sql$
        UPDATE crm_walkin w
        SET customer_store_id = m.store_id, customer_reachable_now = m.reachable_now,
            customer_consents_now = m.consents_now
        FROM unnest($1, $2, $3, $4) AS m(id, store_id, reachable_now, consents_now)
        WHERE w.customer_id = m.id
          AND (w.customer_store_id, w.customer_reachable_now, w.customer_consents_now)
              IS DISTINCT FROM (m.store_id, m.reachable_now, m.consents_now)
        $sql$ USING ids, stores, reachable, consents;
    END IF;
    RETURN NULL;
END $$ SET search_path FROM CURRENT;
"""

LINEAR = (_counted(COUNTS, "crm_client_count_keep"), _counted(BUYERS, "crm_store_buyers_keep"),
          PROFILE, OCCASIONS, WALK_IN_CUSTOMERS)

# The functions as they were (their text up to the triggers their migrations created).
BEFORE = (COUNTS.FUNCTION.split("CREATE TRIGGER")[0], BUYERS.FUNCTION.split("CREATE TRIGGER")[0],
          REMINDERS.PROFILE, BY_INDEX.OCCASIONS, BY_INDEX.WALK_IN_CUSTOMERS)


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0037_counter_tables_updated_in_place"),
    ]

    operations = [
        # 0034's runner: each statement in turn, on PostgreSQL only.
        migrations.RunPython(BY_INDEX._on_postgresql(*LINEAR), BY_INDEX._on_postgresql(*BEFORE)),
    ]
