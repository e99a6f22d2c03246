import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import LoupeError
from core.models import AuditEntry
from crm import services
from crm.models import Channel, Customer, Interaction, Preference, Purchase, Source
from tests.factories import ConsentFactory, CustomerFactory, OccasionFactory

pytestmark = pytest.mark.django_db


def test_my_clients_lists_only_my_customers_by_full_name(sales_client, store, salesperson,
                                                         manager):
    CustomerFactory(store=store, first_name="Zoe", last_name="Adams", assigned_to=salesperson)
    CustomerFactory(store=store, first_name="Ann", last_name="Young", assigned_to=salesperson)
    CustomerFactory(store=store, first_name="Not", last_name="Mine", assigned_to=manager)
    response = sales_client.get(reverse("crm:home"))
    names = [c.full_name for c in response.context["page"]]
    assert names == ["Ann Young", "Zoe Adams"]
    page = response.content.decode()
    for list_name in ("crm:here", "crm:follow-up", "crm:potential"):
        assert reverse(list_name) in page


def test_my_clients_shows_a_big_book_a_page_at_a_time(sales_client, store, salesperson):
    CustomerFactory.create_batch(53, store=store, assigned_to=salesperson)
    first = sales_client.get(reverse("crm:home"))
    assert len(first.context["page"]) == 50
    assert "1 / 2" in first.content.decode()
    second = sales_client.get(reverse("crm:home"), {"page": 2})
    assert len(second.context["page"]) == 3
    shown = {c.pk for c in first.context["page"]} | {c.pk for c in second.context["page"]}
    assert len(shown) == 53


def test_the_customer_page_shows_the_profile_and_the_panels_of_other_rooms(
        sales_client, store, salesperson):
    olivia = CustomerFactory(store=store, first_name="Olivia", assigned_to=salesperson)
    OccasionFactory(customer=olivia, kind="anniversary", month=9, day=14)
    ConsentFactory(customer=olivia, channel=Channel.SMS, words="Text me at 217")
    response = sales_client.get(reverse("crm:customer", kwargs={"customer_id": olivia.pk}))
    assert response.context["customer"] == olivia
    used = {t.name for t in response.templates}
    assert {"staff/customer_assignments.jinja", "repairs/customer_repairs.jinja",
            "followups/customer_messages.jinja"} <= used
    page = response.content.decode()
    assert "Anniversary" in page and "Text me at 217" in page and "Sally Sales" in page


def test_another_stores_customer_page_is_not_found(other_manager_client, store):
    olivia = CustomerFactory(store=store)
    response = other_manager_client.get(reverse("crm:customer",
                                                kwargs={"customer_id": olivia.pk}))
    assert response.status_code == 404


@pytest.mark.time_machine(datetime.datetime(2026, 6, 10, 16, 0, tzinfo=datetime.UTC), tick=False)
def test_here_follow_up_and_potential_each_show_their_people(sales_client, store):
    now = timezone.now()
    here = CustomerFactory(store=store, first_name="Here", last_visit_at=now)
    asked = CustomerFactory(store=store, first_name="Asked",
                            last_visit_at=now - datetime.timedelta(days=30))
    ConsentFactory(customer=asked, granted=True)
    due = CustomerFactory(store=store, first_name="Due",
                          last_visit_at=now - datetime.timedelta(days=90))
    OccasionFactory(customer=due, month=6, day=20)
    revoked = CustomerFactory(store=store, first_name="Revoked",
                              last_visit_at=now - datetime.timedelta(days=30))
    ConsentFactory(customer=revoked, granted=True, created_at=now - datetime.timedelta(days=2))
    ConsentFactory(customer=revoked, granted=False, method="stop")
    CustomerFactory(store=store, first_name="Web", source=Source.WEBSITE)
    CustomerFactory(store=store, first_name="Drawn", source=Source.DRAWING)
    CustomerFactory(store=store, first_name="Visited", source=Source.WEBSITE, last_visit_at=now)

    def names(url_name):
        page = sales_client.get(reverse(url_name), {"who": "anyone"}).context["page"]
        return sorted(c.first_name for c in page)

    assert names("crm:here") == ["Here", "Visited"]
    assert names("crm:follow-up") == ["Asked", "Due"]
    assert names("crm:potential") == ["Drawn", "Web"]
    assert here.pk


def test_lists_filter_by_associate_source_and_preference(sales_client, store, salesperson):
    bridal = store.preferences.get(name="Bridal")
    mine = CustomerFactory(store=store, first_name="Mine", assigned_to=salesperson,
                           source=Source.REPAIR)
    mine.preferences.add(bridal)
    CustomerFactory(store=store, first_name="Other", source=Source.REPAIR)
    page = sales_client.get(reverse("crm:customers"), {
        "assigned_to": salesperson.pk, "source": "repair", "preference": bridal.pk}).context["page"]
    assert [c.first_name for c in page] == ["Mine"]


def test_search_by_touch_finds_them_and_links_to_their_page(sales_client, store):
    olivia = CustomerFactory(store=store, first_name="Olivia", last_name="Hernandez",
                             phone="+15550102345")
    response = sales_client.get(reverse("crm:search"), {"q": "(555) 010-2345"},
                                headers={"HX-Request": "true"})
    assert [t.name for t in response.templates] == ["crm/_search_results.jinja"]
    assert reverse("crm:customer", kwargs={"customer_id": olivia.pk}) in (
        response.content.decode())


@pytest.mark.parametrize("typed", ["\x00", "Olivia\x00", "%00"])
def test_a_nul_byte_in_the_search_box_is_answered_not_a_500(sales_client, store, typed):
    CustomerFactory(store=store, first_name="Olivia", last_name="Hernandez")
    response = sales_client.get(reverse("crm:search"), {"q": typed})
    assert response.status_code == 200
    found = "Hernandez" in response.content.decode()
    assert found is typed.startswith("Olivia")


def test_a_name_pasted_with_a_tab_is_found_like_a_typed_one(sales_client, store):
    CustomerFactory(store=store, first_name="Olivia", last_name="Hernandez")
    response = sales_client.get(reverse("crm:search"), {"q": "Olivia\tHernandez\r\n"})
    assert "Hernandez" in response.content.decode()


def test_a_walk_in_link_with_a_damaged_customer_id_is_not_found(sales_client, store):
    for damaged in ("\x00", "12x", "-1"):
        response = sales_client.get(reverse("crm:walk-in"), {"customer": damaged})
        assert response.status_code == 404
    assert not Customer.objects.exists()


def test_a_note_goes_on_the_timeline_and_an_empty_one_is_refused(sales_client, store):
    olivia = CustomerFactory(store=store)
    url = reverse("crm:note", kwargs={"customer_id": olivia.pk})
    assert sales_client.post(url, {"text": "Loves emeralds"}).status_code == 302
    assert Interaction.objects.get(customer=olivia).summary == "Loves emeralds"
    response = sales_client.post(url, {"text": "   "})
    assert response.status_code == 200 and response.context["form"].errors["text"]
    assert Interaction.objects.filter(customer=olivia).count() == 1


def test_recording_a_purchase_makes_a_prospect_a_customer(sales_client, store):
    olivia = CustomerFactory(store=store)
    url = reverse("crm:purchase", kwargs={"customer_id": olivia.pk})
    response = sales_client.post(url, {"purchased_on": "2026-01-05", "amount": "1200.50",
                                       "description": "Pearl strand"})
    assert response.status_code == 302
    olivia.refresh_from_db()
    assert not olivia.is_prospect and olivia.lifetime_value == 1200.50


@pytest.mark.parametrize(("data", "field"), [
    ({"purchased_on": "2026-02-30", "amount": "10"}, "purchased_on"),
    ({"purchased_on": "2999-01-01", "amount": "10"}, "purchased_on"),
    ({"purchased_on": "2026-01-05", "amount": "-5"}, "amount"),
    ({"purchased_on": "2026-01-05", "amount": "lots"}, "amount"),
])
def test_a_bad_purchase_is_refused_beside_the_field(sales_client, store, data, field):
    olivia = CustomerFactory(store=store)
    response = sales_client.post(reverse("crm:purchase", kwargs={"customer_id": olivia.pk}),
                                 data | {"description": "Kept"})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert response.context["form"]["description"].value() == "Kept"
    assert not Purchase.objects.exists()


def test_editing_a_profile_normalises_contacts_and_is_in_the_history(manager_client, store,
                                                                     manager):
    olivia = CustomerFactory(store=store, first_name="Olivia", email="old@mail.example")
    url = reverse("crm:edit", kwargs={"customer_id": olivia.pk})
    response = manager_client.post(url, {"first_name": "Olivia", "email": "NEW@Mail.Example",
                                         "phone": "217 555 0142"})
    assert response.status_code == 302
    olivia.refresh_from_db()
    assert (olivia.email, str(olivia.phone)) == ("new@mail.example", "+12175550142")
    history = manager_client.get(reverse("crm:history", kwargs={"customer_id": olivia.pk}))
    page = history.content.decode()
    assert "old@mail.example" in page and "new@mail.example" in page
    assert "maria" in page
    assert AuditEntry.objects.filter(action="customer.changed", actor=manager.user).exists()


@pytest.mark.parametrize(("data", "field"), [
    ({"first_name": "", "email": "a@mail.example"}, "first_name"),
    ({"first_name": "Olivia", "email": "nope"}, "email"),
    ({"first_name": "Olivia", "secondary_email": "nope@"}, "secondary_email"),
    ({"first_name": "Olivia", "phone": "12345"}, "phone"),
])
def test_a_bad_edit_is_refused_beside_the_field(sales_client, store, data, field):
    olivia = CustomerFactory(store=store, first_name="Olivia", email="kept@mail.example")
    response = sales_client.post(reverse("crm:edit", kwargs={"customer_id": olivia.pk}),
                                 data | {"city": "Typed City"})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert response.context["form"]["city"].value() == "Typed City"
    olivia.refresh_from_db()
    assert olivia.email == "kept@mail.example" and olivia.city == ""


def test_a_salesperson_cannot_see_the_change_history(sales_client, store):
    olivia = CustomerFactory(store=store)
    assert sales_client.get(reverse("crm:history",
                                    kwargs={"customer_id": olivia.pk})).status_code == 403


def test_managers_edit_the_preference_list(manager_client, store):
    assert manager_client.post(reverse("crm:preferences"),
                               {"name": "Lab-grown diamonds", "position": 9,
                                "active": "on"}).status_code == 302
    added = store.preferences.get(name="Lab-grown diamonds")
    response = manager_client.post(reverse("crm:preference-edit",
                                           kwargs={"preference_id": added.pk}),
                                   {"name": "bridal", "position": 1})
    assert response.context["form"].errors["name"]
    manager_client.post(reverse("crm:preference-edit", kwargs={"preference_id": added.pk}),
                        {"name": "Lab diamonds", "position": 1})
    added.refresh_from_db()
    assert (added.name, added.active) == ("Lab diamonds", False)


def test_a_salesperson_cannot_edit_the_preference_list(sales_client):
    response = sales_client.post(reverse("crm:preferences"), {"name": "Sneaky", "position": 1})
    assert response.status_code == 403
    assert not Preference.objects.filter(name="Sneaky").exists()


def test_purchase_record_rejects_a_future_date_in_the_service(store, salesperson):
    olivia = CustomerFactory(store=store)
    with pytest.raises(LoupeError):
        services.purchase_record(customer=olivia, by=salesperson, amount=10,
                                 purchased_on=store.today() + datetime.timedelta(days=1))
    assert Customer.objects.get().lifetime_value == 0


@pytest.mark.time_machine(datetime.datetime(2027, 2, 20, 16, 0, tzinfo=datetime.UTC), tick=False)
def test_a_feb_29_birthday_is_due_for_follow_up_before_feb_28_in_a_common_year(
        client, salesperson, store):
    client.force_login(salesperson.user)  # the fixture's session would have expired by 2027
    leap = CustomerFactory(store=store, first_name="Leap",
                           last_visit_at=timezone.now() - datetime.timedelta(days=100))
    OccasionFactory(customer=leap, month=2, day=29)
    page = client.get(reverse("crm:follow-up"), {"who": "anyone"}).context["page"]
    assert [c.first_name for c in page] == ["Leap"]


def test_managers_find_import_export_and_preferences_from_the_customer_list(manager_client):
    page = manager_client.get(reverse("crm:customers")).content.decode()
    for name in ("crm:import", "crm:export", "crm:preferences"):
        assert reverse(name) in page
