"""Issue 15 in Chromium at 1024x768: someone calls who has no profile yet; the associate
books them from the calendar, then moves the visit when they call back, and the calendar
shows the new time (the customer's "moved" notice waits in the outbox)."""

import datetime

import pytest
from playwright.sync_api import expect

from appointments.models import Appointment
from crm.models import Customer
from followups.models import Message

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _next_open_day(store) -> datetime.date:
    day = store.today() + datetime.timedelta(days=1)
    return day + datetime.timedelta(days=1) if day.weekday() == 6 else day  # closed Sundays


def test_book_someone_new_then_move_the_visit(page, log_in, screenshot, store, salesperson):
    day = _next_open_day(store)
    log_in(salesperson)
    page.wait_for_url("**/followups/today/")
    page.get_by_role("link", name="Store calendar").click()
    page.get_by_role("link", name="Book someone new").click()
    page.wait_for_url("**/appointments/book/new-customer/")
    page.fill("input[name=first_name]", "Ines")
    page.fill("input[name=last_name]", "Roth")
    page.fill("input[name=phone]", "(217) 555-0166")
    page.fill("input[name=email]", "ines@mail.example")
    page.select_option("select[name=source]", "referral")
    page.check("input[name=notices_agreed]")
    page.fill("input[name=day]", day.isoformat())
    page.fill("input[name=time]", "11:00")
    page.select_option("select[name=purpose]", "bridal")
    screenshot("move-book-someone-new")
    page.get_by_role("button", name="Book").click()
    page.wait_for_url("**/appointments/?day=*")
    expect(page.get_by_text("Ines Roth is booked on")).to_be_visible()
    assert Customer.objects.get(first_name="Ines").is_prospect

    page.locator(".calendar-day").get_by_text("Ines Roth · Bridal").click()
    page.get_by_role("link", name="Move to another time").click()
    page.wait_for_url("**/move/")
    page.fill("input[name=time]", "15:00")
    screenshot("move-new-time")
    page.get_by_role("button", name="Move").click()
    page.wait_for_url("**/appointments/?day=*")
    expect(page.locator(".calendar-day").get_by_text("15:00–16:00")).to_be_visible()
    assert not page.locator(".calendar-day").get_by_text("11:00–12:00").is_visible()
    screenshot("move-calendar-after")
    moved = Appointment.objects.get(status="booked")
    assert Message.objects.filter(appointment=moved, kind="appt_moved").count() == 2
