import pytest

from core.errors import LoupeError
from core.models import AuditEntry
from crm import services
from crm.models import Assignment, Customer, Interaction, Source
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_salesperson_who_creates_a_customer_becomes_their_associate(store, salesperson):
    customer = services.customer_create(store=store, by=salesperson,
                                        source=Source.WALK_IN, first_name=" Olivia ",
                                        last_name="Smith", email="Olivia@Mail.Example",
                                        phone="(217) 555-0142", partner_name="Liam")
    customer.refresh_from_db()
    assert customer.full_name == "Olivia Smith"
    assert customer.email == "olivia@mail.example"
    assert str(customer.phone) == "+12175550142"
    assert customer.partner_name == "Liam"
    assert customer.assigned_to == salesperson
    assignment = Assignment.objects.get(customer=customer)
    assert assignment.reason == "walk_in" and assignment.ended_at is None
    assert AuditEntry.objects.filter(action="customer.created", object_id=str(customer.pk),
                                     actor=salesperson.user).exists()


def test_a_service_clerk_who_creates_a_customer_does_not_become_their_associate(
        store, service_clerk):
    customer = services.customer_create(store=store, by=service_clerk,
                                        source=Source.REPAIR, first_name="Ruth",
                                        email="ruth@mail.example")
    assert customer.assigned_to is None
    assert not Assignment.objects.filter(customer=customer).exists()


@pytest.mark.parametrize(("field", "kwargs"), [
    ("email", {"email": "not-an-email"}),
    ("phone", {"phone": "12"}),
    ("first_name", {"first_name": "  "}),
])
def test_bad_contact_details_are_refused_and_nothing_is_saved(store, salesperson, field, kwargs):
    values = {"first_name": "Olivia"} | kwargs
    with pytest.raises(LoupeError) as refused:
        services.customer_create(store=store, by=salesperson, source=Source.WALK_IN,
                                 **values)
    assert refused.value.field == field
    assert not Customer.objects.exists()
    assert not Assignment.objects.exists()


def test_email_is_set_when_the_profile_has_none(store, service_clerk):
    customer = CustomerFactory(store=store, email="")
    services.customer_email_set(customer=customer, email="Ava@Mail.Example", keep_previous=True,
                                by=service_clerk)
    customer.refresh_from_db()
    assert customer.email == "ava@mail.example"
    assert customer.secondary_email == ""


def test_a_new_email_replaces_the_old_one_and_says_so_on_the_timeline(store, service_clerk):
    customer = CustomerFactory(store=store, email="old@mail.example")
    services.customer_email_set(customer=customer, email="new@mail.example",
                                keep_previous=False, by=service_clerk)
    customer.refresh_from_db()
    assert customer.email == "new@mail.example"
    assert customer.secondary_email == ""
    assert Interaction.objects.filter(
        customer=customer, summary="Email changed from old@mail.example to new@mail.example"
    ).exists()


def test_keeping_the_previous_email_stores_the_new_one_as_secondary(store, service_clerk):
    customer = CustomerFactory(store=store, email="old@mail.example")
    services.customer_email_set(customer=customer, email="NEW@mail.example",
                                keep_previous=True, by=service_clerk)
    customer.refresh_from_db()
    assert customer.email == "old@mail.example"
    assert customer.secondary_email == "new@mail.example"


def test_an_email_they_already_have_changes_nothing(store, service_clerk):
    customer = CustomerFactory(store=store, email="old@mail.example")
    services.customer_email_set(customer=customer, email="OLD@mail.example",
                                keep_previous=False, by=service_clerk)
    assert not Interaction.objects.filter(customer=customer).exists()


def test_an_invalid_email_at_take_in_is_refused(store, service_clerk):
    customer = CustomerFactory(store=store, email="old@mail.example")
    with pytest.raises(LoupeError) as refused:
        services.customer_email_set(customer=customer, email="nope", keep_previous=False,
                                    by=service_clerk)
    assert refused.value.field == "email"
    customer.refresh_from_db()
    assert customer.email == "old@mail.example"
