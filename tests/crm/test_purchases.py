"""A purchase typed on the customer's page: a bridal one asks for the wedding date."""

import datetime

import pytest
from django.urls import reverse

from crm.models import Occasion, Purchase
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_a_bridal_purchase_with_the_wedding_date_creates_the_anniversary(sales_client, store):
    olivia = CustomerFactory(store=store, first_name="Olivia")
    wedding = store.today() + datetime.timedelta(days=120)

    response = sales_client.post(reverse("crm:purchase", kwargs={"customer_id": olivia.pk}), {
        "purchased_on": store.today().isoformat(), "amount": "5200",
        "description": "Engagement ring", "wedding_date": wedding.isoformat()})

    assert response.status_code == 302
    anniversary = Occasion.objects.get(customer=olivia)
    assert (anniversary.kind, anniversary.month, anniversary.day, anniversary.year) == (
        "anniversary", wedding.month, wedding.day, wedding.year)
    olivia.refresh_from_db()
    assert olivia.last_purchase_on == store.today()


def test_a_wedding_date_that_cannot_be_is_refused_beside_it_and_nothing_is_saved(
        sales_client, store):
    olivia = CustomerFactory(store=store)

    response = sales_client.post(reverse("crm:purchase", kwargs={"customer_id": olivia.pk}), {
        "purchased_on": store.today().isoformat(), "amount": "5200",
        "wedding_date": "2099-06-01"})

    assert response.status_code == 200
    assert "does not look right" in " ".join(response.context["form"].errors["wedding_date"])
    assert not Purchase.objects.exists() and not Occasion.objects.exists()
