"""After the sale, on the tablet and in the office: a manager imports the POS's purchases (a
real Celery worker runs the import while the page polls), the associate sees the purchase
and the thank-you call on Today, and the repair counter photographs a ring's condition at
take-in."""

import datetime
import io
import re

import pytest
from celery.contrib.testing.worker import start_worker
from PIL import Image
from playwright.sync_api import expect

from config.celery import app
from crm.models import Customer, Import, ImportStatus, Purchase
from followups.aftercare import plan_aftercare
from repairs.models import Envelope
from tests.factories import CustomerFactory

# The import runs on the real Redis broker and a real worker, like tests/followups/test_worker.
pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True),
              pytest.mark.xdist_group("celery-worker")]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _log_out(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/**")


def test_a_manager_imports_the_pos_file_and_the_associate_sees_the_purchase(
        page, log_in, screenshot, manager, salesperson, store, tmp_path):
    ava = CustomerFactory(store=store, first_name="Ava", last_name="Brown", pos_id="C-17",
                          email="ava@mail.example", phone="+12175550142")
    # Three days ago: the thank-you call is due today.
    bought = store.today() - datetime.timedelta(days=3)
    day = bought.isoformat()
    pos_file = tmp_path / "pos-purchases.csv"
    pos_file.write_text(
        "receipt,date,customer_pos_id,email,phone,first_name,last_name,category,metal,stones,"
        "description,amount,associate\n"
        f"R-2041,{day},C-17,,,,,Rings,18k white gold,1 ct diamond,Solitaire engagement ring,"
        f"\"$4,800.00\",Sally Sales\n"
        f"R-2041,{day},C-17,,,,,Care,,,Ring cleaning kit,25.00,Sally Sales\n"
        f"R-2042,{day},C-40,noah@mail.example,,Noah,Smith,Watches,Steel,,Diver watch,"
        f"1200.00,sally\n"
        f"R-2043,{day},C-41,,,,,Pearls,,,Strand,600.00,Nobody Here\n")

    log_in(manager)
    page.wait_for_url("**/dashboard/")
    page.goto("/customers/import/")
    page.get_by_label("Purchases").check()
    page.locator("input[type=file]").set_input_files(str(pos_file))
    page.get_by_role("button", name="Preview").click()
    page.get_by_text("nothing is saved yet").wait_for()
    expect(page.locator(".crm-import-preview tbody tr")).to_have_count(3)
    expect(page.locator(".crm-import-preview tr.table-danger").get_by_text(
        "“Nobody Here” is not an associate of this store")).to_be_visible()
    assert not Purchase.objects.exists()
    screenshot("after-sale-import-preview")

    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        page.get_by_role("button", name="Import the rows without problems").click()
        page.wait_for_url(re.compile(r"/customers/import/\d+/$"))
        # The progress partial polls every 2 s until the worker is done.
        page.locator("#import-progress").get_by_text("Done").wait_for(timeout=30_000)
    run = Import.objects.get()
    assert (run.status, run.rows_done, run.created, run.refused) == (ImportStatus.DONE, 4, 2, 1)
    expect(page.locator("#import-progress").get_by_text("4 of 4 rows (100%)")).to_be_visible()
    page.reload()
    expect(page.locator(".crm-import-problems").get_by_text("Nobody Here")).to_be_visible()
    screenshot("after-sale-import-done")
    _log_out(page)

    # The aftercare beat runs (hourly): the purchase of three days ago gets its thank-you call.
    plan_aftercare()
    log_in(salesperson)
    page.wait_for_url("**/followups/today/")  # a salesperson's day starts on Today
    call = page.locator(".task-reason", has_text="Thank-you call for the purchase of "
                                                 f"{bought:%b} {bought.day}: ask their "
                                                 "wedding date")
    expect(call).to_be_visible()
    expect(page.get_by_role("link", name="Ava Brown").first).to_be_visible()
    screenshot("after-sale-thank-you-call-on-today")
    page.get_by_role("link", name="My clients").click()
    page.wait_for_url("**/customers/")
    # Ava is in the list, and in the calls to make beside it (her thank-you call).
    expect(page.locator(".crm-row-link", has_text="Ava Brown")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Noah Smith"))).to_be_visible()
    page.locator(".crm-row-link", has_text="Ava Brown").click()
    purchase = page.locator(".crm-purchase").first
    expect(purchase.get_by_text(re.compile(r"\$4,825\.00 · Solitaire engagement ring"))) \
        .to_be_visible()
    expect(purchase.get_by_text("receipt R-2041")).to_be_visible()
    screenshot("after-sale-associate-sees-purchase")
    ava.refresh_from_db()
    assert (ava.assigned_to, ava.is_prospect) == (salesperson, False)
    assert Customer.objects.get(pos_id="C-40").assigned_to == salesperson


def test_service_staff_photograph_a_rings_condition_at_take_in(page, log_in, screenshot,
                                                                service_clerk, store, tmp_path):
    photo = tmp_path / "ring.jpg"
    image = Image.new("RGB", (3024, 4032), (230, 200, 120))
    image.paste((90, 90, 90), (1200, 1600, 1800, 2400))  # the bent prong, say
    out = io.BytesIO()
    image.save(out, format="JPEG")
    photo.write_bytes(out.getvalue())

    log_in(service_clerk)
    page.wait_for_url("**/repairs/")
    page.goto("/repairs/take-in/")
    page.locator("#id_first_name").fill("Ada")
    page.locator("#id_last_name").fill("Lovelace")
    page.locator("#id_email").fill("ada@mail.example")
    page.locator("#id_item_type").select_option("ring")
    page.locator("#id_item_description").fill("14k gold solitaire")
    page.locator("#id_condition").fill("One prong bent")
    assert page.locator("#id_condition_photo").get_attribute("capture") == "environment"
    page.locator("#id_condition_photo").set_input_files(str(photo))
    page.locator("#id_work_requested").fill("Retip prongs")
    page.locator("#id_promised_on").fill((store.today() + datetime.timedelta(days=7))
                                         .isoformat())
    page.get_by_role("button", name="Save envelope").click()
    page.wait_for_url(re.compile(r"/repairs/\d+/$"))

    envelope = Envelope.objects.get()
    shown = page.locator(".loupe-photos img").first
    shown.wait_for()
    assert page.evaluate("img => img.complete && img.naturalWidth", shown.element_handle()) \
        == 1200
    screenshot("after-sale-envelope-photo")
    page.get_by_role("link", name="Print envelope").click()
    page.wait_for_url("**/print/")
    printed = page.locator(".loupe-photos-print img").first
    assert page.evaluate("img => img.complete && img.naturalWidth", printed.element_handle()) \
        == 1200
    screenshot("after-sale-envelope-photo-print")
    assert envelope.photos.count() == 1
