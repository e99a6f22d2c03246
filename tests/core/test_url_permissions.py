"""Every URL pattern, every role, one table.

A view added without a permission check, or missing from this table, fails here. Each later
piece of work adds its URLs to EXPECTED (GET, and the same for an htmx GET) and POST_EXPECTED
(an empty POST) and, for a new URL argument, a sample to `url_samples`. Both tables are
checked against the URL resolver: a URL missing from either fails.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from appointments.selectors import manage_token
from events.services import rsvp_token
from followups.compose import unsubscribe_token
from tests.factories import (
    AppointmentFactory,
    CallTaskFactory,
    CustomerFactory,
    DrawingFactory,
    EnvelopeFactory,
    FloorDeviceFactory,
    ImportFactory,
    InvitationFactory,
    MessageTemplateFactory,
    StaffMemberFactory,
    TaskFactory,
)

LOGIN = "login"  # anonymous: redirected to the login page
ROLES = ("anonymous", "salesperson", "service", "manager", "other_manager", "no_profile")

# url name: expected GET status for (anonymous, salesperson, service, manager, other_manager,
# no_profile). other_manager manages another store: this store's objects are 404 to them.
# no_profile is a `createsuperuser` login on no store's staff: every staff page answers 403
# with a page that says so (and a logout); the home page sends them to the admin.
EXPECTED = {
    "login": (200, 302, 302, 302, 302, 302),
    "logout": (405, 405, 405, 405, 405, 405),
    "healthz": (200, 200, 200, 200, 200, 200),
    "home": (LOGIN, 302, 302, 302, 302, 302),
    "crm:home": (LOGIN, 200, 403, 200, 200, 403),
    "crm:customers": (LOGIN, 200, 403, 200, 200, 403),
    "crm:here": (LOGIN, 200, 403, 200, 200, 403),
    "crm:follow-up": (LOGIN, 200, 403, 200, 200, 403),
    "crm:potential": (LOGIN, 200, 403, 200, 200, 403),
    "crm:search": (LOGIN, 200, 200, 200, 200, 403),
    "crm:walk-in": (LOGIN, 200, 403, 200, 200, 403),
    "crm:duplicates": (LOGIN, 200, 403, 200, 200, 403),
    # Service staff are sent to their narrow view of the customer (crm:contact).
    "crm:customer": (LOGIN, 200, 302, 200, 404, 403),
    "crm:contact": (LOGIN, 200, 200, 200, 404, 403),
    "crm:contact-edit": (LOGIN, 200, 200, 200, 404, 403),
    "crm:edit": (LOGIN, 200, 403, 200, 404, 403),
    "crm:note": (LOGIN, 200, 403, 200, 404, 403),
    "crm:purchase": (LOGIN, 200, 403, 200, 404, 403),
    "crm:merge": (LOGIN, 403, 403, 200, 404, 403),
    "crm:history": (LOGIN, 403, 403, 200, 404, 403),
    "crm:privacy": (LOGIN, 403, 403, 200, 404, 403),
    "crm:data-export": (LOGIN, 403, 403, 405, 405, 403),
    "crm:erase": (LOGIN, 403, 403, 405, 405, 403),
    "crm:import": (LOGIN, 403, 403, 200, 200, 403),
    "crm:photo-add": (LOGIN, 200, 403, 200, 404, 403),
    "crm:photo": (LOGIN, 200, 403, 200, 404, 403),
    "repairs:envelope-photo-add": (LOGIN, 403, 200, 200, 404, 403),
    "repairs:envelope-photo": (LOGIN, 200, 200, 200, 404, 403),
    "crm:import-detail": (LOGIN, 403, 403, 200, 404, 403),
    "crm:import-start": (LOGIN, 403, 403, 405, 405, 403),
    "crm:import-resume": (LOGIN, 403, 403, 405, 405, 403),
    "crm:export": (LOGIN, 403, 403, 200, 200, 403),
    "crm:preferences": (LOGIN, 403, 403, 200, 200, 403),
    "crm:preference-edit": (LOGIN, 403, 403, 200, 404, 403),
    "crm:capture": (200, 200, 200, 200, 200, 200),
    "crm:capture-drawing": (200, 200, 200, 200, 200, 200),
    "crm:capture-thanks": (200, 200, 200, 200, 200, 200),
    "crm:capture-confirm": (400, 400, 400, 400, 400, 400),
    "repairs:home": (LOGIN, 200, 200, 200, 200, 403),
    "repairs:take-in": (LOGIN, 403, 200, 200, 200, 403),
    "repairs:customer-lookup": (LOGIN, 403, 200, 200, 200, 403),
    "repairs:envelope": (LOGIN, 200, 200, 200, 404, 403),
    "repairs:envelope-print": (LOGIN, 200, 200, 200, 404, 403),
    "repairs:envelope-status": (LOGIN, 403, 405, 405, 405, 403),
    "repairs:envelope-cancel": (LOGIN, 403, 200, 200, 404, 403),
    "repairs:capture-report": (LOGIN, 403, 403, 200, 200, 403),
    "staff:home": (LOGIN, 403, 403, 200, 200, 403),
    "staff:member-add": (LOGIN, 403, 403, 200, 200, 403),
    "staff:member-change": (LOGIN, 403, 403, 200, 404, 403),
    "staff:member-depart": (LOGIN, 403, 403, 200, 404, 403),
    "staff:store-policy": (LOGIN, 403, 403, 200, 200, 403),
    "staff:orphans": (LOGIN, 403, 403, 200, 200, 403),
    "staff:orphans-print": (LOGIN, 403, 403, 200, 200, 403),
    "staff:orphans-reassign": (LOGIN, 403, 403, 405, 405, 403),
    "staff:orphans-suggest": (LOGIN, 403, 403, 200, 200, 403),
    "staff:suggestions-accept": (LOGIN, 403, 403, 405, 405, 403),
    "staff:suggestions-accept-all": (LOGIN, 403, 403, 200, 200, 403),
    "staff:client-reassign": (LOGIN, 403, 403, 200, 404, 403),
    "staff:member-pin": (LOGIN, 403, 403, 200, 404, 403),
    "staff:member-unlock": (LOGIN, 403, 403, 405, 405, 403),
    "staff:own-pin": (LOGIN, 200, 200, 200, 200, 403),
    "staff:audit": (LOGIN, 403, 403, 200, 200, 403),
    "staff:floor-devices": (LOGIN, 403, 403, 200, 200, 403),
    "staff:floor-device-retire": (LOGIN, 403, 403, 405, 405, 403),
    "staff:floor-device-unlock": (LOGIN, 403, 403, 405, 405, 403),
    # The floor tablet's own screens exist only on a browser marked as one (these are not):
    # tests/staff/test_floor.py opens them on a tablet.
    "staff:floor": (404, 404, 404, 404, 404, 404),
    "staff:floor-pin": (404, 404, 404, 404, 404, 404),
    "staff:floor-lock": (405, 405, 405, 405, 405, 405),
    "staff:floor-alive": (405, 405, 405, 405, 405, 405),
    "followups:today": (LOGIN, 200, 403, 200, 200, 403),
    "followups:call-done": (LOGIN, 405, 403, 405, 405, 403),
    "followups:message-log": (LOGIN, 403, 403, 200, 200, 403),
    "followups:templates": (LOGIN, 403, 403, 200, 200, 403),
    "followups:template-edit": (LOGIN, 403, 403, 200, 404, 403),
    "followups:settings": (LOGIN, 403, 403, 200, 200, 403),
    "followups:aftercare": (LOGIN, 403, 403, 200, 200, 403),
    "followups:unsubscribe": (200, 200, 200, 200, 200, 200),
    "followups:twilio-inbound": (405, 405, 405, 405, 405, 405),
    "followups:twilio-status": (405, 405, 405, 405, 405, 405),
    "crm:occasion-edit": (LOGIN, 200, 403, 200, 404, 403),
    "crm:occasion-remove": (LOGIN, 200, 403, 200, 404, 403),
    "followups:call-voicemail": (LOGIN, 405, 403, 405, 405, 403),
    "crm:consent": (LOGIN, 200, 200, 200, 404, 403),
    "events:list": (LOGIN, 200, 403, 200, 200, 403),
    "events:event-add": (LOGIN, 403, 403, 200, 200, 403),
    "events:event": (LOGIN, 200, 403, 200, 404, 403),
    "events:event-edit": (LOGIN, 403, 403, 200, 404, 403),
    "events:event-cancel": (LOGIN, 403, 403, 200, 404, 403),
    "events:guest-list": (LOGIN, 200, 403, 200, 404, 403),
    "events:attended": (LOGIN, 405, 403, 405, 405, 403),
    "events:campaign-add": (LOGIN, 403, 403, 200, 404, 403),
    "events:campaign": (LOGIN, 403, 403, 200, 404, 403),
    "events:campaign-edit": (LOGIN, 403, 403, 200, 404, 403),
    "events:campaign-audience": (LOGIN, 403, 403, 200, 404, 403),
    "events:campaign-progress": (LOGIN, 403, 403, 200, 404, 403),
    "events:campaign-start": (LOGIN, 403, 403, 405, 405, 403),
    "events:campaign-pause": (LOGIN, 403, 403, 405, 405, 403),
    "events:campaign-resume": (LOGIN, 403, 403, 405, 405, 403),
    "events:rsvp": (200, 200, 200, 200, 200, 200),
    "insights:dashboard": (LOGIN, 403, 403, 200, 200, 403),
    "insights:lapsed": (LOGIN, 403, 403, 200, 200, 403),
    # A salesperson sees the customers behind their own figures only.
    "insights:customers": (LOGIN, 200, 403, 200, 200, 403),
    "insights:reach-out": (LOGIN, 403, 403, 405, 405, 403),
    "insights:my-year": (LOGIN, 200, 403, 200, 200, 403),
    # The sample is a colleague of the salesperson: only a manager of the store sets their
    # goals.
    "insights:goal-edit": (LOGIN, 404, 403, 200, 404, 403),
    "followups:task-snooze": (LOGIN, 200, 403, 200, 404, 403),
    "followups:task-reassign": (LOGIN, 403, 403, 200, 404, 403),
    "followups:task-add": (LOGIN, 200, 403, 200, 404, 403),
    "followups:conversation": (LOGIN, 200, 403, 200, 404, 403),
    "appointments:calendar": (LOGIN, 200, 403, 200, 200, 403),
    "appointments:week": (LOGIN, 200, 403, 200, 200, 403),
    "appointments:book": (LOGIN, 200, 403, 200, 404, 403),
    "appointments:book-new-customer": (LOGIN, 200, 403, 200, 200, 403),
    "appointments:move": (LOGIN, 200, 403, 200, 404, 403),
    "appointments:appointment": (LOGIN, 200, 403, 200, 404, 403),
    "appointments:cancel": (LOGIN, 405, 403, 405, 405, 403),
    "appointments:record": (LOGIN, 200, 403, 200, 404, 403),
    "appointments:hours": (LOGIN, 403, 403, 200, 200, 403),
    "appointments:manage": (200, 200, 200, 200, 200, 200),
    "crm:voucher-show": (400, 400, 400, 400, 400, 400),
    "crm:drawing-rules": (200, 200, 200, 200, 200, 200),
    "crm:vouchers": (LOGIN, 200, 200, 200, 200, 403),
    "crm:voucher-redeem": (LOGIN, 405, 405, 405, 405, 403),
    "crm:voucher-program": (LOGIN, 403, 403, 200, 200, 403),
    "crm:voucher-program-end": (LOGIN, 403, 403, 405, 405, 403),
    "crm:drawings": (LOGIN, 403, 403, 200, 200, 403),
    "crm:drawing": (LOGIN, 403, 403, 200, 404, 403),
    "crm:drawing-close": (LOGIN, 403, 403, 405, 405, 403),
    "crm:drawing-draw": (LOGIN, 403, 403, 405, 405, 403),
    "crm:drawing-entrants": (LOGIN, 403, 403, 200, 404, 403),
    "crm:promotion-results": (LOGIN, 403, 403, 200, 200, 403),
}

# url name: expected status of an empty POST for each role, as in EXPECTED. The roles post in
# this order to one set of objects, so a POST that acts changes what the next role finds (the
# salesperson removes the sample occasion, and the manager then gets 404). Whatever the
# status, a POST that is refused (403, 404, 405, or the login page for the anonymous) changes
# nothing in the database.
POST_EXPECTED = {
    "staff:audit": (LOGIN, 403, 403, 200, 200, 403),
    "staff:floor-devices": (LOGIN, 403, 403, 200, 200, 403),
    "staff:floor-device-retire": (LOGIN, 403, 403, 302, 404, 403),
    "staff:floor-device-unlock": (LOGIN, 403, 403, 302, 404, 403),
    "staff:member-pin": (LOGIN, 403, 403, 200, 404, 403),
    "staff:member-unlock": (LOGIN, 403, 403, 302, 404, 403),
    "staff:own-pin": (LOGIN, 200, 200, 200, 200, 403),
    "staff:floor": (404, 404, 404, 404, 404, 404),
    "staff:floor-pin": (404, 404, 404, 404, 404, 404),
    "staff:floor-lock": (404, 404, 404, 404, 404, 404),
    "staff:floor-alive": (404, 404, 404, 404, 404, 404),
    "login": (200, 302, 302, 302, 302, 302),
    "logout": (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    "healthz": (200, 200, 200, 200, 200, 200),
    "home": (LOGIN, 302, 302, 302, 302, 302),
    "crm:home": (LOGIN, 200, 403, 200, 200, 403),
    "crm:customers": (LOGIN, 200, 403, 200, 200, 403),
    "crm:here": (LOGIN, 200, 403, 200, 200, 403),
    "crm:follow-up": (LOGIN, 200, 403, 200, 200, 403),
    "crm:potential": (LOGIN, 200, 403, 200, 200, 403),
    "crm:search": (LOGIN, 405, 405, 405, 405, 403),
    "crm:walk-in": (LOGIN, 200, 403, 200, 200, 403),
    "crm:duplicates": (LOGIN, 405, 403, 405, 405, 403),
    "crm:customer": (LOGIN, 200, 302, 200, 404, 403),
    "crm:contact": (LOGIN, 200, 200, 200, 404, 403),
    "crm:contact-edit": (LOGIN, 200, 200, 200, 404, 403),
    "crm:edit": (LOGIN, 200, 403, 200, 404, 403),
    "crm:note": (LOGIN, 200, 403, 200, 404, 403),
    "crm:purchase": (LOGIN, 200, 403, 200, 404, 403),
    "crm:merge": (LOGIN, 403, 403, 200, 404, 403),
    "crm:history": (LOGIN, 403, 403, 200, 404, 403),
    "crm:privacy": (LOGIN, 403, 403, 200, 404, 403),
    "crm:data-export": (LOGIN, 403, 403, 400, 404, 403),
    "crm:erase": (LOGIN, 403, 403, 400, 404, 403),
    "crm:import": (LOGIN, 403, 403, 200, 200, 403),
    "crm:photo-add": (LOGIN, 200, 403, 200, 404, 403),
    "crm:photo": (LOGIN, 200, 403, 200, 404, 403),
    "repairs:envelope-photo-add": (LOGIN, 403, 200, 200, 404, 403),
    "repairs:envelope-photo": (LOGIN, 200, 200, 200, 404, 403),
    "crm:import-detail": (LOGIN, 403, 403, 200, 404, 403),
    "crm:import-start": (LOGIN, 403, 403, 302, 404, 403),
    "crm:import-resume": (LOGIN, 403, 403, 302, 404, 403),
    "crm:export": (LOGIN, 403, 403, 200, 200, 403),
    "crm:preferences": (LOGIN, 403, 403, 200, 200, 403),
    "crm:preference-edit": (LOGIN, 403, 403, 200, 404, 403),
    "crm:capture": (200, 200, 200, 200, 200, 200),
    "crm:capture-drawing": (200, 200, 200, 200, 200, 200),
    "crm:capture-thanks": (200, 200, 200, 200, 200, 200),
    "crm:capture-confirm": (400, 400, 400, 400, 400, 400),
    "repairs:home": (LOGIN, 200, 200, 200, 200, 403),
    "repairs:take-in": (LOGIN, 403, 200, 200, 200, 403),
    "repairs:customer-lookup": (LOGIN, 403, 200, 200, 200, 403),
    "repairs:envelope": (LOGIN, 200, 200, 200, 404, 403),
    "repairs:envelope-print": (LOGIN, 200, 200, 200, 404, 403),
    "repairs:envelope-status": (LOGIN, 403, 200, 200, 404, 403),
    "repairs:envelope-cancel": (LOGIN, 403, 200, 200, 404, 403),
    "repairs:capture-report": (LOGIN, 403, 403, 200, 200, 403),
    "staff:home": (LOGIN, 403, 403, 200, 200, 403),
    "staff:member-add": (LOGIN, 403, 403, 200, 200, 403),
    "staff:member-change": (LOGIN, 403, 403, 200, 404, 403),
    "staff:member-depart": (LOGIN, 403, 403, 200, 404, 403),
    "staff:store-policy": (LOGIN, 403, 403, 302, 302, 403),
    "staff:orphans": (LOGIN, 403, 403, 200, 200, 403),
    "staff:orphans-print": (LOGIN, 403, 403, 200, 200, 403),
    "staff:orphans-reassign": (LOGIN, 403, 403, 200, 200, 403),
    "staff:orphans-suggest": (LOGIN, 403, 403, 200, 200, 403),
    "staff:suggestions-accept": (LOGIN, 403, 403, 200, 200, 403),
    "staff:suggestions-accept-all": (LOGIN, 403, 403, 200, 200, 403),
    "staff:client-reassign": (LOGIN, 403, 403, 200, 404, 403),
    "followups:today": (LOGIN, 200, 403, 200, 200, 403),
    "followups:call-done": (LOGIN, 404, 403, 302, 404, 403),
    "followups:message-log": (LOGIN, 403, 403, 200, 200, 403),
    "followups:templates": (LOGIN, 403, 403, 200, 200, 403),
    "followups:template-edit": (LOGIN, 403, 403, 200, 404, 403),
    "followups:settings": (LOGIN, 403, 403, 200, 200, 403),
    "followups:aftercare": (LOGIN, 403, 403, 200, 200, 403),
    "followups:unsubscribe": (200, 200, 200, 200, 200, 200),
    "followups:twilio-inbound": (403, 403, 403, 403, 403, 403),
    "followups:twilio-status": (403, 403, 403, 403, 403, 403),
    "crm:occasion-edit": (LOGIN, 200, 403, 200, 404, 403),
    "crm:occasion-remove": (LOGIN, 302, 403, 404, 404, 403),
    "followups:call-voicemail": (LOGIN, 404, 403, 302, 404, 403),
    "crm:consent": (LOGIN, 200, 200, 200, 404, 403),
    "events:list": (LOGIN, 200, 403, 200, 200, 403),
    "events:event-add": (LOGIN, 403, 403, 200, 200, 403),
    "events:event": (LOGIN, 200, 403, 200, 404, 403),
    "events:event-edit": (LOGIN, 403, 403, 200, 404, 403),
    "events:event-cancel": (LOGIN, 403, 403, 302, 404, 403),
    "events:guest-list": (LOGIN, 200, 403, 200, 404, 403),
    "events:attended": (LOGIN, 302, 403, 302, 404, 403),
    "events:campaign-add": (LOGIN, 403, 403, 200, 404, 403),
    "events:campaign": (LOGIN, 403, 403, 200, 404, 403),
    "events:campaign-edit": (LOGIN, 403, 403, 200, 404, 403),
    "events:campaign-audience": (LOGIN, 403, 403, 200, 404, 403),
    "events:campaign-progress": (LOGIN, 403, 403, 200, 404, 403),
    "events:campaign-start": (LOGIN, 403, 403, 200, 404, 403),
    "events:campaign-pause": (LOGIN, 403, 403, 302, 404, 403),
    "events:campaign-resume": (LOGIN, 403, 403, 302, 404, 403),
    "events:rsvp": (400, 400, 400, 400, 400, 400),
    "insights:dashboard": (LOGIN, 403, 403, 200, 200, 403),
    "insights:lapsed": (LOGIN, 403, 403, 200, 200, 403),
    "insights:customers": (LOGIN, 200, 403, 200, 200, 403),
    "insights:reach-out": (LOGIN, 403, 403, 302, 404, 403),
    "insights:my-year": (LOGIN, 200, 403, 200, 200, 403),
    "insights:goal-edit": (LOGIN, 404, 403, 200, 404, 403),
    "followups:task-snooze": (LOGIN, 200, 403, 200, 404, 403),
    "followups:task-reassign": (LOGIN, 403, 403, 200, 404, 403),
    "followups:task-add": (LOGIN, 200, 403, 200, 404, 403),
    "followups:conversation": (LOGIN, 200, 403, 200, 404, 403),
    "appointments:calendar": (LOGIN, 200, 403, 200, 200, 403),
    "appointments:week": (LOGIN, 200, 403, 200, 200, 403),
    "appointments:book": (LOGIN, 200, 403, 200, 404, 403),
    "appointments:book-new-customer": (LOGIN, 200, 403, 200, 200, 403),
    "appointments:move": (LOGIN, 200, 403, 200, 404, 403),
    "appointments:appointment": (LOGIN, 200, 403, 200, 404, 403),
    "appointments:cancel": (LOGIN, 302, 403, 302, 404, 403),
    "appointments:record": (LOGIN, 200, 403, 200, 404, 403),
    "appointments:hours": (LOGIN, 403, 403, 200, 200, 403),
    "appointments:manage": (200, 200, 200, 200, 200, 200),
    "crm:voucher-show": (400, 400, 400, 400, 400, 400),
    "crm:drawing-rules": (200, 200, 200, 200, 200, 200),
    "crm:vouchers": (LOGIN, 200, 200, 200, 200, 403),
    "crm:voucher-redeem": (LOGIN, 400, 400, 400, 400, 403),
    "crm:voucher-program": (LOGIN, 403, 403, 200, 200, 403),
    "crm:voucher-program-end": (LOGIN, 403, 403, 302, 302, 403),
    "crm:drawings": (LOGIN, 403, 403, 200, 200, 403),
    "crm:drawing": (LOGIN, 403, 403, 200, 404, 403),
    "crm:drawing-close": (LOGIN, 403, 403, 302, 404, 403),
    "crm:drawing-draw": (LOGIN, 403, 403, 400, 404, 403),
    "crm:drawing-entrants": (LOGIN, 403, 403, 200, 404, 403),
    "crm:promotion-results": (LOGIN, 403, 403, 200, 200, 403),
}

# Namespaces with their own guard: the Django admin admits superusers only.
# anymail's provider webhooks check basic auth (WEBHOOK_SECRET) and refuse every request while
# it is empty: tests/followups/test_webhooks.py.
SKIPPED_NAMESPACES = {"admin", "anymail"}


def _walk(patterns, namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace
            if ns in SKIPPED_NAMESPACES:
                continue
            prefix = f"{namespace}{ns}:" if ns else namespace
            yield from _walk(entry.url_patterns, prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def all_url_names():
    return sorted({name for name, _ in _walk(get_resolver().url_patterns)})


@pytest.fixture
def url_samples(store, settings, tmp_path, salesperson):
    """A sample value for every URL argument, each object in `store`."""
    settings.MEDIA_ROOT = tmp_path
    customer = CustomerFactory(store=store)
    call = CallTaskFactory(customer=customer)
    invitation = InvitationFactory(customer=customer)
    appointment = AppointmentFactory(customer=customer)
    envelope = EnvelopeFactory(customer=customer)
    return {
        "task_id": TaskFactory(customer=customer, assignee=salesperson, kind="text",
                               occasion=None, occurs_on=None).pk,
        "appointment_id": appointment.pk,
        "link": manage_token(appointment),
        "customer_id": customer.pk,
        "occasion_id": call.occasion_id,
        "envelope_id": envelope.pk,
        "store_id": store.pk,
        "preference_id": store.preferences.first().pk,
        "staff_member_id": StaffMemberFactory(store=store).pk,
        "calltask_id": call.pk,
        "template_id": MessageTemplateFactory(store=store).pk,
        "token": unsubscribe_token(customer.pk, address=customer.email),
        "event_id": invitation.event_id,
        "campaign_id": invitation.campaign_id,
        "invitation_id": invitation.pk,
        "invitation_token": rsvp_token(invitation),
        "figure": "walk_ins",
        "drawing_id": DrawingFactory(store=store).pk,
        "device_id": FloorDeviceFactory(store=store).pk,
        "import_id": ImportFactory(store=store).pk,
        # One photo id serves both photo URLs: a piece's and the envelope's.
        "photo_id": _photos(customer, envelope),
    }


def _photos(customer, envelope) -> int:
    """A photo of a wish-list item and one of the envelope, with the same id."""
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from crm.models import PiecePhoto, WishItem
    from repairs.models import EnvelopePhoto

    common = {"store": customer.store, "width": 1, "height": 1, "created_at": timezone.now()}
    wish = WishItem.objects.create(customer=customer, description="Pearl studs")
    piece = PiecePhoto(customer=customer, wish_item=wish, **common)
    piece.image.save("p.jpg", ContentFile(b"jpeg"), save=True)
    shot = EnvelopePhoto(pk=piece.pk, envelope=envelope, **common)
    shot.image.save("e.jpg", ContentFile(b"jpeg"), save=True)
    return piece.pk


@pytest.fixture
def role_clients(client, salesperson, service_clerk, manager, other_manager):
    from django.contrib.auth import get_user_model
    from django.test import Client

    clients = {"anonymous": Client()}
    superuser = get_user_model().objects.create_superuser("root", "root@mail.example", "x")
    clients["no_profile"] = Client()
    clients["no_profile"].force_login(superuser)
    for role, member in [("salesperson", salesperson), ("service", service_clerk),
                         ("manager", manager), ("other_manager", other_manager)]:
        c = Client()
        c.force_login(member.user)
        clients[role] = c
    return clients


def test_every_url_is_in_the_table():
    for table, label in ((EXPECTED, "EXPECTED"), (POST_EXPECTED, "POST_EXPECTED")):
        missing = sorted(set(all_url_names()) - set(table))
        assert not missing, f"Add these URLs to {label} with their statuses per role: {missing}"
        stale = sorted(set(table) - set(all_url_names()))
        assert not stale, f"These {label} entries name no URL: {stale}"


def _reverse(name, url_samples):
    pattern = dict(_walk(get_resolver().url_patterns))[name]
    args = pattern.pattern.regex.groupindex.keys()
    missing = [a for a in args if a not in url_samples]
    assert not missing, f"{name}: add samples for {missing} to url_samples"
    return reverse(name, kwargs={a: url_samples[a] for a in args})


_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


def _as_expected(response, expected, role, *, staff_page=True) -> bool:
    """`staff_page`: a 403 for the login with no staff profile is the page that says so (a
    POST's 403 may be another guard's, e.g. Twilio's signature check)."""
    if expected == LOGIN:
        return response.status_code == 302 and response["Location"].startswith(reverse("login"))
    ok = response.status_code == expected
    if staff_page and role == "no_profile" and expected == 403:
        ok = ok and b"This login has no staff profile" in response.content
    return ok


def _writes(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if _WRITE.match(q["sql"])]


REFUSED = {LOGIN, 403, 404, 405}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_url_permissions_and_a_get_writes_nothing(name, url_samples, role_clients):
    """Each role gets the status in the table for a GET, the same for htmx's GET (a partial
    is guarded like its page), and POST_EXPECTED's for an empty POST. Opening a page,
    whoever opens it, never changes the database (no INSERT, UPDATE or DELETE): what a page
    needs exists before it is opened; and a POST refused changes nothing either. (One test
    per URL checks all three, to keep this table's cost down: the GETs go first.)"""
    url = _reverse(name, url_samples)
    got, writes = {}, {}
    for role, expected in zip(ROLES, EXPECTED[name], strict=True):
        for how, headers in (("GET", {}), ("htmx GET", {"HTTP_HX_REQUEST": "true"})):
            with CaptureQueriesContext(connection) as captured:
                response = role_clients[role].get(url, **headers)
            if found := _writes(captured):
                writes[f"{how} {role}"] = found
            if not _as_expected(response, expected, role):
                got[f"{how} {role}"] = (expected, response.status_code)
    for role, expected in zip(ROLES, POST_EXPECTED[name], strict=True):
        with CaptureQueriesContext(connection) as captured:
            response = role_clients[role].post(url, {})
        refused = expected in REFUSED and (expected != LOGIN or role == "anonymous")
        if refused and (found := _writes(captured)):
            writes[f"POST {role}"] = found
        if not _as_expected(response, expected, role, staff_page=False):
            got[f"POST {role}"] = (expected, response.status_code)
    assert not got, f"{name} ({url}): role -> (expected, got): {got}"
    assert not writes, f"{name} ({url}) wrote: {writes}"
