import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.html import escape

from core.errors import LoupeError
from core.models import AuditEntry
from crm.models import (
    Assignment,
    Channel,
    Consent,
    ConsentMethod,
    Customer,
    Interaction,
    InteractionKind,
    Occasion,
    OccasionKind,
    Preference,
    Purchase,
    WalkIn,
    WishItem,
)
from crm.services import OccasionEntry, WalkInEntry, customer_log_walk_in
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 6, 10, 17, 0, tzinfo=datetime.UTC)


def _entry(**overrides):
    values = dict(
        first_name="Olivia", last_name="Hernandez", phone="(217) 555-0142",
        email="Olivia@Mail.Example", partner_name="Liam",
        occasions=[OccasionEntry(kind=OccasionKind.ANNIVERSARY, month=9, day=14, year=2015)],
        looked_at="Sapphire halo ring", looked_at_price=Decimal("2400.00"),
        preferences=list(Preference.objects.filter(name__in=["Bridal", "Diamonds"])),
        why_not="Wants to bring her partner", consents={Channel.SMS: True, Channel.EMAIL: False},
    )
    return WalkInEntry(**(values | overrides))


@pytest.mark.time_machine(NOON, tick=False)
def test_a_walk_in_who_bought_nothing_becomes_a_prospect_with_dates_consent_and_a_visit(
        store, salesperson):
    customer = customer_log_walk_in(store=store, by=salesperson, key=uuid.uuid4(),
                                    entry=_entry())
    customer.refresh_from_db()
    assert customer.is_prospect
    assert customer.assigned_to == salesperson
    assert customer.last_visit_at == NOON
    assert str(customer.phone) == "+12175550142" and customer.email == "olivia@mail.example"
    assert {p.name for p in customer.preferences.all()} == {"Bridal", "Diamonds"}
    anniversary = Occasion.objects.get(customer=customer)
    assert (anniversary.kind, anniversary.month, anniversary.day) == ("anniversary", 9, 14)
    text = Consent.objects.get(customer=customer)
    assert (text.channel, text.granted, text.method) == (Channel.SMS, True, ConsentMethod.TABLET)
    assert text.recorded_by == salesperson and text.created_at == NOON
    assert text.occasion == anniversary
    assert store.name in text.words and "(217) 555-0142" in text.words
    assert "not a condition of any purchase" in text.words
    assert WishItem.objects.get(customer=customer).price == Decimal("2400.00")
    visit = Interaction.objects.get(customer=customer, kind=InteractionKind.VISIT)
    assert "did not buy (Wants to bring her partner)" in visit.summary
    assert not Purchase.objects.exists()
    assert Assignment.objects.get(customer=customer).associate == salesperson


def test_a_walk_in_who_bought_is_a_customer_with_a_purchase(store, salesperson):
    customer = customer_log_walk_in(store=store, by=salesperson, key=uuid.uuid4(),
                                    entry=_entry(bought=True, purchase_amount=Decimal("950")))
    customer.refresh_from_db()
    assert not customer.is_prospect
    assert customer.lifetime_value == Decimal("950.00")
    assert Purchase.objects.get(customer=customer).amount == Decimal("950.00")


def test_the_same_one_time_key_twice_logs_one_walk_in(store, salesperson):
    key = uuid.uuid4()
    first = customer_log_walk_in(store=store, by=salesperson, key=key, entry=_entry())
    again = customer_log_walk_in(store=store, by=salesperson, key=key, entry=_entry())
    assert again == first
    assert Customer.objects.count() == 1
    assert WalkIn.objects.count() == 1
    assert Interaction.objects.filter(kind=InteractionKind.VISIT).count() == 1
    assert Consent.objects.count() == 1


@pytest.mark.parametrize(("entry", "field"), [
    (dict(occasions=[OccasionEntry(kind="anniversary", month=2, day=30)]), "anniversary_day"),
    (dict(occasions=[OccasionEntry(kind="birthday", month=5, day=1, year=2099)]),
     "birthday_year"),
    (dict(bought=True, purchase_amount=None), "purchase_amount"),
    (dict(phone="", consents={Channel.SMS: True}), "consent_sms"),
    (dict(email="", consents={Channel.EMAIL: True}), "consent_email"),
    (dict(phone="12"), "phone"),
])
def test_a_failure_anywhere_leaves_nothing_half_written(store, salesperson, entry, field):
    with pytest.raises(LoupeError) as refused:
        customer_log_walk_in(store=store, by=salesperson, key=uuid.uuid4(),
                             entry=_entry(**entry))
    assert refused.value.field == field
    for model in (Customer, Occasion, Consent, Interaction, WishItem, WalkIn, Assignment,
                  Purchase, AuditEntry):
        assert not model.objects.exists(), model


def test_feb_29_without_a_year_is_kept_and_falls_on_feb_28(store, salesperson):
    customer = customer_log_walk_in(
        store=store, by=salesperson, key=uuid.uuid4(),
        entry=_entry(occasions=[OccasionEntry(kind="birthday", month=2, day=29)]))
    birthday = customer.occasions.get()
    assert birthday.next_date(datetime.date(2027, 1, 1)) == datetime.date(2027, 2, 28)
    assert birthday.next_date(datetime.date(2028, 1, 1)) == datetime.date(2028, 2, 29)


def test_this_is_them_updates_the_profile_instead_of_creating_one(store, salesperson):
    known = CustomerFactory(store=store, first_name="Olivia", email="olivia@mail.example",
                            phone="", address_line="")
    customer = customer_log_walk_in(
        store=store, by=salesperson, key=uuid.uuid4(), customer=known,
        entry=_entry(email="olivia@mail.example", address_line="1 Elm St"))
    assert customer.pk == known.pk
    assert Customer.objects.count() == 1
    known.refresh_from_db()
    assert str(known.phone) == "+12175550142"
    assert known.address_line == "1 Elm St"
    assert known.assigned_to == salesperson
    assert known.walk_ins.count() == 1


def _form(key, **overrides):
    return {"key": str(key), "first_name": "Olivia", "last_name": "Hernandez",
            "phone": "(217) 555-0142", "email": "", "bought": "no",
            "anniversary_month": "9", "anniversary_day": "14", "consent_sms": "on"} | overrides


def test_posting_the_walk_in_form_twice_creates_one_customer(sales_client, store):
    key = uuid.uuid4()
    first = sales_client.post(reverse("crm:walk-in"), _form(key))
    second = sales_client.post(reverse("crm:walk-in"), _form(key))
    customer = Customer.objects.get()
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == reverse(
        "crm:customer", kwargs={"customer_id": customer.pk})


def test_the_walk_in_screen_shows_the_texting_words(sales_client, store):
    page = sales_client.get(reverse("crm:walk-in")).content.decode()
    assert escape(store.name) in page
    assert "Agreeing is not a condition of any purchase" in page
    assert 'name="key"' in page


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"anniversary_month": "2", "anniversary_day": "30"}, "anniversary_day",
     "February has no day 30."),
    ({"birthday_month": "3", "birthday_day": "1", "birthday_year": "2999"}, "birthday_year",
     "Ensure this value is less than or equal to 2100."),
    ({"birthday_month": "3", "birthday_day": "1", "birthday_year": "2090"}, "birthday_year",
     "A birthday cannot be in the future."),
    ({"email": "olivia@", "consent_sms": ""}, "email", "is not a valid email address"),
    ({"phone": "", "consent_sms": "on"}, "consent_sms", "we need their mobile number"),
    ({"phone": "not a phone"}, "phone", "is not a phone number"),
    ({"bought": "yes"}, "purchase_amount", "Enter what they paid."),
    ({"first_name": ""}, "first_name", "This field is required."),
])
def test_bad_walk_in_input_is_shown_beside_the_field_and_keeps_what_was_typed(
        sales_client, overrides, field, message):
    response = sales_client.post(reverse("crm:walk-in"), _form(uuid.uuid4(), **overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert message in " ".join(errors[field])
    assert response.context["form"]["last_name"].value() == "Hernandez"
    assert not Customer.objects.exists()


def test_a_service_clerk_cannot_log_a_walk_in(service_client):
    response = service_client.post(reverse("crm:walk-in"), _form(uuid.uuid4()))
    assert response.status_code == 403
    assert not Customer.objects.exists()


def test_duplicates_appear_while_the_phone_is_typed(sales_client, store, other_store):
    olivia = CustomerFactory(store=store, first_name="Olivia", phone="+15550102345")
    CustomerFactory(store=other_store, first_name="Otherstore", phone="+15550102345")
    response = sales_client.get(reverse("crm:duplicates"),
                                {"phone": "(555) 010-2345", "email": ""},
                                headers={"HX-Request": "true"})
    page = response.content.decode()
    assert "Olivia" in page and "Open that profile" in page
    assert f'name="open_profile" value="{olivia.pk}"' in page
    assert "Otherstore" not in page


def test_a_profile_with_an_old_unchecked_phone_can_still_log_a_visit(sales_client, store):
    known = CustomerFactory(store=store, first_name="Ava", phone="+15550102345")
    response = sales_client.post(reverse("crm:walk-in"), _form(
        uuid.uuid4(), customer=known.pk, first_name="Ava", phone="(555) 010-2345"))
    assert response.status_code == 302
    assert Customer.objects.get() == known
    assert known.walk_ins.count() == 1


def test_a_new_number_on_this_is_them_must_still_be_a_real_phone(sales_client, store):
    known = CustomerFactory(store=store, first_name="Ava", phone="+15550102345")
    response = sales_client.post(reverse("crm:walk-in"), _form(
        uuid.uuid4(), customer=known.pk, first_name="Ava", phone="(555) 010-9999"))
    assert response.context["form"].errors["phone"]
    assert not known.walk_ins.exists()


def test_a_form_without_its_one_time_key_is_refused_and_given_a_fresh_one(sales_client):
    data = _form(uuid.uuid4())
    del data["key"]
    response = sales_client.post(reverse("crm:walk-in"), data)
    assert response.status_code == 200
    assert not Customer.objects.exists()
    fresh = response.context["form"]["key"].value()
    assert uuid.UUID(fresh)
    again = sales_client.post(reverse("crm:walk-in"), data | {"key": fresh})
    assert again.status_code == 302
    assert Customer.objects.count() == 1


def test_a_full_walk_in_save_stays_within_its_query_budget(sales_client, store, salesperson,
                                                          django_assert_max_num_queries):
    """Issue 19: a walk-in save, who is asking included, costs at most 20 queries, with
    everything the screen takes: likes, three dates, a piece, a purchase, two consents."""
    likes = list(Preference.objects.for_store(store).offered()[:2])
    form = _form(uuid.uuid4(), email="olivia@mail.example", consent_email="on",
                 birthday_month="3", birthday_day="4", partner_birthday_month="5",
                 partner_birthday_day="6", looked_at="Sapphire halo ring",
                 looked_at_price="2400.00", bought="yes", purchase_amount="180.00",
                 preferences=[str(p.pk) for p in likes])
    with django_assert_max_num_queries(20):
        response = sales_client.post(reverse("crm:walk-in"), form)
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert customer.assigned_to == salesperson and customer.last_visit_at is not None
    assert set(customer.preferences.all()) == set(likes)
    assert Occasion.objects.filter(customer=customer).count() == 3
    assert Consent.objects.filter(customer=customer, granted=True).count() == 2
    assert Purchase.objects.get(customer=customer).amount == Decimal("180.00")
    assert WishItem.objects.filter(customer=customer).count() == 1
    assert Assignment.objects.get(customer=customer).ended_at is None
    assert sorted(AuditEntry.objects.filter(object_id=str(customer.pk))
                  .values_list("action", flat=True)) == sorted([
        "customer.created", "client.assigned", *["occasion.added"] * 3, "purchase.recorded",
        *["consent.granted"] * 2, "customer.walk_in"])
    assert list(customer.interactions.order_by("id").values_list("kind", flat=True)) == [
        InteractionKind.CHANGE, InteractionKind.PURCHASE, InteractionKind.VISIT]
    assert customer.lifetime_value == Decimal("180.00") and not customer.is_prospect
    assert customer.history.count() == 1
    assert {o.history.get().history_user for o in customer.occasions.all()} == {
        salesperson.user}
