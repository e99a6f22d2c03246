"""Six foreign-key indexes fewer (issue 16: a POS file of 100,000 receipts at 1M customers).

Each was the first column of another index of its table, which serves every look-up it
served (a btree answers its leading column alone): the purchase's store, customer and
associate (purchase_store_on, purchase_customer, purchase_associate_on), a line's purchase
(purchase_line_position_once), a timeline entry's customer (interaction_timeline) and an
occasion's customer (occasion_once_per_customer_kind_date). Every receipt imported wrote
three of them, every line and timeline entry one, every occasion following a customer to
a new associate one.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0033_follow_up_by_index'),
        ('staff', '0009_floor_tablets_and_pins'),
    ]

    operations = [
        migrations.AlterField(
            model_name='interaction',
            name='customer',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='interactions', to='crm.customer'),
        ),
        migrations.AlterField(
            model_name='occasion',
            name='customer',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='occasions', to='crm.customer'),
        ),
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
    ]
