"""Consent belongs to the address it was given for (Loupe issue 11, item 2).

Every row of the ledger gets the exact email (lower-case) or number (E.164) it covers. Rows
recorded before this migration are filled with the address on file when each was recorded:
the customer's history (django-simple-history) as of the row's `created_at` where it exists,
else the address on the profile now. A row for which no address was ever on file (a phone
consent for a customer without a phone, say) is kept as it was, with no address: it covers
nothing. On PostgreSQL the constraints are added NOT VALID, so they hold for every new row
while leaving those old rows in place (the ledger is never rewritten or deleted).
"""

import django.db.models.functions.text
from django.db import migrations, models
from django.db.models import Q

CHUNK = 1000

ADDRESS_FITS_CHANNEL = models.CheckConstraint(
    condition=(Q(channel="email", address__contains="@")
               | Q(channel__in=["sms", "phone"], address__startswith="+")),
    name="consent_address_fits_channel")
ADDRESS_LOWER = models.CheckConstraint(
    condition=Q(address=django.db.models.functions.text.Lower("address")),
    name="consent_address_lower")
CONSTRAINTS = [ADDRESS_FITS_CHANNEL, ADDRESS_LOWER]


def _contact(values, channel: str) -> str:
    """The address a profile (as it is, or as it was) gives for a channel, ready to store."""
    if values is None:
        return ""
    if channel == "email":
        email = (values["email"] or values["secondary_email"] or "").strip().lower()
        return email if "@" in email else ""
    phone = str(values["phone"] or "").strip()
    return phone if phone.startswith("+") else ""


def address_on_file(*, channel: str, at, records: list, current) -> str:
    """The address on file for `channel` when a consent was recorded at `at`.

    `records` are the customer's history rows, oldest first. The one in force at `at` is the
    latest recorded at or before it; a consent recorded in the same moment the profile was
    created (the walk-in reads the clock once, before saving the profile) has none before
    it, so the earliest one stands in. Nothing on file then: the profile's address now.
    """
    before = [record for record in records if record["history_date"] <= at]
    then = before[-1] if before else (records[0] if records else None)
    return _contact(then, channel) or _contact(current, channel)


def fill_consent_addresses(apps, schema_editor):
    Consent = apps.get_model("crm", "Consent")
    Customer = apps.get_model("crm", "Customer")
    HistoricalCustomer = apps.get_model("crm", "HistoricalCustomer")
    customer_ids = sorted(set(Consent.objects.filter(address="")
                              .values_list("customer_id", flat=True)))
    contact = ["email", "secondary_email", "phone"]
    for start in range(0, len(customer_ids), CHUNK):
        chunk = customer_ids[start:start + CHUNK]
        current = {row["id"]: row for row in Customer.objects.filter(pk__in=chunk)
                   .values("id", *contact)}
        history = {}
        for row in (HistoricalCustomer.objects.filter(id__in=chunk)
                    .order_by("id", "history_date", "history_id")
                    .values("id", "history_date", *contact)):
            history.setdefault(row["id"], []).append(row)
        filled = []
        for consent in Consent.objects.filter(address="", customer_id__in=chunk):
            consent.address = address_on_file(
                channel=consent.channel, at=consent.created_at,
                records=history.get(consent.customer_id, []),
                current=current.get(consent.customer_id))
            if consent.address:
                filled.append(consent)
        Consent.objects.bulk_update(filled, ["address"], batch_size=CHUNK)


def add_constraints(apps, schema_editor):
    model = apps.get_model("crm", "Consent")
    for constraint in CONSTRAINTS:
        if schema_editor.connection.vendor == "postgresql":
            sql = f"{constraint.create_sql(model, schema_editor)} NOT VALID"
            schema_editor.execute(sql, params=None)  # the check has LIKE '%@%': no params
        else:
            schema_editor.add_constraint(model, constraint)


def remove_constraints(apps, schema_editor):
    model = apps.get_model("crm", "Consent")
    for constraint in CONSTRAINTS:
        schema_editor.remove_constraint(model, constraint)


class Migration(migrations.Migration):

    dependencies = [
        ("crm", "0009_one_occasion_per_kind_and_date"),
    ]

    operations = [
        migrations.AddField(
            model_name="consent",
            name="address",
            field=models.CharField(default="", help_text="The email (lower-case) or number (E.164) it was given for.", max_length=254),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="historicalconsent",
            name="address",
            field=models.CharField(default="", help_text="The email (lower-case) or number (E.164) it was given for.", max_length=254),
            preserve_default=False,
        ),
        migrations.RemoveIndex(
            model_name="consent",
            name="consent_latest",
        ),
        migrations.RunPython(fill_consent_addresses, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="consent",
            index=models.Index(fields=["customer", "address", "channel", "purpose", "-created_at", "-id"], name="consent_latest"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddConstraint(model_name="consent", constraint=constraint)
                for constraint in CONSTRAINTS
            ],
            database_operations=[migrations.RunPython(add_constraints, remove_constraints)],
        ),
    ]
