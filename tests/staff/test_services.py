"""Staff changes and departures: what is written, and what is not."""

import datetime

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.utils import timezone

from core.errors import LoupeError
from core.models import AuditEntry
from crm.models import Assignment, AssignmentReason, Customer
from crm.services import client_assign
from staff.roles import Role
from staff.services import (
    staff_member_add,
    staff_member_change,
    staff_member_depart,
    store_policy_set,
)
from tests.factories import PASSWORD, CustomerFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


def yesterday() -> datetime.date:
    """The day before today on the (possibly frozen) clock."""
    return timezone.localdate() - datetime.timedelta(days=1)


def can_log_in(username):
    request = RequestFactory().post("/login/")
    return authenticate(request, username=username, password=PASSWORD) is not None


def clients_of(member, count, store):
    customers = CustomerFactory.create_batch(count, store=store)
    for customer in customers:
        client_assign(customer=customer, associate=member, reason=AssignmentReason.WALK_IN)
    return customers


def test_adding_a_staff_member_creates_a_login_in_their_role_group(store, manager):
    pearls = store.preferences.get(name="Pearls")
    member = staff_member_add(store=store, username="nina", display_name="Nina Novak",
                              role=Role.SALESPERSON, password=PASSWORD, strengths=[pearls],
                              by=manager)
    assert can_log_in("nina")
    assert member.user.username == "nina"
    assert list(member.user.groups.values_list("name", flat=True)) == ["salesperson"]
    assert list(member.strengths.all()) == [pearls]
    assert AuditEntry.objects.filter(action="staff.added", store=store).count() == 1


@pytest.mark.parametrize("password", ["short", "password123", "12345678901"])
def test_a_weak_password_is_refused_and_no_login_is_created(store, manager, password):
    with pytest.raises(LoupeError) as refused:
        staff_member_add(store=store, username="nina", display_name="Nina Novak",
                         role=Role.SALESPERSON, password=password, by=manager)
    assert refused.value.field == "password1"
    assert not store.staff.filter(display_name="Nina Novak").exists()


def test_a_taken_username_is_refused(store, manager, salesperson):
    with pytest.raises(LoupeError, match="username is taken"):
        staff_member_add(store=store, username="SALLY", display_name="Another Sally",
                         role=Role.SALESPERSON, password=PASSWORD, by=manager)
    assert store.staff.count() == 2


def test_changing_role_moves_the_login_between_groups(store, manager, salesperson):
    staff_member_change(member=salesperson, display_name="Sally Sales", role=Role.MANAGER,
                        strengths=[], by=manager)
    salesperson.user.refresh_from_db()
    assert list(salesperson.user.groups.values_list("name", flat=True)) == ["manager"]
    assert salesperson.user.has_perm("staff.manage_staff")


def test_an_associate_with_clients_cannot_move_to_the_service_counter(store, manager,
                                                                      salesperson):
    clients_of(salesperson, 1, store)
    with pytest.raises(LoupeError, match="reassign them"):
        staff_member_change(member=salesperson, display_name="Sally", role=Role.SERVICE,
                            strengths=[], by=manager)
    salesperson.refresh_from_db()
    assert salesperson.role == Role.SALESPERSON
    assert list(salesperson.user.groups.values_list("name", flat=True)) == ["salesperson"]


def test_a_manager_cannot_demote_themselves(manager):
    with pytest.raises(LoupeError, match="your own manager role"):
        staff_member_change(member=manager, display_name="Maria", role=Role.SALESPERSON,
                            strengths=[], by=manager)


@pytest.mark.parametrize("policy", [False, True], ids=["policy-off", "policy-on"])
def test_departure_disables_the_login_and_keeps_their_records(store, manager, salesperson,
                                                              policy):
    store_policy_set(store=store, reassign_on_departure=policy, managers_take_clients=False,
                     by=manager)
    clients_of(salesperson, 2, store)
    staff_member_depart(member=salesperson, departed_on=yesterday(), by=manager)
    salesperson.refresh_from_db()
    salesperson.user.refresh_from_db()
    assert salesperson.departed_on == yesterday()
    assert salesperson.user.is_active is False
    assert not can_log_in("sally")
    assert Assignment.objects.filter(associate=salesperson).count() == 2


def test_departure_with_policy_off_leaves_their_clients_as_orphans(store, manager, salesperson):
    clients = clients_of(salesperson, 3, store)
    moved = staff_member_depart(member=salesperson, departed_on=yesterday(), by=manager)
    assert moved == 0
    assert set(Customer.objects.orphaned()) == set(clients)
    assert not Assignment.objects.filter(reason=AssignmentReason.DEPARTURE).exists()


def test_departure_with_policy_on_hands_clients_on_in_the_same_transaction(store, manager,
                                                                          salesperson):
    tom = StaffMemberFactory(store=store, display_name="Tom Watches")
    tom.strengths.add(store.preferences.get(name="Watches"))
    store_policy_set(store=store, reassign_on_departure=True, managers_take_clients=False,
                     by=manager)
    watch_lover, other = clients_of(salesperson, 2, store)
    watch_lover.preferences.add(store.preferences.get(name="Watches"))

    moved = staff_member_depart(member=salesperson, departed_on=yesterday(), by=manager)

    assert moved == 2
    assert not Customer.objects.orphaned().exists()
    watch_lover.refresh_from_db()
    assert watch_lover.assigned_to == tom
    assert Assignment.objects.filter(reason=AssignmentReason.DEPARTURE, set_by=manager,
                                      ended_at__isnull=True).count() == 2
    assert Assignment.objects.filter(associate=salesperson, ended_at__isnull=False).count() == 2


def test_departure_with_policy_on_and_nobody_to_take_them_leaves_orphans(store, manager,
                                                                       salesperson):
    manager.role = Role.SERVICE  # nobody left who can sell
    manager.save()
    store_policy_set(store=store, reassign_on_departure=True, managers_take_clients=False,
                     by=manager)
    clients_of(salesperson, 1, store)
    assert staff_member_depart(member=salesperson, departed_on=yesterday(),
                               by=manager) == 0
    assert Customer.objects.orphaned().count() == 1


def test_a_departure_date_in_the_future_is_refused(store, manager, salesperson):
    with pytest.raises(LoupeError) as refused:
        staff_member_depart(member=salesperson, by=manager,
                            departed_on=store.today() + datetime.timedelta(days=3))
    assert refused.value.field == "departed_on"
    salesperson.refresh_from_db()
    salesperson.user.refresh_from_db()
    assert salesperson.departed_on is None
    assert salesperson.user.is_active


def test_a_departure_date_before_2000_is_refused_by_the_service(store, manager, salesperson):
    with pytest.raises(LoupeError, match="check the year") as refused:
        staff_member_depart(member=salesperson, by=manager,
                            departed_on=datetime.date(1899, 1, 1))
    assert refused.value.field == "departed_on"
    salesperson.refresh_from_db()
    salesperson.user.refresh_from_db()
    assert salesperson.departed_on is None
    assert salesperson.user.is_active


def test_the_database_refuses_a_departure_before_2000(salesperson):
    from django.db import IntegrityError, transaction

    from staff.models import StaffMember

    with pytest.raises(IntegrityError), transaction.atomic():
        StaffMember.objects.filter(pk=salesperson.pk).update(
            departed_on=datetime.date(1899, 1, 1))


def test_marking_departed_twice_changes_nothing(store, manager, salesperson):
    staff_member_depart(member=salesperson, departed_on=yesterday(), by=manager)
    staff_member_depart(member=salesperson, departed_on=store.today(), by=manager)
    salesperson.refresh_from_db()
    assert salesperson.departed_on == yesterday()
    assert AuditEntry.objects.filter(action="staff.departed").count() == 1


def test_a_manager_cannot_mark_themselves_departed(manager):
    with pytest.raises(LoupeError, match="yourself"):
        staff_member_depart(member=manager, departed_on=yesterday(), by=manager)
