"""Events in Chromium at 1024x768: a manager creates a trunk show, previews the audience with
its exclusions and schedules the campaign; once the worker has sent it, a customer answers
through the link in the email and is on the guest list at the door."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from playwright.sync_api import expect

from crm.models import Channel, Consent, ConsentMethod, Purpose
from events import services
from events.models import Campaign, CampaignStatus, Invitation
from followups.models import Message, MessageStatus
from followups.sender import message_send
from tests.factories import ConsentFactory, CustomerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def audience(store):
    """Nora and Liam asked for events and news by email; Ada never did; Max unsubscribed."""
    for first, last in (("Nora", "Lee"), ("Liam", "Park")):
        ConsentFactory(customer=CustomerFactory(store=store, first_name=first, last_name=last),
                       purpose=Purpose.EVENTS)
    CustomerFactory(store=store, first_name="Ada", last_name="Quiet")
    unsubscribed = CustomerFactory(store=store, first_name="Max", last_name="Gone")
    ConsentFactory(customer=unsubscribed, purpose=Purpose.EVENTS)
    Consent.objects.create(customer=unsubscribed, channel=Channel.EMAIL,
                           address=unsubscribed.email, purpose=Purpose.EVENTS, granted=False,
                           method=ConsentMethod.UNSUBSCRIBE,
                           created_at=datetime.datetime.now(datetime.UTC))


def test_a_trunk_show_from_invitation_to_the_guest_list(page, log_in, screenshot, store,
                                                         manager, audience, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    today = store.today()
    show_day = today + datetime.timedelta(days=20)
    send_day = today + datetime.timedelta(days=1)

    log_in(manager)
    page.get_by_role("link", name="Events").click()
    page.get_by_role("link", name="New event").click()
    page.fill("input[name=title]", "Sapphire trunk show")
    page.fill("input[name=date]", show_day.isoformat())
    page.fill("input[name=start_time]", "18:00")
    page.fill("input[name=place]", "Main floor")
    page.fill("input[name=capacity]", "30")
    page.fill("input[name=rsvp_by]", (show_day - datetime.timedelta(days=2)).isoformat())
    screenshot("events-new")
    page.get_by_role("button", name="Save event").click()
    expect(page.get_by_text("Sapphire trunk show is on the calendar.")).to_be_visible()

    page.get_by_role("link", name="New campaign").click()
    page.get_by_role("button", name="Save and preview the audience").click()
    page.wait_for_url(re.compile(r".*/events/campaigns/\d+/$"))
    assert page.locator("#invited-count").inner_text() == "2"
    exclusions = page.locator("#exclusions")
    assert exclusions.locator("tr[data-reason=no_consent] td").nth(1).inner_text() == "1"
    assert exclusions.locator("tr[data-reason=unsubscribed] td").nth(1).inner_text() == "1"
    exclusions.locator("tr[data-reason=unsubscribed]").get_by_role("link", name="Names").click()
    page.locator("#names").get_by_text("Max Gone").wait_for()  # htmx, no reload
    screenshot("events-campaign-preview")

    page.fill("input[name=date]", send_day.isoformat())
    page.fill("input[name=time]", "10:00")
    page.get_by_role("button", name="Schedule").click()
    expect(
        page.get_by_text(f"Scheduled for {send_day:%b} {send_day.day} at 10:00.")).to_be_visible()
    campaign = Campaign.objects.get()
    assert campaign.status == CampaignStatus.SCHEDULED
    screenshot("events-campaign-scheduled")

    # The next morning the beat starts it and the worker sends what came due.
    with time_machine.travel(campaign.scheduled_at + datetime.timedelta(minutes=1), tick=True):
        services.campaigns_advance()
        for pk in Message.objects.filter(status=MessageStatus.PLANNED).values_list("pk",
                                                                                   flat=True):
            message_send(message_id=pk)
    assert sorted(m.to[0].split(".")[0] for m in mail.outbox) == ["liam", "nora"]

    nora = next(m for m in mail.outbox if m.to[0].startswith("nora"))
    link = re.search(r"http://testserver(/events/rsvp/[^/]+/)", nora.body).group(1)
    customer_page = page.context.browser.new_context(
        viewport={"width": 1024, "height": 768}, base_url=page.url.split("/events")[0])
    rsvp = customer_page.new_page()
    rsvp.goto(link)
    expect(rsvp.get_by_text("Nora, will you come?")).to_be_visible()
    rsvp.get_by_label("Yes, I will come").check()
    rsvp.fill("input[name=guests]", "1")
    rsvp.get_by_role("button", name="Send my answer").click()
    expect(rsvp.get_by_text("Thank you, Nora: you are confirmed (2 seats).")).to_be_visible()
    rsvp.screenshot(path=str(screenshot("events-rsvp").with_name("events-rsvp-customer.png")),
                    full_page=True)
    customer_page.close()

    page.goto(f"/events/{campaign.event_id}/guests/")
    row = page.locator("table.guest-list tbody tr", has_text="Lee, Nora")
    assert row.locator("td").nth(1).inner_text() == "2"
    row.get_by_role("button", name="Check in Nora Lee").click()
    row.get_by_role("button", name="Undo: Nora Lee is here").wait_for()  # htmx, no reload
    screenshot("events-guest-list")
    assert Invitation.objects.get(customer__first_name="Nora").attended_at is not None

    page.goto(f"/events/campaigns/{campaign.pk}/")
    assert page.locator("#progress [data-count=sent]").inner_text() == "2"
    screenshot("events-campaign-results")
