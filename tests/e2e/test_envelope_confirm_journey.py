"""At the repair counter on the tablet: ready says what the customer will get; cancelling is a
step of its own that asks why."""

import pytest
from playwright.sync_api import expect

from repairs.models import Envelope, Status

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _take_in(store, service_clerk, **kwargs):
    import datetime
    from decimal import Decimal

    from repairs.services import Item, NewCustomer, envelope_take_in

    ring = Item(item_type="ring", description="14k gold solitaire", work_requested="Size to 7",
                estimate=Decimal("85.00"))
    return envelope_take_in(store=store, by=service_clerk, email="ada@mail.example",
                            new_customer=NewCustomer("Ada", "Lovelace"), item=ring,
                            promised_on=store.today() + datetime.timedelta(days=7), **kwargs)


def test_marking_ready_says_what_the_customer_will_get(page, log_in, screenshot, service_clerk,
                                                       store):
    envelope = _take_in(store, service_clerk, phone="(217) 555-0142")
    log_in(service_clerk)
    page.wait_for_url("**/repairs/")
    page.goto(f"/repairs/{envelope.pk}/")
    expect(page.get_by_text("(217) 555-0142")).to_be_visible()
    page.get_by_role("button", name="Ready for pickup").click()
    notice = page.locator(".alert", has_text="is ready for pickup")
    expect(notice).to_contain_text("Ready notice by email to ada@mail.example")
    screenshot("envelope-ready-said")
    assert Envelope.objects.get(pk=envelope.pk).status == Status.READY


def test_cancelling_asks_why_on_its_own_step_and_keeps_the_history(
        page, log_in, screenshot, service_clerk, store):
    envelope = _take_in(store, service_clerk)
    log_in(service_clerk)
    page.wait_for_url("**/repairs/")
    page.goto(f"/repairs/{envelope.pk}/")
    expect(page.get_by_role("button", name="Cancelled")).to_have_count(0)
    page.get_by_role("link", name="Cancel this repair…").click()
    page.wait_for_url(f"**/repairs/{envelope.pk}/cancel/")
    page.get_by_role("button", name="Cancel the repair").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("Say why the repair is cancelled")
    screenshot("envelope-cancel-needs-a-reason")
    assert Envelope.objects.get(pk=envelope.pk).status == Status.RECEIVED
    page.get_by_label("Why is the repair cancelled?").fill("Customer will replace the ring")
    page.get_by_role("button", name="Cancel the repair").click()
    page.wait_for_url(f"**/repairs/{envelope.pk}/")
    expect(page.locator(".list-group")).to_contain_text("Customer will replace the ring")
    screenshot("envelope-cancelled-with-reason")
    assert Envelope.objects.get(pk=envelope.pk).status == Status.CANCELLED
