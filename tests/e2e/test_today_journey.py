"""Issue 15 in Chromium at 1024x768: an associate opens Today, calls about an anniversary,
books a visit from the task and finds it on the store calendar; then the customer's text
appears at the top of Today and the associate answers it from the thread."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from appointments.models import Appointment
from crm.models import Channel, Purpose
from followups import services
from followups.models import Message, Task
from tests.factories import ConsentFactory, CustomerFactory, OccasionFactory, TaskFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PHONE = "+12175550188"


def _next_open_day(store) -> datetime.date:
    day = store.today() + datetime.timedelta(days=1)
    return day + datetime.timedelta(days=1) if day.weekday() == 6 else day  # closed Sundays


def test_from_a_call_to_a_booked_visit_and_an_answered_text(page, log_in, screenshot, store,
                                                            salesperson):
    nora = CustomerFactory(store=store, assigned_to=salesperson, first_name="Nora",
                           last_name="Lee", phone=PHONE)
    ConsentFactory(customer=nora, channel=Channel.SMS, purpose=Purpose.OCCASION_REMINDERS)
    ConsentFactory(customer=nora, channel=Channel.EMAIL, purpose=Purpose.REPAIR_NOTICES)
    occasion = OccasionFactory(customer=nora, kind="anniversary", month=12, day=10)
    TaskFactory(customer=nora, occasion=occasion, occurs_on=datetime.date(2026, 12, 10),
                due_on=store.today())

    log_in(salesperson)
    page.wait_for_url("**/followups/today/")
    expect(page.get_by_text("Anniversary · Thursday, Dec 10")).to_be_visible()
    screenshot("today-call-due")

    # The call reaches her: she will come in. Booking from the task closes it.
    page.get_by_role("link", name="Book a visit").click()
    page.wait_for_url("**/appointments/book/**")
    day = _next_open_day(store)
    page.fill("input[name=day]", day.isoformat())
    page.fill("input[name=time]", "11:00")
    page.select_option("select[name=purpose]", "anniversary")
    page.fill("input[name=note]", "Coordinating pieces for the anniversary band")
    screenshot("today-book-from-task")
    page.get_by_role("button", name="Book").click()
    page.wait_for_url("**/appointments/?day=*")
    expect(page.get_by_text("Nora Lee is booked on")).to_be_visible()
    calendar_day = page.locator(".calendar-day")
    expect(calendar_day.get_by_text("Nora Lee · Anniversary shopping")).to_be_visible()
    expect(page.locator(".calendar-day").get_by_text("11:00–12:00")).to_be_visible()
    screenshot("today-store-calendar")
    appointment = Appointment.objects.get()
    assert appointment.task.done_at is not None
    assert Message.objects.filter(appointment=appointment).exists()  # the confirmation

    page.get_by_role("link", name="Week").click()
    expect(page.locator(".calendar-week").get_by_text("Nora Lee")).to_be_visible()
    screenshot("today-store-week")

    # Her text arrives (the webhook's service, as Twilio would call it).
    services.sms_inbound(sender=PHONE, store_number="", text="Can I bring my sister too?",
                         message_sid="SMjourney1")
    page.locator("nav").get_by_role("link", name="Today").click()
    page.wait_for_url("**/followups/today/")
    replies = page.locator(".today-replies")
    expect(replies.get_by_text("“Can I bring my sister too?”")).to_be_visible()
    assert page.locator("h2").first.inner_text().startswith("Replies waiting")
    screenshot("today-reply-waiting")

    replies.get_by_role("link", name="Answer").click()
    page.wait_for_url("**/conversation/")
    expect(page.get_by_text("Texted: Can I bring my sister too?")).to_be_visible()
    page.fill("textarea[name=words]", "Of course! See you both then.")
    expect(page.get_by_text("29 characters · 1 text segment")).to_be_visible()
    page.fill("textarea[name=words]", "Of course! See you both then 💍")
    expect(page.get_by_text("1 text segment (special characters: 70 per segment)")).to_be_visible()
    screenshot("today-conversation-reply")
    page.get_by_role("button", name="Send").click()
    messaging = services.messaging_settings_for(store=store)
    if messaging.may_send_at(timezone.now()):
        expect(page.get_by_text(f"Your reply to {PHONE} is on its way.")).to_be_visible()
    else:  # run at night: it waits for the morning and says so
        expect(page.get_by_text("Quiet hours: waits until").first).to_be_visible()
    expect(page.locator(".thread-out").last.get_by_text(
        "Of course! See you both then 💍")).to_be_visible()
    screenshot("today-conversation-sent")
    reply = Message.objects.get(kind="reply")  # the page said so: the post is done
    assert reply.words == "Of course! See you both then 💍"
    assert not Task.objects.filter(kind="reply", done_at__isnull=True).exists()

    # Her page shows the thread with the reply box, and the visit.
    page.get_by_role("link", name="Profile").click()
    page.wait_for_url(f"**/customers/{nora.pk}/")
    conversation = page.locator("#conversation")
    expect(conversation.get_by_text("Texted: Can I bring my sister too?")).to_be_visible()
    expect(conversation.locator("textarea[name=words]")).to_be_visible()
    expect(page.get_by_text("Anniversary shopping · Sally Sales")).to_be_visible()
    screenshot("today-customer-page")
    page.locator("nav").get_by_role("link", name="Today").click()
    expect(page.get_by_text("Nobody is waiting for an answer.")).to_be_visible()
