"""The audit trail a manager reads: logins, failures, switches, locks and the store's
sensitive changes, with who, when and from which device."""

import datetime

import pytest
from django.urls import reverse

from core.audit import current_device, log_action
from core.models import AuditEntry
from tests.factories import PASSWORD, CustomerFactory, StaffMemberFactory

MOMENT = datetime.datetime(2026, 3, 10, 15, 0, tzinfo=datetime.UTC)
AUDIT = reverse("staff:audit")


def _entry(*, by, action, store, at, device="browser 10.0.0.7", obj=None):
    token = current_device.set(device)
    try:
        return log_action(by=by, action=action, store=store, at=at, obj=obj)
    finally:
        current_device.reset(token)


def _rows(response):
    return response.content.decode().count('class="audit-entry"')


def test_a_password_login_is_recorded_with_the_browser(client, salesperson):
    client.post(reverse("login"), {"username": "sally", "password": PASSWORD})
    entry = AuditEntry.objects.get(action="auth.login")
    assert (entry.actor, entry.store, entry.device) == (salesperson.user, salesperson.store,
                                                        "browser 127.0.0.1")


def test_a_failed_login_is_recorded_against_the_account(client, salesperson):
    client.post(reverse("login"), {"username": "sally", "password": "nope"})
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert (entry.actor, entry.store, entry.data) == (salesperson.user, salesperson.store,
                                                      {"username": "sally"})
    assert not AuditEntry.objects.filter(action="auth.login").exists()


@pytest.mark.time_machine(MOMENT, tick=False)
def test_the_audit_trail_filters_by_who_what_when_and_device(manager_client, manager,
                                                             salesperson, store):
    day = datetime.timedelta(days=1)
    _entry(by=salesperson, action="auth.login", store=store, at=MOMENT - 3 * day)
    _entry(by=salesperson, action="customer.exported", store=store, at=MOMENT - day,
           device="Front counter")
    _entry(by=manager, action="customer.merged", store=store, at=MOMENT)
    _entry(by=manager, action="consent.revoked", store=store, at=MOMENT, device="Front counter")

    def rows(**query):
        return _rows(manager_client.get(AUDIT, query))

    assert rows(who=salesperson.pk) == 2
    assert rows(kind="exports") == 1 and rows(kind="merges") == 1
    # The manager's own test login is recorded too (as "auth.login", without a device).
    assert rows(kind="consent") == 1
    assert rows(kind="logins") == AuditEntry.objects.filter(action="auth.login").count() == 2
    today = store.today(MOMENT)
    assert rows(since=(today - datetime.timedelta(days=1)).isoformat(),
                until=today.isoformat(), kind="exports") == 1
    assert rows(since=today.isoformat()) == 3  # the merge, the consent, the test's login
    assert rows(device="front") == 2
    backwards = manager_client.get(AUDIT, {"since": today.isoformat(),
                                           "until": (today - day).isoformat()})
    assert "The end date comes before the start date" in backwards.content.decode()


def test_the_audit_trail_shows_who_and_which_device(manager_client, salesperson, store):
    customer = CustomerFactory(store=store, first_name="Olivia", last_name="Hernandez")
    _entry(by=salesperson, action="consent.revoked", store=store, at=MOMENT, obj=customer,
           device="Front counter")
    page = manager_client.get(AUDIT, {"kind": "consent"}).content.decode()
    assert "Sally Sales" in page and "Front counter" in page and "Olivia Hernandez" in page
    assert "data-print" in page


def test_another_stores_entries_never_show(manager_client, other_manager, other_store):
    _entry(by=other_manager, action="customer.exported", store=other_store, at=MOMENT,
           device="Shelbyville tablet")
    page = manager_client.get(AUDIT).content.decode()
    assert "Shelbyville tablet" not in page and "Otto Other" not in page


@pytest.mark.parametrize("fixture", ["sales_client", "service_client"])
def test_salespeople_and_service_staff_may_not_read_it(request, fixture):
    assert request.getfixturevalue(fixture).get(AUDIT).status_code == 403


def test_the_audit_trail_is_paginated_at_a_constant_query_count(
        manager_client, store, django_assert_max_num_queries):
    members = [StaffMemberFactory(store=store) for _ in range(5)]
    for n in range(120):
        _entry(by=members[n % 5], action="customer.exported", store=store,
               at=MOMENT - datetime.timedelta(minutes=n))
    with django_assert_max_num_queries(8):
        first = manager_client.get(AUDIT, {"kind": "exports"})
    assert _rows(first) == 50
    assert "1 / 3" in first.content.decode()
    with django_assert_max_num_queries(8):
        last = manager_client.get(AUDIT, {"kind": "exports", "page": 3})
    assert _rows(last) == 20
