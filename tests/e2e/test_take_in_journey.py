"""The repair counter on the tablet: a ring for a new customer, the email the counter forgot,
and the printed envelope."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from repairs.models import Envelope

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_service_staff_take_in_a_ring_for_a_new_customer_and_print_the_envelope(
        page, log_in, screenshot, service_clerk, store):
    log_in(service_clerk)
    page.wait_for_url("**/repairs/")
    page.get_by_role("link", name="Take in a repair").first.click()
    page.wait_for_url("**/repairs/take-in/")

    page.locator("#id_first_name").fill("Ada")
    page.locator("#id_last_name").fill("Lovelace")
    page.locator("#id_phone").fill("217 555 0142")
    page.locator("#id_item_type").select_option("ring")
    page.locator("#id_item_description").fill("14k gold solitaire")
    page.locator("#id_condition").fill("One prong bent, shank worn thin")
    page.locator("#id_work_requested").fill("Size from 6 to 7, retip prongs")
    page.locator("#id_estimate").fill("85.50")
    promised = store.today() + datetime.timedelta(days=7)
    page.locator("#id_promised_on").fill(promised.isoformat())
    page.get_by_role("button", name="Save envelope").click()

    error = page.locator("#id_email").locator("xpath=..").get_by_text(
        re.compile("email address is required for every repair"))
    error.wait_for()
    assert page.input_value("#id_first_name") == "Ada"
    assert page.input_value("#id_work_requested") == "Size from 6 to 7, retip prongs"
    assert page.input_value("#id_estimate") == "85.50"
    assert not Envelope.objects.exists()
    screenshot("take-in-email-missing")

    page.locator("#id_email").fill("ada@mail.example")
    page.get_by_role("button", name="Save envelope").click()
    page.wait_for_url(re.compile(r"/repairs/\d+/$"))
    envelope = Envelope.objects.get()
    assert envelope.customer.email == "ada@mail.example"
    heading = page.get_by_role("heading", name=re.compile(f"Envelope #{envelope.number}"))
    expect(heading).to_be_visible()
    screenshot("take-in-envelope")

    page.get_by_role("link", name="Print envelope").click()
    page.wait_for_url("**/print/")
    expect(page.locator(".repair-envelope svg")).to_be_visible()
    expect(page.get_by_text("Claim ticket")).to_be_visible()
    screenshot("take-in-print-screen")
    page.emulate_media(media="print")
    assert not page.locator("nav").is_visible()
    assert not page.get_by_role("button", name="Print").is_visible()
    screenshot("take-in-print")
    pdf = page.pdf(format="Letter")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1, "the envelope prints on one page"


def test_a_returning_customer_is_found_and_keeps_both_emails(page, log_in, screenshot,
                                                             service_clerk, store):
    from tests.factories import CustomerFactory, EnvelopeFactory

    customer = CustomerFactory(store=store, first_name="Grace", last_name="Hopper",
                               email="grace@navy.example", phone="+12175550199")
    EnvelopeFactory(customer=customer, promised_on=store.today() - datetime.timedelta(days=2))
    log_in(service_clerk)
    page.wait_for_url("**/repairs/")
    expect(page.get_by_text("Overdue").first).to_be_visible()
    screenshot("repairs-home")

    page.goto("/repairs/take-in/")
    page.locator("#customer-find").fill("Hopp")
    page.get_by_text("Grace Hopper").click()
    assert page.input_value("#id_email") == "grace@navy.example"
    page.locator("#id_email").fill("grace@mail.example")
    page.locator("#id_item_type").select_option("watch")
    page.locator("#id_item_description").fill("Steel diver")
    page.locator("#id_work_requested").fill("Battery")
    page.locator("#id_promised_on").fill(store.today().isoformat())
    page.get_by_role("button", name="Save envelope").click()

    page.locator("#id_email_choice_1").wait_for()
    assert page.locator("input[name=customer]:checked").get_attribute("value") == str(customer.pk)
    screenshot("take-in-replace-or-keep")
    page.locator("#id_email_choice_1").check()
    page.get_by_role("button", name="Save envelope").click()
    page.wait_for_url(re.compile(r"/repairs/\d+/$"))
    customer.refresh_from_db()
    assert (customer.email, customer.secondary_email) == ("grace@navy.example",
                                                          "grace@mail.example")


def test_a_manager_reads_the_email_capture_report(page, log_in, screenshot, manager, store,
                                                  service_clerk):
    from crm.models import Channel, ConsentMethod, Purpose
    from crm.services import consent_record
    from tests.factories import EnvelopeFactory

    for n in range(3):
        EnvelopeFactory(customer__store=store, taken_in_by=service_clerk,
                        customer__email=f"counter{n}@mail.example")
    bounced = EnvelopeFactory(customer__store=store, taken_in_by=manager,
                              customer__email="typo@gmial.example", email="typo@gmial.example")
    consent_record(customer=bounced.customer, channel=Channel.EMAIL, address=bounced.email,
                   purpose=Purpose.REPAIR_NOTICES, granted=False, method=ConsentMethod.BOUNCE)
    log_in(manager)
    page.goto("/repairs/")
    page.get_by_role("link", name="Capture report").click()
    page.wait_for_url("**/capture-report/")
    expect(page.get_by_text("typo@gmial.example")).to_be_visible()
    expect(page.get_by_role("cell", name="Sam Service")).to_be_visible()
    screenshot("repairs-capture-report")
