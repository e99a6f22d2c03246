"""A manager lands on the dashboard, opens a lapsed top client, asks their associate to reach
out, and the associate finds the call on their home page."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from crm.models import Customer, Interaction, InteractionKind, Purchase, Source, WalkIn
from followups.models import REACH_OUT, CallTask
from insights.selectors import month_shift
from insights.services import rollups_refresh
from tests.factories import CustomerFactory, OccasionFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SOURCES = [Source.WALK_IN, Source.WALK_IN, Source.WEBSITE, Source.DRAWING, Source.REPAIR]


@pytest.fixture
def a_year_of_customers(store, salesperson):
    """Customers captured over the last year from every source, some buying, some gone
    quiet; Lara Quinn, the most valuable, has not been seen for two years."""
    now = timezone.now()
    today = store.today(now)
    for n in range(36):
        created = datetime.datetime.combine(month_shift(today, -(n % 12)), datetime.time(12),
                                            tzinfo=store.tz)
        customer = CustomerFactory(store=store, source=SOURCES[n % 5],
                                   assigned_to=salesperson if n % 7 else None,
                                   lifetime_value=Decimal(150 * (n % 9)))
        Customer.objects.filter(pk=customer.pk).update(created_at=created,
                                                       last_visit_at=created)
        WalkIn.objects.create(key=uuid.uuid4(), customer=customer, logged_by=salesperson,
                              created_at=now - datetime.timedelta(days=n % 10))
        if n % 9:
            Purchase.objects.create(customer=customer, store=store, purchased_on=created.date(),
                                    amount=Decimal(150 * (n % 9)), associate=salesperson)
    two_years_ago = now - datetime.timedelta(days=730)
    lara = CustomerFactory(store=store, first_name="Lara", last_name="Quinn",
                           assigned_to=salesperson, lifetime_value=Decimal(18500))
    Customer.objects.filter(pk=lara.pk).update(created_at=two_years_ago - datetime.timedelta(
        days=300), last_visit_at=two_years_ago)
    Interaction.objects.create(customer=lara, kind=InteractionKind.VISIT, staff=salesperson,
                               summary="Picked up her anniversary band",
                               occurred_at=two_years_ago)
    OccasionFactory(customer=lara, kind="anniversary", month=12, day=14)
    rollups_refresh()
    return lara


def test_manager_asks_the_associate_to_reach_out_to_a_lapsed_top_client(
        page, log_in, screenshot, manager, salesperson, a_year_of_customers):
    lara = a_year_of_customers
    log_in(manager)
    page.wait_for_url("**/dashboard/")
    expect(page.get_by_role("heading", name="Customer base")).to_be_visible()
    expect(page.locator("#base-chart")).to_be_visible()
    page.wait_for_function("Object.keys(Chart.instances).length === 2")
    lapsed = page.locator("#lapsed tbody tr").first
    assert "Lara Quinn" in lapsed.inner_text() and "Sally Sales" in lapsed.inner_text()
    assert "Anniversary" in lapsed.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024  # fits the tablet
    screenshot("dashboard")

    page.emulate_media(media="print")
    assert not page.locator("nav").first.is_visible()
    expect(page.locator(".insights-months")).to_be_visible()  # the chart's numbers, on paper
    screenshot("dashboard-print")
    page.emulate_media(media="screen")

    lapsed.get_by_role("link", name="Lara Quinn").click()
    page.wait_for_url(f"**/customers/{lara.pk}/")
    expect(page.get_by_text("Picked up her anniversary band")).to_be_visible()
    page.go_back()
    page.locator("#lapsed").get_by_role("button", name="Reach out to Lara Quinn").click()
    page.wait_for_url("**/dashboard/")
    expect(
        page.get_by_text("Sally Sales has a call to reach out to Lara Quinn today")).to_be_visible()
    expect(page.locator("#lapsed tbody tr").first.get_by_text("Reach-out asked")).to_be_visible()
    screenshot("dashboard-reach-out-asked")
    task = CallTask.objects.get(customer=lara)
    assert (task.assignee, task.reason) == (salesperson, REACH_OUT)

    page.get_by_role("button", name="Log out").click()
    log_in(salesperson)
    page.wait_for_url("**/followups/today/")  # a salesperson's day starts on Today
    page.goto("/customers/")
    panel = page.locator(".calls-due-panel")
    expect(panel.get_by_text("Lara Quinn")).to_be_visible()
    expect(panel.get_by_text(REACH_OUT)).to_be_visible()
    screenshot("associate-home-reach-out")
    page.get_by_role("link", name="My year").click()  # from the goals panel (no room in the bar)
    expect(page.get_by_role("heading", name="My figures")).to_be_visible()
    expect(page.locator("tr[data-associate]")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    screenshot("associate-my-year")
