"""Names, labels and subjects are one line: a line break is refused beside the field (and
again by the service), never saved to end up in an email header."""

import uuid

import pytest
from django.urls import reverse

from core.errors import LoupeError
from crm.models import Customer
from crm.services import customer_create, customer_update
from followups.models import MessageTemplate
from followups.services import template_update, templates_ensure
from repairs.models import Envelope
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _walk_in(**overrides):
    return {"key": str(uuid.uuid4()), "first_name": "Olivia", "last_name": "Hernandez",
            "phone": "(217) 555-0142", "email": "", "bought": "no",
            "anniversary_month": "9", "anniversary_day": "14", "consent_sms": "on"} | overrides


@pytest.mark.parametrize("field", ["first_name", "last_name", "partner_name", "other_label"])
def test_a_name_with_a_line_break_is_refused_on_the_walk_in_form(sales_client, field):
    typed = "Olivia\r\nBcc: everyone@mail.example"
    response = sales_client.post(reverse("crm:walk-in"), _walk_in(**{field: typed}))
    assert response.status_code == 200
    form = response.context["form"]
    assert "one line" in " ".join(form.errors[field])
    assert form[field].value() == typed  # kept for fixing
    assert not Customer.objects.exists()


def test_a_name_with_a_line_break_is_refused_on_the_profile_form(sales_client, store,
                                                                  salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson, first_name="Nora",
                               last_name="Lee")
    url = reverse("crm:edit", kwargs={"customer_id": customer.pk})
    response = sales_client.post(url, {"first_name": "Nora\nLee", "last_name": "Lee"})
    assert response.status_code == 200
    assert "one line" in " ".join(response.context["form"].errors["first_name"])
    customer.refresh_from_db()
    assert customer.first_name == "Nora"


def test_a_name_with_a_line_break_is_refused_at_the_repair_counter(service_client, store):
    response = service_client.post(reverse("repairs:take-in"), {
        "take_in_key": str(uuid.uuid4()), "first_name": "Ada\nBcc: x@mail.example",
        "last_name": "Lovelace", "email": "ada@mail.example", "item_type": "ring",
        "item_description": "Gold solitaire", "work_requested": "Size 6 to 7",
        "promised_on": "2099-01-01"})
    assert response.status_code == 200
    assert "one line" in " ".join(response.context["form"].errors["first_name"])
    assert not Envelope.objects.exists()
    assert not Customer.objects.exists()


def test_a_template_subject_with_a_line_break_is_refused(manager_client, store):
    templates_ensure(store=store)
    template = MessageTemplate.objects.get(store=store, kind="birthday", channel="email")
    before = template.subject
    response = manager_client.post(
        reverse("followups:template-edit", kwargs={"template_id": template.pk}),
        {"subject": "Happy birthday\nBcc: everyone@mail.example", "body": "Dear {{ first_name }}"})
    assert response.status_code == 200
    assert "one line" in " ".join(response.context["form"].errors["subject"])
    template.refresh_from_db()
    assert template.subject == before


def test_the_services_refuse_line_breaks_too(store, salesperson, manager):
    with pytest.raises(LoupeError) as refused:
        customer_create(store=store, by=salesperson, source="walk_in",
                        first_name="Olivia", last_name="Her\nnandez")
    assert refused.value.field == "last_name"
    assert not Customer.objects.exists()

    customer = CustomerFactory(store=store, partner_name="Liam")
    with pytest.raises(LoupeError) as refused:
        customer_update(customer=customer, by=salesperson, partner_name="Liam\u2028Smith")
    assert refused.value.field == "partner_name"
    customer.refresh_from_db()
    assert customer.partner_name == "Liam"

    templates_ensure(store=store)
    template = MessageTemplate.objects.get(store=store, kind="birthday", channel="email")
    with pytest.raises(LoupeError) as refused:
        template_update(template=template, subject="Hi\rthere", body="Dear {{ first_name }}",
                        by=manager)
    assert refused.value.field == "subject"


def test_a_multi_line_note_is_still_fine(store, salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson)
    customer_update(customer=customer, by=salesperson, notes="Likes pearls.\nSize 6.")
    customer.refresh_from_db()
    assert customer.notes == "Likes pearls.\nSize 6."
