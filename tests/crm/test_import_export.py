import csv
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import AuditEntry
from crm import services
from crm.models import Customer, Interaction, InteractionKind, Source
from crm.services.imports import import_process
from tests.factories import (
    ConsentFactory,
    CustomerFactory,
    OccasionFactory,
    StaffMemberFactory,
)

pytestmark = pytest.mark.django_db

HEADER = "first_name,last_name,email,phone,city\n"
POS_CSV = HEADER + (
    "Ava,Brown,AVA@mail.example,(217) 555-0142,Springfield\n"
    "Noah,Smith,noah@mail.example,,Shelbyville\n"
)


def test_a_dry_run_shows_what_would_happen_and_saves_nothing(store, manager):
    report = services.customers_import(store=store, by=manager, csv_text=POS_CSV, dry_run=True)
    assert [row.kind for row in report.rows] == ["new", "new"]
    assert not Customer.objects.exists()
    assert not AuditEntry.objects.filter(action="customer.imported").exists()


def test_importing_twice_updates_instead_of_duplicating(store, manager):
    services.customers_import(store=store, by=manager, csv_text=POS_CSV, dry_run=False)
    assert Customer.objects.filter(source=Source.IMPORT).count() == 2
    ava = Customer.objects.get(first_name="Ava")
    assert (ava.email, str(ava.phone), ava.store) == ("ava@mail.example", "+12175550142", store)
    changed = POS_CSV.replace("Springfield", "Chatham").replace("AVA@mail.example", "")
    report = services.customers_import(store=store, by=manager, csv_text=changed,
                                       dry_run=False)
    assert [row.kind for row in report.rows] == ["update", "skip"]
    assert Customer.objects.count() == 2
    ava.refresh_from_db()
    assert ava.city == "Chatham"


def test_bad_rows_are_reported_by_line_and_the_good_rows_still_import(store, manager):
    csv_text = HEADER + (
        "Ava,Brown,not-an-email,,Springfield\n"
        f"{'X' * 300},Long,long@mail.example,,\n"
        ",Nameless,nameless@mail.example,,\n"
        "Noah,Smith,noah@mail.example,12,\n"
        "Mia,Lee,mia@mail.example,,Springfield\n"
    )
    report = services.customers_import(store=store, by=manager, csv_text=csv_text,
                                       dry_run=False)
    by_line = {row.number: row for row in report.rows}
    assert "email" in by_line[2].errors[0]
    assert "first_name" in by_line[3].errors[0]
    assert "first_name" in by_line[4].errors[0]
    assert "phone" in by_line[5].errors[0]
    assert by_line[6].kind == "new" and not by_line[6].errors
    assert list(Customer.objects.values_list("first_name", flat=True)) == ["Mia"]


@pytest.mark.parametrize("upload", [
    b"\xff\xfe not utf-8",
    b"just some words without the right columns\n",
    b"first_name,last_name\nAva,Brown,extra,cells\n",
])
def test_a_file_that_is_not_the_pos_csv_is_refused_beside_the_file(manager_client, upload,
                                                                  settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = manager_client.post(reverse("crm:import"),
                                   {"file": SimpleUploadedFile("pos.csv", upload)})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert not Customer.objects.exists()


def test_an_unclosed_quote_is_reported_on_its_line(store, manager):
    csv_text = HEADER + '"Ava,Brown,ava@mail.example,,\nNoah,Smith,noah@mail.example,,\n'
    report = services.customers_import(store=store, by=manager, csv_text=csv_text,
                                       dry_run=False)
    assert report.rows[0].errors == ["first_name: Has a line break: check the quotes on this "
                                     "line."]
    assert not Customer.objects.exists()


@pytest.fixture
def ava(store):
    """On file already: the POS knows her by email, but not her phone, city or state."""
    return CustomerFactory(store=store, first_name="Ava", last_name="Brown",
                           email="ava@mail.example", phone="+12175550142", city="Springfield",
                           region="IL", notes="Loves pearls")


def test_a_blank_cell_never_erases_what_a_matched_profile_has(store, manager, ava):
    csv_text = ("first_name,last_name,email,phone,city,region,notes\n"
                "Ava,,ava@mail.example,,,,\n")

    report = services.customers_import(store=store, by=manager, csv_text=csv_text,
                                       dry_run=False)

    assert [(row.kind, row.changes) for row in report.rows] == [("skip", [])]
    ava.refresh_from_db()
    assert (ava.last_name, str(ava.phone), ava.city, ava.region, ava.notes) == (
        "Brown", "+12175550142", "Springfield", "IL", "Loves pearls")
    assert not ava.history.filter(history_type="~").exists()
    assert Customer.objects.count() == 1


def test_the_preview_shows_each_changed_field_old_and_new_and_saves_nothing(manager_client,
                                                                            ava, settings,
                                                                            tmp_path):
    settings.MEDIA_ROOT = tmp_path
    csv_text = ("first_name,last_name,email,phone,city,region\n"
                "Ava,Brown,ava@mail.example,(217) 555-0199,Chatham,\n")

    response = manager_client.post(reverse("crm:import"), {
        "file": SimpleUploadedFile("pos.csv", csv_text.encode())})

    [row] = response.context["report"].rows
    assert row.kind == "update"
    assert row.changes == [("phone", "(217) 555-0142", "(217) 555-0199"),
                           ("city", "Springfield", "Chatham")]
    page = response.content.decode()
    assert "<strong>Phone</strong>: (217) 555-0142 → (217) 555-0199" in page
    assert "<strong>City</strong>: Springfield → Chatham" in page
    ava.refresh_from_db()
    assert (str(ava.phone), ava.city, ava.region) == ("+12175550142", "Springfield", "IL")
    assert not Interaction.objects.filter(customer=ava).exists()


def test_a_new_phone_or_email_from_the_pos_goes_on_the_timeline(store, manager, ava):
    csv_text = ("first_name,last_name,email,phone,city\n"
                "Ava,Brown,AVA.BROWN@mail.example,(217) 555-0142,\n")

    services.customers_import(store=store, by=manager, csv_text=csv_text, dry_run=False)

    ava.refresh_from_db()
    assert (ava.email, ava.city) == ("ava.brown@mail.example", "Springfield")
    notes = Interaction.objects.filter(customer=ava, kind=InteractionKind.CHANGE)
    assert [(n.summary, n.staff) for n in notes] == [
        ("Email changed from ava@mail.example to ava.brown@mail.example (POS import).",
         manager)]


def test_a_manager_previews_then_the_worker_imports(manager_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    preview = manager_client.post(reverse("crm:import"), {
        "file": SimpleUploadedFile("pos.csv", POS_CSV.encode())})
    assert preview.status_code == 200
    assert preview.context["report"].counts["new"] == 2
    assert not Customer.objects.exists()
    run = preview.context["run"]
    started = manager_client.post(reverse("crm:import-start", kwargs={"import_id": run.pk}))
    assert started.status_code == 302
    assert import_process(import_id=run.pk) == "done"
    assert Customer.objects.count() == 2
    assert AuditEntry.objects.get(action="customers.imported").data["new"] == 2


def test_a_salesperson_cannot_import(sales_client):
    response = sales_client.post(reverse("crm:import"), {"csv_text": POS_CSV})
    assert response.status_code == 403
    assert not Customer.objects.exists()


def test_export_is_recorded_with_who_and_how_many_rows(manager_client, manager, store,
                                                       other_store):
    CustomerFactory.create_batch(3, store=store)
    CustomerFactory(store=store, first_name="=HYPERLINK(1)")
    CustomerFactory(store=other_store, first_name="Elsewhere")
    response = manager_client.post(reverse("crm:export"))
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert body.splitlines()[0].startswith("first_name,last_name,email,phone")
    assert len(body.strip().splitlines()) == 1 + 4
    assert "Elsewhere" not in body
    assert "'=HYPERLINK(1)" in body
    entry = AuditEntry.objects.get(action="customer.exported")
    assert (entry.actor, entry.store, entry.data["rows"]) == (manager.user, store, 4)


def test_service_staff_cannot_export(service_client, store):
    CustomerFactory(store=store)
    response = service_client.post(reverse("crm:export"))
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="customer.exported").exists()


def test_the_pos_id_birthday_anniversary_partner_and_associate_columns_import(
        store, manager, salesperson):
    csv_text = ("pos_id,first_name,last_name,email,partner_name,birthday,anniversary,associate\n"
                "C-17,Ava,Brown,ava@mail.example,Liam,1985-06-15,9/14,Sally Sales\n")

    report = services.customers_import(store=store, by=manager, csv_text=csv_text,
                                       dry_run=False)

    assert [(row.kind, row.errors) for row in report.rows] == [("new", [])]
    ava = Customer.objects.get()
    assert (ava.pos_id, ava.partner_name, ava.assigned_to) == ("C-17", "Liam", salesperson)
    assert sorted(ava.occasions.values_list("kind", "month", "day", "year")) == [
        ("anniversary", 9, 14, None), ("birthday", 6, 15, 1985)]
    assert ava.assignments.get().reason == "import"


def test_a_row_matches_its_profile_by_pos_id_before_email_or_phone(store, manager):
    ava = CustomerFactory(store=store, first_name="Ava", pos_id="C-17", email="old@mail.example",
                          phone="")
    csv_text = "pos_id,first_name,email\nC-17,Ava,new@mail.example\n"

    services.customers_import(store=store, by=manager, csv_text=csv_text, dry_run=False)

    ava.refresh_from_db()
    assert Customer.objects.count() == 1
    assert ava.email == "new@mail.example"


def test_an_associate_or_date_the_store_does_not_know_is_a_row_error(store, manager,
                                                                     service_clerk):
    csv_text = ("first_name,email,birthday,associate\n"
                "Ava,ava@mail.example,,Nobody Known\n"
                "Noah,noah@mail.example,2/30,\n"
                "Mia,mia@mail.example,,Sam Service\n"
                "Zoe,zoe@mail.example,,\n")

    report = services.customers_import(store=store, by=manager, csv_text=csv_text,
                                       dry_run=False)

    by_line = {row.number: row for row in report.rows}
    assert by_line[2].errors == ["associate: “Nobody Known” is not an associate of this store."]
    assert by_line[3].errors == ["birthday: February has no day 30."]
    assert "cannot look after clients" in by_line[4].errors[0]
    assert list(Customer.objects.values_list("first_name", flat=True)) == ["Zoe"]


def test_a_matched_profile_gains_an_associate_and_a_birthday_but_never_loses_one(
        store, manager, salesperson):
    other = StaffMemberFactory(store=store, display_name="Olga Other")
    kept = CustomerFactory(store=store, first_name="Kept", email="kept@mail.example",
                           phone="", assigned_to=other)
    OccasionFactory(customer=kept, kind="birthday", month=1, day=2)
    bare = CustomerFactory(store=store, first_name="Bare", email="bare@mail.example",
                           phone="")
    csv_text = ("first_name,email,birthday,associate\n"
                "Kept,kept@mail.example,6/15,sally\n"
                "Bare,bare@mail.example,6/15,sally\n")

    preview = services.customers_import(store=store, by=manager, csv_text=csv_text,
                                        dry_run=True)
    assert [row.kind for row in preview.rows] == ["skip", "update"]
    assert preview.rows[1].changes == [("Birthday", "", "6/15"),
                                       ("associate", "", "Sally Sales")]
    assert bare.occasions.count() == 0

    services.customers_import(store=store, by=manager, csv_text=csv_text, dry_run=False)
    kept.refresh_from_db()
    bare.refresh_from_db()
    assert (kept.assigned_to, list(kept.occasions.values_list("month", "day"))) == (
        other, [(1, 2)])
    assert (bare.assigned_to, list(bare.occasions.values_list("month", "day"))) == (
        salesperson, [(6, 15)])


def test_the_export_has_associate_value_dates_occasions_and_consent_per_address(
        manager_client, store, salesperson):
    ava = CustomerFactory(store=store, first_name="Ava", last_name="Brown",
                          email="ava@mail.example", phone="+12175550142", pos_id="C-17",
                          assigned_to=salesperson)
    services.purchase_record(customer=ava, purchased_on=store.today(), amount=Decimal("250"),
                             description="Studs", by=salesperson)
    OccasionFactory(customer=ava, kind="birthday", month=6, day=15, year=1985)
    OccasionFactory(customer=ava, kind="anniversary", month=9, day=14)
    ConsentFactory(customer=ava, channel="email", purpose="occasions")
    ConsentFactory(customer=ava, channel="sms", purpose="occasions")
    ConsentFactory(customer=ava, channel="sms", purpose="occasions", granted=False,
                   method="stop")
    ConsentFactory(customer=ava, channel="email", purpose="events",
                   address="old@mail.example")

    with CaptureQueriesContext(connection) as queries:
        response = manager_client.post(reverse("crm:export"))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))

    [row] = rows
    assert (row["pos_id"], row["associate"], row["lifetime_value"], row["last_purchase_on"]) == (
        "C-17", "Sally Sales", "250.00", store.today().isoformat())
    assert (row["birthday"], row["anniversary"]) == ("1985-06-15", "09-14")
    assert row["consent_email_occasions"] == "ava@mail.example"
    assert row["consent_sms_occasions"] == ""  # texted STOP after granting
    assert row["consent_email_events"] == "old@mail.example"
    assert row["consent_phone_repairs"] == ""
    CustomerFactory.create_batch(5, store=store)
    with CaptureQueriesContext(connection) as more:
        manager_client.post(reverse("crm:export"))
    assert len(more) == len(queries)
