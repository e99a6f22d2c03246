"""`StaffBackend.get_user`: who is asking, read fresh in one query whose SQL is compiled once
per process, gives what `select_related("staff_member__store")` and ModelBackend give."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission

from core.auth import StaffBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _fields(instance) -> dict:
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def test_the_login_comes_with_its_staff_member_and_store(salesperson,
                                                         django_assert_num_queries):
    with django_assert_num_queries(1):
        user = StaffBackend().get_user(salesperson.user_id)
        staff = user.staff_member
        assert staff.user is user
        store = staff.store
    orm = get_user_model().objects.select_related("staff_member__store").get(
        pk=salesperson.user_id)
    assert _fields(user) == _fields(orm)
    assert _fields(staff) == _fields(orm.staff_member)
    assert _fields(store) == _fields(orm.staff_member.store)
    assert user.get_all_permissions() == ModelBackend().get_all_permissions(
        get_user_model().objects.get(pk=salesperson.user_id))


def test_a_permission_given_directly_counts_too(salesperson):
    assert not StaffBackend().get_user(salesperson.user_id).has_perm("crm.manage_preferences")
    salesperson.user.user_permissions.add(Permission.objects.get(codename="manage_preferences"))
    assert StaffBackend().get_user(salesperson.user_id).has_perm("crm.manage_preferences")


def test_a_login_without_a_staff_profile_has_none(django_assert_num_queries):
    login = UserFactory()
    user = StaffBackend().get_user(login.pk)
    absent = get_user_model().staff_member.RelatedObjectDoesNotExist
    with django_assert_num_queries(0), pytest.raises(absent):
        user.staff_member  # noqa: B018 - cached as absent, no query
    assert user.get_all_permissions() == set()


def test_an_inactive_or_unknown_login_is_nobody(salesperson):
    assert StaffBackend().get_user(10**9) is None
    assert StaffBackend().get_user("not a number") is None
    salesperson.user.is_active = False
    salesperson.user.save()
    assert StaffBackend().get_user(salesperson.user_id) is None


def test_a_superuser_holds_every_permission():
    login = UserFactory(is_superuser=True)
    user = StaffBackend().get_user(str(login.pk))
    assert user.has_perm("crm.erase_customer")
    assert not hasattr(user, "_perm_cache")


def test_each_login_holds_only_its_own_permissions(salesperson, service_clerk, manager):
    for member in (salesperson, service_clerk, manager):
        login = get_user_model().objects.get(pk=member.user_id)
        assert StaffBackend().get_user(member.user_id).get_all_permissions() == \
            ModelBackend().get_all_permissions(login)
    assert not StaffBackend().get_user(service_clerk.user_id).has_perm("crm.view_customer")


@pytest.mark.parametrize("role", ["salesperson", "service_clerk", "manager"])
def test_the_pages_perms_answer_as_has_perm_does(request, role, django_assert_max_num_queries):
    """`perms` in templates (core.context_processors.RequestPerms) gives `has_perm`'s answer
    for every permission there is, for each role, a superuser, a login that was switched off
    and nobody logged in; a permission given after the login counts on the next request."""
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from core.context_processors import auth

    member = request.getfixturevalue(role)
    names = [f"{app}.{codename}" for app, codename in
             Permission.objects.values_list("content_type__app_label", "codename")]
    superuser = UserFactory(is_superuser=True)
    switched_off = StaffBackend().get_user(member.user_id)
    switched_off.is_active = False
    for user in (StaffBackend().get_user(member.user_id), superuser, switched_off,
                 AnonymousUser()):
        asking = RequestFactory().get("/")
        asking.user = user
        perms = auth(asking)["perms"]
        with django_assert_max_num_queries(0 if user is not superuser else 2):
            answers = {name: perms[name.split(".")[0]][name.split(".")[1]] for name in names}
        assert answers == {name: user.has_perm(name) for name in names}
        assert any(answers.values()) == (user.is_active and user.pk is not None)
        assert all(answers.values()) == (user is superuser)
    member.user.user_permissions.add(Permission.objects.get(codename="manage_preferences"))
    asking = RequestFactory().get("/")
    asking.user = StaffBackend().get_user(member.user_id)
    assert auth(asking)["perms"]["crm"]["manage_preferences"]
