import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import AuditEntry
from crm import services
from crm.models import Customer, Interaction, InteractionKind, Source
from tests.factories import CustomerFactory

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
def test_a_file_that_is_not_the_pos_csv_is_refused_beside_the_file(manager_client, upload):
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
                                                                            ava):
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


def test_a_manager_previews_then_imports(manager_client):
    preview = manager_client.post(reverse("crm:import"), {
        "file": SimpleUploadedFile("pos.csv", POS_CSV.encode())})
    assert preview.status_code == 200
    assert preview.context["report"].counts["new"] == 2
    assert not Customer.objects.exists()
    done = manager_client.post(reverse("crm:import"), {"csv_text": POS_CSV})
    assert done.status_code == 302
    assert Customer.objects.count() == 2
    assert AuditEntry.objects.get(action="customer.imported").data["new"] == 2


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
