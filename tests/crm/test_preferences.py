"""Each store keeps its own preference list: what its managers edit, what its associates and
customers are offered, and what another store's manager can never touch."""

import uuid

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.errors import LoupeError
from core.models import AuditEntry
from crm.models import Customer, Preference
from crm.services import preference_list_start, preference_save
from staff.models import StaffMember
from staff.roles import Role
from tests.factories import PASSWORD, StoreFactory

pytestmark = pytest.mark.django_db


def _edit_url(preference):
    return reverse("crm:preference-edit", kwargs={"preference_id": preference.pk})


def test_a_new_store_starts_with_the_usual_list_of_its_own(store, other_store):
    names = list(store.preferences.values_list("name", flat=True))
    assert names == ["Bridal", "Diamonds", "Colored gems", "Pearls", "Watches", "Gold",
                     "Silver", "Designer lines"]
    assert not set(store.preferences.all()) & set(other_store.preferences.all())


def test_starting_the_list_twice_adds_nothing(store):
    assert preference_list_start(store=store) == 0
    assert store.preferences.count() == 8


def test_renaming_a_line_changes_this_stores_list_only(manager_client, store, other_store):
    pearls = store.preferences.get(name="Pearls")
    response = manager_client.post(_edit_url(pearls), {"name": "Pearls and beads",
                                                       "position": 3, "active": "on"})
    assert response.status_code == 302
    assert store.preferences.filter(name="Pearls and beads").exists()
    assert other_store.preferences.filter(name="Pearls").exists()
    assert not other_store.preferences.filter(name="Pearls and beads").exists()


def test_a_manager_of_another_store_gets_404_on_this_stores_preference(other_manager_client,
                                                                       store):
    pearls = store.preferences.get(name="Pearls")
    assert other_manager_client.get(_edit_url(pearls)).status_code == 404
    response = other_manager_client.post(_edit_url(pearls), {"name": "Renamed", "position": 1})
    assert response.status_code == 404
    pearls.refresh_from_db()
    assert pearls.name == "Pearls"
    assert not AuditEntry.objects.filter(action="preference.saved").exists()


def test_the_preference_page_lists_this_stores_lines_only(manager_client, store, other_store):
    preference_save(store=other_store, by=None, name="Shelbyville special")
    listed = manager_client.get(reverse("crm:preferences")).context["preferences"]
    assert set(listed) == set(store.preferences.all())


def test_a_name_already_on_this_list_is_refused_but_another_store_may_use_it(store, manager,
                                                                            other_store):
    with pytest.raises(LoupeError, match="already on the list") as refused:
        preference_save(store=store, by=manager, name="bridal")
    assert refused.value.field == "name"
    assert store.preferences.filter(name__iexact="bridal").count() == 1

    added = preference_save(store=other_store, by=None, name="Lab-grown diamonds")
    preference_save(store=store, by=manager, name="Lab-grown diamonds")
    assert added.store == other_store
    assert store.preferences.filter(name="Lab-grown diamonds").exists()


def test_the_database_refuses_a_second_line_of_the_same_name_in_one_store(store):
    with pytest.raises(IntegrityError), transaction.atomic():
        Preference.objects.create(store=store, name="PEARLS")
    assert store.preferences.filter(name__iexact="pearls").count() == 1


def test_another_stores_line_cannot_be_saved_through_this_store(store, other_store, manager):
    theirs = other_store.preferences.get(name="Gold")
    with pytest.raises(LoupeError, match="another store"):
        preference_save(store=store, by=manager, preference=theirs, name="Rose gold")
    theirs.refresh_from_db()
    assert theirs.name == "Gold"


def test_the_walk_in_screen_offers_this_stores_lines_only(sales_client, store, other_store):
    form = sales_client.get(reverse("crm:walk-in")).context["form"]
    assert set(form.fields["preferences"].queryset) == set(store.preferences.filter(active=True))


def test_a_walk_in_posted_with_another_stores_line_is_refused_and_not_saved(sales_client,
                                                                           other_store):
    theirs = other_store.preferences.get(name="Bridal")
    response = sales_client.post(reverse("crm:walk-in"), {
        "key": str(uuid.uuid4()), "first_name": "Olivia", "bought": "no",
        "preferences": [theirs.pk]})
    assert response.status_code == 200
    assert response.context["form"].errors["preferences"]
    assert response.context["form"]["first_name"].value() == "Olivia"
    assert not Customer.objects.exists()


def test_a_retired_line_is_no_longer_offered_to_associates(manager_client, store):
    gold = store.preferences.get(name="Gold")
    preference_save(store=store, by=None, preference=gold, name="Gold", active=False)
    form = manager_client.get(reverse("staff:member-add")).context["form"]
    assert gold not in form.fields["strengths"].queryset
    assert set(form.fields["strengths"].queryset) == set(store.preferences.filter(active=True))


def test_a_new_associates_strengths_cannot_come_from_another_stores_list(manager_client,
                                                                          other_store):
    theirs = other_store.preferences.get(name="Pearls")
    response = manager_client.post(reverse("staff:member-add"), {
        "display_name": "Nina Novak", "username": "nina", "role": Role.SALESPERSON,
        "strengths": [theirs.pk], "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].errors["strengths"]
    assert not StaffMember.objects.filter(user__username="nina").exists()


def test_the_customer_list_filters_by_this_stores_lines_only(sales_client, store):
    StoreFactory(name="Gem & Loupe Capital City")
    filters = sales_client.get(reverse("crm:customers")).context["filters"]
    assert set(filters.form.fields["preference"].queryset) == set(store.preferences.all())


def test_the_orphan_list_filters_by_this_stores_offered_lines_only(manager_client, store,
                                                                    other_store):
    orphans = manager_client.get(reverse("staff:orphans")).context["filter"]
    offered = set(orphans.form.fields["preference"].queryset)
    assert offered == set(store.preferences.filter(active=True))


def test_a_store_added_in_the_admin_starts_with_the_usual_list(admin_client):
    response = admin_client.post(reverse("admin:staff_store_add"), {
        "name": "Gem & Loupe Riverside", "address": "1 River Road", "phone": "", "email": "",
        "timezone": "America/Chicago", "lapsed_after_months": 12,
        "yearly_growth_target": 0, "floor_idle_minutes": 3})
    assert response.status_code == 302
    riverside = Preference.objects.filter(store__name="Gem & Loupe Riverside")
    assert riverside.count() == 8
