"""Issue 17, in Chromium: every page each role can open fits the floor tablet held either way
(1024x768 landscape, 768x1024 portrait) without sideways scrolling, has 44 px touch targets,
and passes axe-core's WCAG 2.1 A and AA rules.

The pages are those the URL permission table (tests/core/test_url_permissions.py) answers 200
for the role, so a page added there is checked here too. One browser, one login per role; each
page is opened once and looked at both ways.
"""

import datetime
import json
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from appointments.selectors import manage_token
from crm.models import Channel, Purpose
from events.services import rsvp_token
from followups.compose import unsubscribe_token
from tests.core.test_url_permissions import EXPECTED, ROLES, _reverse
from tests.factories import (
    PASSWORD,
    AppointmentFactory,
    ConsentFactory,
    CustomerFactory,
    DrawingFactory,
    EnvelopeFactory,
    ImportFactory,
    InvitationFactory,
    MessageFactory,
    MessageTemplateFactory,
    OccasionFactory,
    StaffMemberFactory,
    TaskFactory,
    WishItemFactory,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
LANDSCAPE = {"width": 1024, "height": 768}
PORTRAIT = {"width": 768, "height": 1024}
WCAG_21_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# GET answers 200 but is not a page a person reads: files, feeds and htmx fragments (their
# content is checked inside the page that loads them).
NOT_PAGES = {
    "healthz",  # JSON for the load balancer
    "crm:photo",  # an image
    "repairs:envelope-photo",  # an image
    "crm:duplicates",  # the walk-in form's "already a customer?" fragment
    "repairs:customer-lookup",  # the take-in's customer search results fragment
    "events:campaign-audience",  # the campaign form's "who will be invited" fragment
    "events:campaign-progress",  # the campaign page's progress bar, polled
}

# What a tap must be able to hit: buttons, the navigation's links, pages, tick boxes, radios.
TOUCH_TARGETS = """() => {
  const small = [];
  const selector = 'button, .btn, .nav-link, .navbar-brand, .page-link, .navbar-toggler, '
    + 'input[type=checkbox], input[type=radio], input[type=submit]';
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(el).visibility === 'hidden') continue;
    if (box.width < 43.5 || box.height < 43.5) {
      const text = (el.innerText || el.value || el.name || el.id || '').trim().slice(0, 30);
      small.push(`${el.tagName.toLowerCase()}.${el.className} "${text}" `
        + `${Math.round(box.width)}x${Math.round(box.height)}`);
    }
  }
  return small;
}"""

SIDEWAYS = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"

# A table wider than the tablet must scroll inside its own box (Bootstrap's .table-responsive),
# never push the page sideways: every table sits in a box that scrolls sideways.
UNBOXED_TABLES = """() => [...document.querySelectorAll('table')].filter(table => {
  for (let box = table.parentElement; box && box !== document.body; box = box.parentElement) {
    if (['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) return false;
  }
  return true;
}).map(table => table.id || table.className)"""

AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                           resultTypes: ['violations']});
  return results.violations.map(v => ({
    rule: v.id, impact: v.impact,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)
  }));
}"""


@pytest.fixture
def store_with_a_day(store, salesperson, service_clerk, manager, settings, tmp_path):
    """A store on a working day: clients with occasions, consents, tasks due, a repair on the
    bench, a message sent, an event with its campaign, a visit booked, the month's drawing and
    an import waiting. Returns a sample for every URL argument (as the permission table's
    `url_samples`, objects in `store`)."""
    settings.MEDIA_ROOT = tmp_path
    nora = CustomerFactory(store=store, assigned_to=salesperson, first_name="Nora",
                           last_name="Lee", phone="+12175550188", notes="Likes rose gold")
    for channel in (Channel.EMAIL, Channel.SMS):
        ConsentFactory(customer=nora, channel=channel, purpose=Purpose.OCCASION_REMINDERS)
    ConsentFactory(customer=nora, purpose=Purpose.REPAIR_NOTICES)
    occasion = OccasionFactory(customer=nora, kind="anniversary", month=12, day=10)
    call = TaskFactory(customer=nora, occasion=occasion, due_on=store.today(),
                       occurs_on=store.today() + datetime.timedelta(days=14))
    task = TaskFactory(customer=nora, assignee=salesperson, kind="text", occasion=None,
                       occurs_on=None, note="Ask whether the band fits")
    WishItemFactory(customer=nora)
    for _ in range(3):
        CustomerFactory(store=store, assigned_to=salesperson)
    MessageFactory(customer=nora)
    envelope = EnvelopeFactory(customer=nora, taken_in_by=service_clerk)
    invitation = InvitationFactory(customer=nora)
    appointment = AppointmentFactory(customer=nora, associate=salesperson)
    return {
        "task_id": task.pk,
        "appointment_id": appointment.pk,
        "link": manage_token(appointment),
        "customer_id": nora.pk,
        "occasion_id": call.occasion_id,
        "envelope_id": envelope.pk,
        "store_id": store.pk,
        "preference_id": store.preferences.first().pk,
        "staff_member_id": StaffMemberFactory(store=store, display_name="Sue Colleague").pk,
        "calltask_id": call.pk,
        "template_id": MessageTemplateFactory(store=store).pk,
        "token": unsubscribe_token(nora.pk, address=nora.email),
        "event_id": invitation.event_id,
        "campaign_id": invitation.campaign_id,
        "invitation_id": invitation.pk,
        "invitation_token": rsvp_token(invitation),
        "figure": "walk_ins",
        "drawing_id": DrawingFactory(store=store).pk,
        "import_id": ImportFactory(store=store).pk,
        "photo_id": 1,  # photos are files, not pages (NOT_PAGES)
    }


def pages_of(role: str, samples: dict) -> list[str]:
    column = ROLES.index(role)
    return [_reverse(name, samples) for name, statuses in sorted(EXPECTED.items())
            if statuses[column] == 200 and name not in NOT_PAGES]


def _log_in(page, member):
    page.goto("/login/")
    page.fill("input[name=username]", member.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)


def _look_at(page, url: str) -> list[str]:
    """Open one page, check it both ways; what is wrong with it, one line per problem."""
    page.set_viewport_size(LANDSCAPE)
    response = page.goto(url)
    if response is None or response.status != 200:
        return [f"{url}: answered {response and response.status}"]
    problems = []
    if overflow := page.evaluate(SIDEWAYS):
        problems.append(f"{url} at 1024x768: scrolls sideways by {overflow}px")
    problems += [f"{url}: touch target under 44px: {t}" for t in page.evaluate(TOUCH_TARGETS)]
    problems += [f"{url}: table not in a .table-responsive box: {t}"
                 for t in page.evaluate(UNBOXED_TABLES)]
    for violation in page.evaluate(AXE_RUN, WCAG_21_A_AA):
        problems.append(f"{url}: axe {violation['rule']} ({violation['impact']}): "
                        + json.dumps(violation["nodes"]))
    page.set_viewport_size(PORTRAIT)
    if overflow := page.evaluate(SIDEWAYS):
        problems.append(f"{url} at 768x1024: scrolls sideways by {overflow}px")
    return problems


def test_every_page_of_each_role_fits_the_tablet_both_ways_and_passes_axe(
        request, browser, live_server, store_with_a_day):
    """One browser; each role logs in once and opens each of its pages once."""
    problems, seen = [], {}
    for role, member in [("salesperson", "salesperson"), ("service", "service_clerk"),
                         ("manager", "manager"), ("anonymous", None)]:
        context = browser.new_context(viewport=LANDSCAPE, base_url=live_server.url)
        context.set_default_timeout(10_000)
        # An init script is the browser's own, not the page's: the strict CSP stays as it is.
        context.add_init_script(path=str(AXE))
        page = context.new_page()
        try:
            if member:
                _log_in(page, request.getfixturevalue(member))
            seen[role] = pages_of(role, store_with_a_day)
            problems += [f"{role} {problem}" for url in seen[role]
                         for problem in _look_at(page, url)]
        finally:
            context.close()
    # The table grows; it never shrinks to a handful of pages unnoticed.
    counts = {role: len(urls) for role, urls in seen.items()}
    assert counts["salesperson"] > 30 and counts["service"] > 15, counts
    assert counts["manager"] > 60 and counts["anonymous"] > 5, counts
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def test_portrait_folds_the_navigation_and_log_out_is_a_tap_away(page, log_in, screenshot,
                                                                 manager, store_with_a_day):
    log_in(manager)
    page.wait_for_url(lambda url: "/login/" not in url)
    page.set_viewport_size(PORTRAIT)
    page.goto(reverse("crm:consent", kwargs={"customer_id": store_with_a_day["customer_id"]}))
    tick = page.locator("input[type=checkbox], input[type=radio]").first  # 44px to a finger
    assert tick.bounding_box()["height"] >= 44 and tick.bounding_box()["width"] >= 44
    screenshot("layout-portrait-consent")
    page.set_viewport_size(LANDSCAPE)
    page.goto(reverse("crm:customers"))
    screenshot("layout-landscape-customers")
    log_out = page.locator("nav").get_by_role("button", name="Log out")
    expect(log_out).to_be_visible()

    page.set_viewport_size(PORTRAIT)
    toggler = page.locator("nav").get_by_role("button", name="Menu")
    expect(toggler).to_be_visible()
    assert not log_out.is_visible()  # folded away with the links
    screenshot("layout-portrait-folded")
    toggler.click()
    page.locator("#nav.show").wait_for()  # unfolded, its animation over
    expect(page.locator("nav").get_by_role("link", name="Staff")).to_be_visible()
    screenshot("layout-portrait-menu-open")
    log_out.click()
    page.wait_for_url("**/login/**")


def test_a_wide_table_scrolls_in_its_own_box_in_portrait(page, log_in, screenshot, manager,
                                                         store_with_a_day, store):
    """A reminder to a long address makes the message log wider than a portrait tablet: the
    table scrolls inside its box and the page itself does not."""
    long = CustomerFactory(store=store, first_name="Bartholomew",
                           email=("bartholomew.alexander.vanderstraaten.featherstonehaugh"
                                  ".anniversaryreminders@mail.example"))
    MessageFactory(customer=long)
    log_in(manager)
    page.wait_for_url(lambda url: "/login/" not in url)
    page.set_viewport_size(PORTRAIT)
    page.goto(reverse("followups:message-log"))
    box = page.locator(".table-responsive").filter(has_text="featherstonehaugh")
    assert box.evaluate("b => b.scrollWidth - b.clientWidth") > 0
    assert page.evaluate(SIDEWAYS) == 0
    screenshot("layout-portrait-wide-table")
