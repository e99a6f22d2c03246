"""Follow-ups in Chromium at 1024x768: the associate's day, the manager's templates and log,
and a customer unsubscribing from an email."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.models import Channel, Purpose
from followups.compose import unsubscribe_token
from followups.models import CallTask, MessageStatus, MessageTemplate
from tests.factories import (
    CallTaskFactory,
    ConsentFactory,
    CustomerFactory,
    MessageFactory,
    OccasionFactory,
    WishItemFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_associate_makes_todays_calls(page, log_in, screenshot, store, salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson, first_name="Nora",
                               last_name="Lee")
    WishItemFactory(customer=customer, description="Sapphire halo ring")
    occasion = OccasionFactory(customer=customer, kind="anniversary", month=12, day=10)
    # Due on the store's today: the factory's default (the server's date) is tomorrow in
    # Chicago's last hour before New York's midnight.
    CallTaskFactory(customer=customer, occasion=occasion, occurs_on=datetime.date(2026, 12, 10),
                    due_on=store.today())
    MessageFactory(customer=CustomerFactory(store=store, assigned_to=salesperson,
                                            first_name="Ava"),
                   status=MessageStatus.SENT, sent_at=timezone.now())
    log_in(salesperson)
    page.wait_for_url("**/followups/today/")  # a salesperson's day starts on Today
    expect(page.get_by_text("Sapphire halo ring")).to_be_visible()
    expect(page.get_by_text("Anniversary · Thursday, Dec 10")).to_be_visible()
    screenshot("followups-today")

    # No answer the first time: the call stays on the list with the try counted.
    page.get_by_role("button", name="Left voicemail").click()
    expect(page.get_by_text("Voicemail for Nora Lee noted (tries: 1)")).to_be_visible()
    expect(page.get_by_text("Left voicemail: 1 try so far")).to_be_visible()
    screenshot("followups-today-voicemail")

    page.fill("input[name=outcome]", "Coming in Saturday")
    page.get_by_role("button", name="Called").click()
    expect(page.get_by_text("Call to Nora Lee ticked off.")).to_be_visible()
    expect(page.get_by_text("Nothing due today.")).to_be_visible()
    call = CallTask.objects.get()
    assert (call.outcome, call.attempts) == ("Coming in Saturday", 2)


def test_a_manager_previews_and_saves_a_text_template(page, log_in, screenshot, store,
                                                      manager):
    customer = CustomerFactory(store=store, first_name="Harper", email="harper@mail.example")
    OccasionFactory(customer=customer, month=12, day=24)
    log_in(manager)
    page.goto("/followups/templates/")
    page.get_by_role("link", name="Birthday Text", exact=True).click()
    page.fill("textarea[name=body]", "Hi {{ first_name }}, {{ occasion }} on {{ date }}!")
    page.fill("input[name=preview_customer]", "harper@mail.example")
    page.get_by_role("button", name="Preview").click()
    expect(
        page.locator("#preview").get_by_text("Hi Harper, birthday on December 24!")).to_be_visible()
    expect(page.get_by_text("1 text segment")).to_be_visible()
    screenshot("followups-template-preview")

    page.get_by_role("button", name="Save template").click()
    page.wait_for_url("**/followups/templates/")
    template = MessageTemplate.objects.get(store=store, kind="birthday", channel="sms")
    assert template.body == "Hi {{ first_name }}, {{ occasion }} on {{ date }}!"


def test_a_manager_filters_the_message_log_and_opens_settings(page, log_in, screenshot, store,
                                                              manager):
    MessageFactory(customer=CustomerFactory(store=store, last_name="Failedson"),
                   status=MessageStatus.FAILED, reason="Twilio 21610: texted STOP",
                   channel=Channel.SMS)
    MessageFactory(customer=CustomerFactory(store=store, last_name="Sentworth"),
                   status=MessageStatus.SENT, sent_at=timezone.now())
    log_in(manager)
    page.get_by_role("link", name="Today").click()
    page.get_by_role("link", name="Message log").click()
    page.select_option("select[name=status]", "failed")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**status=failed**")  # the filtered log, not the one before it
    expect(page.get_by_text("Twilio 21610: texted STOP")).to_be_visible()
    assert not page.get_by_text("Sentworth").count()
    screenshot("followups-message-log")

    page.get_by_role("link", name="Messaging settings").click()
    page.fill("input[name=send_from]", "21:00")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Sending must start before it ends.")).to_be_visible()
    screenshot("followups-settings-error")


def test_a_customer_unsubscribes_from_the_email_link(page, screenshot, store):
    customer = CustomerFactory(store=store, first_name="Olivia")
    ConsentFactory(customer=customer, channel=Channel.EMAIL, purpose=Purpose.OCCASION_REMINDERS)
    page.goto(f"/followups/unsubscribe/{unsubscribe_token(customer.pk, address=customer.email)}/")
    assert page.get_by_text(
        f"Olivia, do you want to stop all emails from us to {customer.email}?").is_visible()
    screenshot("followups-unsubscribe")
    page.get_by_role("button", name="Unsubscribe me").click()
    expect(page.get_by_text(f"{customer.email} is unsubscribed.")).to_be_visible()
    assert customer.consents.filter(granted=False).count() == 1
