"""FOLLOW-UP read by index in the order it is shown (issue 19): a page costs what it shows, not
the associate's visited book (1,700 customers, two passes of an occasion look-up each at 1M).

- "Asked for reminders": an associate's visited customers who asked for occasion reminders,
  the latest visit first (`customer_asked_book`, partial on the column 0028 keeps).
- "Occasion coming up": each occasion carries its customer's store and associate
  (`customer_store_id`, `customer_assigned_to_id`), so an associate's occasions of the window
  are read by their day (`month * 100 + day`, one index probe per day of the window) from
  `occasion_book_day` instead of looking up every client's.
  Kept in the same statement as the change, whatever writes it: a row trigger fills them as an
  occasion is written (a new occasion, one moved to another customer by a merge), a statement
  trigger on crm_customer follows a customer handed to another associate or store (one UPDATE
  per statement, only for the customers whose associate or store changed).

Neither column is declared on the model, as 0024's and 0028's are not: no `save()` of an
occasion read earlier can write an old associate back (the row trigger recomputes them anyway).
The triggers fire under `session_replication_role = replica` too (ENABLE ALWAYS), which the
generator's bulk load and the benchmark's clean-up use. PostgreSQL only.
"""

from django.db import migrations

ASKED = """
CREATE INDEX customer_asked_book ON crm_customer (store_id, assigned_to_id, last_visit_at DESC, id)
WHERE occasion_reminders_now AND last_visit_at IS NOT NULL;
"""

COLUMNS = """
ALTER TABLE crm_occasion ADD COLUMN customer_store_id bigint,
                         ADD COLUMN customer_assigned_to_id bigint;
"""

OCCASION = """
CREATE OR REPLACE FUNCTION crm_occasion_book_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT c.store_id, c.assigned_to_id INTO NEW.customer_store_id, NEW.customer_assigned_to_id
    FROM crm_customer c WHERE c.id = NEW.customer_id;
    RETURN NEW;
END $$ SET search_path FROM CURRENT;
CREATE TRIGGER crm_occasion_book_row BEFORE INSERT OR UPDATE ON crm_occasion
    FOR EACH ROW EXECUTE FUNCTION crm_occasion_book_row();
ALTER TABLE crm_occasion ENABLE ALWAYS TRIGGER crm_occasion_book_row;
"""

CUSTOMER = """
CREATE OR REPLACE FUNCTION crm_occasion_book_customer() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE crm_occasion o
    SET customer_store_id = n.store_id, customer_assigned_to_id = n.assigned_to_id
    FROM new_rows n JOIN old_rows p ON p.id = n.id
    WHERE o.customer_id = n.id
      AND (p.store_id, p.assigned_to_id) IS DISTINCT FROM (n.store_id, n.assigned_to_id);
    RETURN NULL;
END $$ SET search_path FROM CURRENT;
CREATE TRIGGER crm_occasion_book_customer AFTER UPDATE ON crm_customer
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION crm_occasion_book_customer();
ALTER TABLE crm_customer ENABLE ALWAYS TRIGGER crm_occasion_book_customer;
"""

# Before the triggers (no row trigger per filled row); crm_customer is locked against
# reassignments from the fill until the statement trigger exists.
FILL = """
LOCK TABLE crm_customer IN SHARE ROW EXCLUSIVE MODE;
UPDATE crm_occasion o SET customer_store_id = c.store_id, customer_assigned_to_id = c.assigned_to_id
FROM crm_customer c WHERE c.id = o.customer_id;
"""

BOOK_INDEX = """
CREATE INDEX occasion_book_day ON crm_occasion
    (customer_store_id, customer_assigned_to_id, (month * 100 + day)) INCLUDE (customer_id);
"""

DROP = """
DROP TRIGGER IF EXISTS crm_occasion_book_customer ON crm_customer;
DROP TRIGGER IF EXISTS crm_occasion_book_row ON crm_occasion;
DROP FUNCTION IF EXISTS crm_occasion_book_customer();
DROP FUNCTION IF EXISTS crm_occasion_book_row();
ALTER TABLE crm_occasion DROP COLUMN IF EXISTS customer_store_id,
                         DROP COLUMN IF EXISTS customer_assigned_to_id;
DROP INDEX IF EXISTS customer_asked_book;
"""


def _on_postgresql(*sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in sql:
                schema_editor.execute(statement)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0032_walk_ins_keep_their_customer_now"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(ASKED, COLUMNS, FILL, OCCASION, CUSTOMER,
                                            BOOK_INDEX),
                             _on_postgresql(DROP)),
    ]
