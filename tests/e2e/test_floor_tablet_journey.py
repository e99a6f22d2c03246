"""The shared floor tablet at 1024x768: a manager marks it, an associate takes over by PIN,
starts a walk-in, the screen locks when left alone, she unlocks and finds her form; a
colleague who switches in sees nothing of her customer."""

import pytest
from playwright.sync_api import expect

from staff import floor
from staff.roles import Role
from staff.services import staff_pin_set
from tests.factories import StaffMemberFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def tom(store):
    member = StaffMemberFactory(store=store, role=Role.SALESPERSON, display_name="Tom Trade",
                                user__username="tom")
    staff_pin_set(member=member, pin="2468", by=member)
    return member


def _take_over(page, name, pin):
    page.get_by_role("link", name=name).click()
    page.fill("input[name=pin]", pin)
    page.get_by_role("button", name="Unlock").click()


def test_a_walk_in_survives_a_lock_for_her_and_is_gone_for_a_colleague(
        page, log_in, screenshot, manager, salesperson, tom, store):
    staff_pin_set(member=salesperson, pin="1357", by=salesperson)
    floor.clear_failures(member=salesperson)
    page.clock.install()

    # The manager marks this browser as the floor tablet, then logs out.
    log_in(manager)
    page.goto("/staff/floor-devices/")
    page.fill("input[name=name]", "Front counter")
    page.get_by_role("button", name="Mark as floor tablet").click()
    expect(page.get_by_text("This browser is the floor tablet")).to_be_visible()
    screenshot("floor-device-marked")
    assert store.floor_devices.get().name == "Front counter"
    page.get_by_role("button", name="Log out").click()

    # Sally takes over with her PIN and starts a walk-in.
    page.get_by_role("link", name="Use my PIN").click()
    screenshot("floor-switch-screen")
    _take_over(page, "Sally Sales", "1357")
    page.wait_for_url("**/followups/today/")
    page.goto("/customers/walk-in/")
    page.fill("input[name=first_name]", "Olivia")
    page.fill("input[name=last_name]", "Hernandez")
    page.fill("input[name=phone]", "(217) 555-0142")
    page.fill("input[name=looked_at]", "Sapphire halo ring")
    screenshot("floor-walk-in-started")
    lock = page.get_by_role("button", name="Lock")
    assert lock.bounding_box()["height"] >= 44
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024

    # Left alone past the store's idle time (3 minutes), the tablet locks.
    page.clock.fast_forward("03:05")
    page.wait_for_url("**/staff/floor/?next=*")
    screenshot("floor-locked")
    content = page.content()
    assert "Olivia" not in content and "Hernandez" not in content
    expect(page.get_by_role("heading", name="Locked")).to_be_visible()
    expect(page.locator("nav a[href='/customers/all/']")).to_have_count(0)

    # Sally unlocks and finds her form as she left it.
    _take_over(page, "Sally Sales", "1357")
    page.wait_for_url("**/customers/walk-in/")
    expect(page.locator("input[name=first_name]")).to_have_value("Olivia")
    expect(page.locator("input[name=last_name]")).to_have_value("Hernandez")
    expect(page.locator("input[name=looked_at]")).to_have_value("Sapphire halo ring")
    screenshot("floor-walk-in-restored")

    # She locks on purpose; Tom switches in and sees nothing of her customer.
    page.get_by_role("button", name="Lock").click()
    page.wait_for_url("**/staff/floor/?next=*")
    _take_over(page, "Tom Trade", "2468")
    page.wait_for_url("**/followups/today/")
    assert "Hernandez" not in page.content()
    page.goto("/customers/walk-in/")
    expect(page.locator("input[name=first_name]")).to_have_value("")
    expect(page.locator("input[name=last_name]")).to_have_value("")
    drafts = page.evaluate(
        "Object.keys(sessionStorage).filter((k) => k.startsWith('loupe.floor.draft:'))"
        ".map((k) => sessionStorage.getItem(k)).join(' ')")
    assert "Hernandez" not in drafts
    page.go_back()
    assert "Hernandez" not in page.content()
    screenshot("floor-colleague-sees-nothing")
