"""A salesperson logs a walk-in on the floor tablet (1024x768) and finds them again."""

import pytest
from playwright.sync_api import expect

from crm.models import Channel, Consent, Customer, Occasion

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_walk_in_who_bought_nothing_is_logged_and_found_again_by_search(
        page, log_in, screenshot, salesperson, store):
    log_in(salesperson)
    page.wait_for_url("**/followups/today/")  # Today has the walk-in button too
    page.get_by_role("link", name="New walk-in").click()
    page.fill("input[name=first_name]", "Olivia")
    page.fill("input[name=last_name]", "Hernandez")
    page.fill("input[name=phone]", "(217) 555-0142")
    assert page.locator(".crm-phone-echo").inner_text() == "(217) 555-0142"
    page.select_option("select[name=anniversary_month]", label="September")
    page.fill("input[name=anniversary_day]", "14")
    page.fill("input[name=looked_at]", "Sapphire halo ring")
    page.locator("summary", has_text="What they like").click()  # folded: the rarer ask
    page.get_by_label("Bridal").check()
    page.get_by_label("No", exact=True).check()
    page.fill("input[name=why_not]", "Bringing her partner on Saturday")
    page.locator("input[name=consent_sms]").check()
    page.locator("input[name=contact_preference][value=text]").check()
    screenshot("walk-in-form")
    page.get_by_role("button", name="Save").click()

    page.wait_for_url("**/customers/*/")
    assert page.locator("h1").inner_text().startswith("Olivia Hernandez")
    expect(page.get_by_text("did not buy (Bringing her partner on Saturday)")).to_be_visible()
    screenshot("walk-in-customer-page")
    olivia = Customer.objects.get()
    assert olivia.assigned_to == salesperson and olivia.is_prospect
    assert Occasion.objects.get(customer=olivia).month == 9
    text = Consent.objects.get(customer=olivia)
    assert (text.channel, text.address) == (Channel.SMS, "+12175550142")
    assert olivia.contact_preference == "text"
    expect(page.locator(".crm-consent-address").first).to_contain_text("(217) 555-0142")

    page.fill("nav input[name=q]", "hernand")
    page.locator("nav").get_by_role("button", name="Find").click()
    page.wait_for_url("**/search/?q=hernand")
    result = page.locator(".crm-results a").first
    assert "Olivia Hernandez" in result.inner_text()
    assert result.bounding_box()["height"] >= 44
    screenshot("walk-in-search")
    page.fill("main input[name=q]", "0142")
    page.wait_for_url("**/search/?q=0142")
    expect(page.locator("#search-results")).to_contain_text("Olivia Hernandez")
    page.locator(".crm-results a").first.click()
    page.wait_for_url(f"**/customers/{olivia.pk}/")


def test_a_text_yes_without_a_phone_is_refused_beside_the_box_and_keeps_the_typing(
        page, log_in, screenshot, salesperson):
    log_in(salesperson)
    page.goto("/customers/walk-in/")
    page.fill("input[name=first_name]", "Noah")
    page.fill("input[name=email]", "noah@mail.example")
    page.locator("input[name=consent_sms]").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("To text reminders we need their mobile number above.")).to_be_visible()
    assert page.input_value("input[name=email]") == "noah@mail.example"
    screenshot("walk-in-refused")
    assert not Customer.objects.exists()


def test_a_returning_customer_shows_up_while_the_phone_is_typed_and_is_updated(
        page, log_in, screenshot, salesperson, store):
    from tests.factories import CustomerFactory

    known = CustomerFactory(store=store, first_name="Ava", last_name="Brown",
                            phone="+15550102345", email="ava@mail.example")
    log_in(salesperson)
    page.goto("/customers/walk-in/")
    page.fill("input[name=first_name]", "Ava")
    page.fill("input[name=phone]", "(555) 010-2345")
    this_is_them = page.get_by_role("button", name="Open that profile")
    expect(this_is_them).to_be_visible()
    screenshot("walk-in-duplicate")
    this_is_them.click()
    expect(page.locator("h1")).to_contain_text("Visit: Ava Brown")
    assert page.input_value("input[name=email]") == "ava@mail.example"
    page.fill("input[name=looked_at]", "Pearl strand")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/customers/{known.pk}/")
    assert Customer.objects.count() == 1
    assert known.walk_ins.count() == 1


def test_log_a_visit_shows_what_is_on_file_and_a_corrected_birthday_replaces_the_old_one(
        page, log_in, screenshot, salesperson, store):
    import datetime

    from tests.factories import ConsentFactory, CustomerFactory, OccasionFactory

    known = CustomerFactory(store=store, first_name="Grace", last_name="Hopper",
                            phone="+12175550226", email="grace@mail.example",
                            assigned_to=salesperson)
    OccasionFactory(customer=known, kind="birthday", month=12, day=10)
    ConsentFactory(customer=known, channel=Channel.EMAIL,
                   created_at=datetime.datetime(2026, 1, 5, 12, tzinfo=datetime.UTC))
    log_in(salesperson)
    page.wait_for_url("**/followups/today/")
    page.goto(f"/customers/{known.pk}/")
    page.get_by_role("link", name="Log a visit").click()
    on_file = page.locator(".crm-on-file")
    expect(on_file).to_contain_text("(217) 555-0226")
    expect(on_file).to_contain_text("Birthday Dec 10")
    expect(on_file).to_contain_text("Email grace@mail.example · occasion reminders")
    assert page.input_value("input[name=phone]") == "(217) 555-0226"
    assert page.input_value("input[name=birthday_day]") == "10"
    page.fill("input[name=birthday_day]", "11")
    screenshot("walk-in-known-customer")
    page.get_by_role("button", name="Save").click()

    page.wait_for_url(f"**/customers/{known.pk}/")
    expect(page.locator(".crm-occasions li")).to_have_count(1)
    expect(page.locator(".crm-occasions")).to_contain_text("Dec 11")
    assert Occasion.objects.get(customer=known).day == 11
    page.locator(".crm-occasions").get_by_role("link", name="Change").click()
    page.fill("input[name=day]", "31")
    page.select_option("select[name=month]", label="February")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_day")).to_have_value("31")
    expect(page.get_by_text("February has no day 31.")).to_be_visible()
    screenshot("occasion-edit-refused")
    assert Occasion.objects.get(customer=known).day == 11
