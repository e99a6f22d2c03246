# The walk-in asks how they prefer to hear from us (Loupe issue 11, item 6).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('crm', '0010_consent_address'),
        ('staff', '0004_store_reassign_on_departure'),
    ]

    operations = [
        migrations.AddField(
            model_name='customer',
            name='contact_preference',
            field=models.CharField(blank=True, choices=[('email', 'Email'), ('text', 'Text'), ('both', 'Email and text')], max_length=8, verbose_name='prefers to hear from us by'),
        ),
        migrations.AddField(
            model_name='historicalcustomer',
            name='contact_preference',
            field=models.CharField(blank=True, choices=[('email', 'Email'), ('text', 'Text'), ('both', 'Email and text')], max_length=8, verbose_name='prefers to hear from us by'),
        ),
        migrations.AddConstraint(
            model_name='customer',
            constraint=models.CheckConstraint(condition=models.Q(('contact_preference__in', ['', 'email', 'text', 'both'])), name='customer_contact_preference_known'),
        ),
    ]
