"""A manager hands a departed associate's clients on, and the new associate sees them."""

import pytest
from playwright.sync_api import expect

from crm.models import AssignmentReason, Customer
from crm.services import client_assign
from tests.factories import CustomerFactory, StaffMemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dana_with_clients(store):
    pearls = store.preferences.get(name="Pearls")
    dana = StaffMemberFactory(store=store, display_name="Dana Price", user__username="dana")
    dana.strengths.add(pearls)
    for n, (first, last) in enumerate([("Olivia", "Reed"), ("Henry", "Stone"),
                                       ("Ruth", "Marsh")]):
        customer = CustomerFactory(store=store, first_name=first, last_name=last,
                                   lifetime_value=1500 * (n + 1))
        customer.preferences.add(pearls)
        client_assign(customer=customer, associate=dana, reason=AssignmentReason.WALK_IN)
    return dana


def test_manager_hands_a_departed_associates_clients_to_the_pearl_specialist(
        page, log_in, screenshot, manager, salesperson, dana_with_clients):
    salesperson.strengths.add(manager.store.preferences.get(name="Pearls"))
    for customer in CustomerFactory.create_batch(4, store=manager.store):  # Maria's own book
        client_assign(customer=customer, associate=manager, reason=AssignmentReason.WALK_IN)
    log_in(manager)
    page.wait_for_url("**/dashboard/")
    page.get_by_role("link", name="Staff", exact=True).click()
    page.wait_for_url("**/staff/")
    screenshot("staff-home")
    page.get_by_role("row", name="Dana Price").get_by_role("link", name="Mark departed").click()
    screenshot("staff-depart")
    page.get_by_role("button", name="Mark departed").click()
    page.wait_for_url("**/staff/")
    expect(page.get_by_text("Dana Price has left")).to_be_visible()

    page.get_by_role("link", name="Orphaned clients").click()
    expect(page.locator("tbody tr")).to_have_count(3)
    screenshot("orphans-list")

    page.get_by_role("link", name="Print list").click()
    expect(page.get_by_role("heading", name="Orphaned clients to review")).to_be_visible()
    screenshot("orphans-print-screen")
    page.emulate_media(media="print")
    assert not page.locator("nav").first.is_visible()
    screenshot("orphans-print")
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Back to the list").click()
    page.get_by_role("link", name="Suggest associates").click()
    selects = page.locator("tbody select")
    assert selects.count() == 3
    for n in range(3):
        assert selects.nth(n).locator("option:checked").inner_text().startswith("Sally Sales")
    screenshot("orphans-suggestions")
    page.get_by_role("button", name="Accept ticked suggestions").click()
    expect(page.get_by_text("3 suggestions accepted")).to_be_visible()
    assert Customer.objects.filter(assigned_to=salesperson).count() == 3

    page.get_by_role("button", name="Log out").click()
    log_in(salesperson)
    page.wait_for_url("**/followups/today/")
    page.get_by_role("link", name="My clients").click()
    page.wait_for_url("**/customers/")
    for name in ("Olivia Reed", "Henry Stone", "Ruth Marsh"):
        expect(page.get_by_text(name).first).to_be_visible()
    screenshot("orphans-new-associate-clients")


def test_manager_accepts_every_suggestion_at_once_after_seeing_who_gets_what(
        page, log_in, screenshot, manager, salesperson, dana_with_clients):
    from staff.services import staff_member_depart

    salesperson.strengths.add(manager.store.preferences.get(name="Pearls"))
    gems = manager.store.preferences.get(name="Colored gems")
    opal = CustomerFactory(store=manager.store, first_name="Opal", last_name="Finch",
                           lifetime_value=900)
    opal.preferences.add(gems)
    client_assign(customer=opal, associate=dana_with_clients, reason=AssignmentReason.WALK_IN)
    staff_member_depart(member=dana_with_clients, departed_on=manager.store.today(),
                        by=manager)
    log_in(manager)
    page.wait_for_url("**/dashboard/")
    page.get_by_role("link", name="Staff", exact=True).click()
    page.wait_for_url("**/staff/")
    page.goto("/staff/orphans/suggestions/")
    expect(page.get_by_text("Nobody on the team is strong in:")).to_be_visible()
    expect(page.get_by_text("Nobody is strong in Colored gems")).to_be_visible()
    expect(page.get_by_text("Strong in Pearls").first).to_be_visible()
    screenshot("orphans-suggestions-why")

    page.get_by_role("link", name="Accept all 4 suggestions").click()
    expect(page.get_by_role("row", name="Sally Sales")).to_be_visible()
    screenshot("orphans-accept-all")
    page.get_by_role("button", name="Yes, hand on all 4 clients").click()
    expect(page.get_by_text("4 suggestions accepted")).to_be_visible()
    assert not Customer.objects.orphaned().exists()
    assert Customer.objects.filter(assigned_to=salesperson).count() == 4


def test_manager_adds_an_associate_after_a_weak_password_is_refused(page, log_in, screenshot,
                                                                    manager):
    log_in(manager)
    page.wait_for_url("**/dashboard/")
    page.get_by_role("link", name="Staff", exact=True).click()
    page.wait_for_url("**/staff/")
    page.get_by_role("link", name="Add staff member").click()
    page.locator("#id_display_name").fill("Nina Novak")
    page.locator("#id_username").fill("nina")
    page.get_by_label("Pearls").check()
    page.locator("#id_password1").fill("nina12")
    page.locator("#id_password2").fill("nina12")
    page.get_by_role("button", name="Add and create the login").click()
    expect(page.get_by_text("This password is too short")).to_be_visible()
    assert page.locator("#id_display_name").input_value() == "Nina Novak"
    screenshot("staff-add-refused")
    page.locator("#id_password1").fill("sapphire-halo-ring-42")
    page.locator("#id_password2").fill("sapphire-halo-ring-42")
    page.get_by_role("button", name="Add and create the login").click()
    page.wait_for_url("**/staff/")
    expect(page.get_by_text("Nina Novak can now log in as nina")).to_be_visible()


def test_manager_reassigns_one_client_from_the_customer_page(page, log_in, screenshot, manager,
                                                              salesperson, dana_with_clients):
    customer = Customer.objects.get(first_name="Olivia")
    log_in(manager)
    page.wait_for_url("**/dashboard/")
    page.get_by_role("link", name="Staff", exact=True).click()
    page.wait_for_url("**/staff/")
    page.goto(f"/customers/{customer.pk}/")
    page.locator("#assignments").get_by_role("link", name="Reassign").click()
    page.get_by_label("Associate").select_option(str(salesperson.pk))
    screenshot("client-reassign")
    page.get_by_role("button", name="Reassign").click()
    page.wait_for_url(f"**/customers/{customer.pk}/")
    panel = page.locator("#assignments")
    expect(panel.get_by_text("Sally Sales")).to_be_visible()
    expect(panel.get_by_text("Dana Price")).to_be_visible()
    screenshot("customer-assignments-panel")
