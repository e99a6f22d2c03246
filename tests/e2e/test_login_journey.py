import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_salesperson_logs_in_on_the_tablet_and_sees_their_home(page, log_in, screenshot,
                                                               salesperson):
    log_in(salesperson)
    page.wait_for_url("**/followups/today/")  # a salesperson's day starts on Today
    assert page.locator("h1").inner_text().startswith("Today")
    page.get_by_role("link", name="My clients").click()
    page.wait_for_url("**/customers/")
    assert page.locator("h1").inner_text() == "My clients 0"  # heading and the size of the book
    expect(page.locator("nav").get_by_text("Sally Sales")).to_be_visible()
    assert screenshot("login-home").stat().st_size > 0


def test_wrong_password_shows_a_message_and_keeps_the_username(page, salesperson):
    page.goto("/login/")
    page.fill("input[name=username]", "sally")
    page.fill("input[name=password]", "wrong")
    page.click("button[type=submit]")
    expect(page.get_by_text("correct username and password")).to_be_visible()
    assert page.input_value("input[name=username]") == "sally"
