"""A walk-in whose phone or email is on file: "this is a different person?" before a second
profile, and nothing the associate typed is lost either way."""

import uuid

import pytest
from django.urls import reverse

from crm.models import Customer, WalkIn
from crm.services import customer_log_walk_in
from crm.services.walk_ins import SAME_PERSON_CODE
from tests.crm.test_walk_in import _entry, _form
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

WALK_IN = reverse("crm:walk-in")


@pytest.fixture
def olivia_on_file(store):
    return CustomerFactory(store=store, first_name="Olivia", last_name="Smith",
                           phone="+12175550142", email="olivia@mail.example")


def test_a_walk_in_with_a_phone_on_file_asks_before_a_second_profile(
        sales_client, olivia_on_file):
    typed = _form(uuid.uuid4(), looked_at="Pearl studs", why_not="Thinking about it")
    response = sales_client.post(WALK_IN, typed)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Is this a different person?" in page
    assert f'name="open_profile" value="{olivia_on_file.pk}"' in page
    assert 'name="different_person" value="yes"' in page
    assert list(response.context["same_person"]) == [olivia_on_file]
    form = response.context["form"]
    assert form["last_name"].value() == "Hernandez"
    assert form["looked_at"].value() == "Pearl studs"
    assert form["anniversary_day"].value() == "14"
    assert Customer.objects.count() == 1
    assert not WalkIn.objects.exists()


def test_a_walk_in_with_an_email_on_file_asks_too_whatever_its_case(
        sales_client, olivia_on_file):
    response = sales_client.post(WALK_IN, _form(uuid.uuid4(), phone="", consent_sms="",
                                                email="OLIVIA@mail.example"))
    assert list(response.context["same_person"]) == [olivia_on_file]
    assert Customer.objects.count() == 1


def test_yes_a_different_person_creates_the_second_profile_once(sales_client, olivia_on_file):
    key = uuid.uuid4()
    for _ in range(2):  # a double tap on "yes"
        response = sales_client.post(WALK_IN, _form(key, different_person="yes"))
        assert response.status_code == 302
    new = Customer.objects.exclude(pk=olivia_on_file.pk).get()
    assert (new.first_name, new.last_name, str(new.phone)) == ("Olivia", "Hernandez",
                                                               "+12175550142")
    assert new.walk_ins.count() == 1
    assert not olivia_on_file.walk_ins.exists()


def test_open_that_profile_keeps_what_was_typed_over_what_is_on_file(
        sales_client, olivia_on_file):
    typed = _form(uuid.uuid4(), looked_at="Pearl studs", open_profile=str(olivia_on_file.pk))
    response = sales_client.post(WALK_IN, typed)
    assert response.status_code == 200
    assert response.context["customer"] == olivia_on_file
    form = response.context["form"]
    assert not form.is_bound
    assert form["email"].value() == "olivia@mail.example"  # on file, left blank here
    assert form["last_name"].value() == "Hernandez"  # typed wins
    assert form["looked_at"].value() == "Pearl studs"
    assert form["anniversary_month"].value() == "9"
    assert form["consent_sms"].value()
    assert 'value="Pearl studs"' in response.content.decode()
    assert not WalkIn.objects.exists()


def test_after_opening_that_profile_saving_logs_the_visit_on_it(sales_client, olivia_on_file):
    response = sales_client.post(WALK_IN, _form(uuid.uuid4(), last_name="Smith",
                                                customer=str(olivia_on_file.pk)))
    assert response.status_code == 302
    assert Customer.objects.count() == 1
    assert olivia_on_file.walk_ins.count() == 1


def test_another_stores_profile_with_the_phone_is_not_offered(sales_client, other_store):
    CustomerFactory(store=other_store, phone="+12175550142")
    response = sales_client.post(WALK_IN, _form(uuid.uuid4()))
    assert response.status_code == 302
    assert Customer.objects.count() == 2


def test_another_stores_profile_cannot_be_opened(sales_client, other_store):
    theirs = CustomerFactory(store=other_store, phone="+12175550142")
    response = sales_client.post(WALK_IN, _form(uuid.uuid4(), open_profile=str(theirs.pk)))
    assert response.status_code == 404


def test_the_service_refuses_a_second_profile_unless_told_it_is_another_person(
        store, salesperson, olivia_on_file):
    from core.errors import LoupeError

    with pytest.raises(LoupeError) as refused:
        customer_log_walk_in(store=store, by=salesperson, key=uuid.uuid4(), entry=_entry())
    assert refused.value.code == SAME_PERSON_CODE
    assert Customer.objects.count() == 1
    customer_log_walk_in(store=store, by=salesperson, key=uuid.uuid4(), entry=_entry(),
                         different_person=True)
    assert Customer.objects.count() == 2


def test_asking_costs_the_same_queries_for_one_match_or_five(
        sales_client, store, olivia_on_file, django_assert_max_num_queries):
    with django_assert_max_num_queries(13) as one:
        sales_client.post(WALK_IN, _form(uuid.uuid4()))
    for n in range(7):
        CustomerFactory(store=store, phone="+12175550142", email=f"o{n}@mail.example")
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = sales_client.post(WALK_IN, _form(uuid.uuid4()))
    assert len(response.context["same_person"]) == 5
