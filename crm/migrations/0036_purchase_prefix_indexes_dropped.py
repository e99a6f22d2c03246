"""Four foreign-key indexes fewer (issue 16: a POS file of 100,000 receipts at 1M customers).

Each was the first column of another index of its table, which serves every look-up it
served (a btree answers its leading column alone): the purchase's store, customer and
associate (purchase_store_on, purchase_customer, purchase_associate_on) and a line's purchase
(purchase_line_position_once). Every receipt imported wrote three of them, every line one.
(The timeline's and the occasions' own customer indexes went in 0035.)

Only the indexes are dropped: Django's AlterField would also drop and re-add each foreign key,
checking it again over every row.
"""

import django.db.models.deletion
from django.db import migrations, models

_DROPPED = [("crm_purchase", "store_id", "crm_purchase_store_id_f1393499"),
            ("crm_purchase", "customer_id", "crm_purchase_customer_id_b9f58d5e"),
            ("crm_purchase", "associate_id", "crm_purchase_associate_id_7e63c63f"),
            ("crm_purchaseline", "purchase_id", "crm_purchaseline_purchase_id_ba050cb0")]


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0035_occasions_and_timeline_without_a_second_customer_index'),
        ('staff', '0009_floor_tablets_and_pins'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='purchase',
                    name='associate',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='staff.staffmember'),
                ),
                migrations.AlterField(
                    model_name='purchase',
                    name='customer',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='purchases', to='crm.customer'),
                ),
                migrations.AlterField(
                    model_name='purchase',
                    name='store',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='purchases', to='staff.store'),
                ),
                migrations.AlterField(
                    model_name='purchaseline',
                    name='purchase',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='lines', to='crm.purchase'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(f"DROP INDEX IF EXISTS {index}",
                                  f"CREATE INDEX IF NOT EXISTS {index} ON {table} ({column})")
                for table, column, index in _DROPPED
            ],
        ),
    ]
