"""The website voucher from the visitor's sign-up to the counter, and the monthly drawing
from the closing to the winner, at the tablet's 1024x768."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from crm.links import confirmation_token
from crm.models import Drawing, Purchase, Source, Voucher, VoucherKind
from crm.services import drawing_create, sign_up_confirm, voucher_program_set
from followups.models import Message
from followups.sender import message_send
from followups.tasks import send_message
from tests.factories import SignUpFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_broker(monkeypatch):
    """No worker runs here: the test sends the outbox's messages itself."""
    monkeypatch.setattr(send_message, "apply_async", lambda *args, **kwargs: None)


def test_a_visitor_signs_up_confirms_and_the_associate_redeems_the_voucher(
        page, log_in, screenshot, store, manager, salesperson):
    voucher_program_set(store=store, kind=VoucherKind.AMOUNT, value=Decimal("25"),
                        minimum_purchase=Decimal("200"), valid_days=30,
                        terms="One per household; not combinable with other offers.",
                        by=manager)
    page.goto(f"/customers/join/{store.pk}/")
    assert page.locator("#voucher-offer").inner_text().endswith(
        "$25 off a purchase of $200 or more.")
    page.locator("#id_first_name").fill("Vera")
    page.locator("#id_last_name").fill("Visitor")
    page.locator("#id_email").fill("vera@mail.example")
    screenshot("voucher-sign-up")
    page.get_by_role("button", name="Sign up").click()
    page.wait_for_url("**/join/thanks/**")
    expect(page.get_by_text("not combinable with other offers")).to_be_visible()
    screenshot("voucher-thanks")

    message = Message.objects.get(sign_up__email="vera@mail.example")
    assert message_send(message_id=message.pk) == "sent"
    link = re.search(r"http://testserver(\S+)", mail.outbox[-1].body).group(1)
    page.goto(link)
    page.get_by_role("button", name="Confirm my email").click()
    page.locator("#voucher-code").wait_for()
    voucher = Voucher.objects.get()
    assert page.locator("#voucher-code").inner_text() == voucher.shown_code
    expect(page.locator("#voucher svg")).to_be_visible()
    screenshot("voucher-confirmed")

    log_in(salesperson)
    page.wait_for_url("**/followups/today/")  # a salesperson's day starts on Today
    page.get_by_role("link", name="Vouchers").click()
    page.locator("#id_code").fill(voucher.shown_code.lower())
    page.get_by_role("button", name="Look up").click()
    page.locator("#voucher-card").wait_for()
    expect(page.get_by_text("Vera Visitor")).to_be_visible()
    page.locator("#id_total").fill("150")
    page.get_by_role("button", name="Redeem against this purchase").click()
    page.get_by_text("needs a purchase of $200.00 or more").wait_for()
    assert page.input_value("#id_total") == "150"
    screenshot("voucher-under-minimum")
    page.locator("#id_total").fill("240")
    page.locator("#id_description").fill("Sapphire earrings")
    page.get_by_role("button", name="Redeem against this purchase").click()
    page.get_by_text(re.compile(r"redeemed: \$25.00 off for Vera Visitor")).wait_for()
    screenshot("voucher-redeemed")
    assert Purchase.objects.get().amount == Decimal("215.00")

    page.get_by_role("link", name="Vouchers").click()
    page.locator("#id_code").fill(voucher.code)
    page.get_by_role("button", name="Look up").click()
    problem = page.locator("#voucher-problem").inner_text()
    assert "already used" in problem and "Sally Sales" in problem
    assert page.get_by_role("button", name="Redeem against this purchase").count() == 0
    screenshot("voucher-used")


def test_a_manager_closes_the_drawing_and_draws_the_winner(page, log_in, screenshot, store,
                                                           manager):
    today = store.today()
    drawing = drawing_create(store=store, month=today, prize="Pearl pendant",
                             rules="No purchase necessary. One entry per person.",
                             closes_on=today + datetime.timedelta(days=10), by=manager)
    for name in ["Ann", "Ben", "Cy"]:
        entry = SignUpFactory(store=store, source=Source.DRAWING, first_name=name,
                              email=f"{name.lower()}@mail.example")
        sign_up_confirm(token=confirmation_token(sign_up=entry))
    assert drawing.entries.count() == 3

    log_in(manager)
    page.wait_for_url("**/dashboard/")  # a manager lands on the dashboard
    page.get_by_role("link", name="Staff", exact=True).click()
    page.get_by_role("link", name="Drawing and voucher").click()
    page.get_by_role("link", name=today.strftime("%B %Y")).click()
    assert "3 entries" in page.locator("#drawing-state").inner_text()
    assert page.get_by_role("button", name="Draw the winner").is_disabled()
    screenshot("drawing-open")
    page.get_by_role("button", name="Close entries now").click()
    page.get_by_text("Entries are closed.").wait_for()
    page.get_by_role("button", name="Draw the winner").click()
    page.locator("#drawing-winner").wait_for()
    drawing = Drawing.objects.get()
    assert drawing.winner.name in page.locator("#drawing-winner").inner_text()
    assert drawing.entry_count == 3
    assert page.get_by_role("button", name="Draw the winner").count() == 0
    screenshot("drawing-drawn")
    assert Message.objects.get(drawing=drawing).to == drawing.winner.email

    page.get_by_role("link", name="Entrant list (print)").click()
    expect(page.locator("#entrants tbody tr")).to_have_count(3)
    page.emulate_media(media="print")
    assert not page.locator("nav").is_visible()
    screenshot("drawing-entrants-print")
