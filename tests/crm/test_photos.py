"""Photos of the pieces a customer loved or bought."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from crm import services
from crm.models import PiecePhoto, WishItem
from tests.factories import CustomerFactory
from tests.repairs.test_photos import camera_photo

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def ava(store, salesperson):
    customer = CustomerFactory(store=store, first_name="Ava", assigned_to=salesperson)
    services.purchase_record(customer=customer, purchased_on=store.today(), amount=900,
                             description="Pearl strand", by=salesperson)
    return customer


def test_an_associate_photographs_a_purchase_and_sees_it_on_the_profile(sales_client, ava):
    purchase = ava.purchases.get()

    response = sales_client.post(f"/customers/{ava.pk}/photos/add/", {
        "piece": f"purchase-{purchase.pk}", "photo": camera_photo(3000, 3000)})

    assert response.status_code == 302
    photo = PiecePhoto.objects.get()
    assert (photo.purchase, photo.wish_item, photo.width) == (purchase, None, 1600)
    page = sales_client.get(f"/customers/{ava.pk}/").content.decode()
    assert f'src="/customers/photos/{photo.pk}/"' in page


def test_a_wish_list_item_gets_its_photo(sales_client, ava):
    wish = WishItem.objects.create(customer=ava, description="Tennis bracelet")

    sales_client.post(f"/customers/{ava.pk}/photos/add/", {
        "piece": f"wish-{wish.pk}", "photo": camera_photo(400, 300), "caption": "In white gold"})

    assert wish.photos.get().caption == "In white gold"


def test_another_customers_piece_cannot_be_chosen(sales_client, ava, store):
    other = CustomerFactory(store=store)
    wish = WishItem.objects.create(customer=other, description="Not hers")

    response = sales_client.post(f"/customers/{ava.pk}/photos/add/", {
        "piece": f"wish-{wish.pk}", "photo": camera_photo(400, 300)})

    assert response.status_code == 200
    assert response.context["form"].errors["piece"]
    assert not PiecePhoto.objects.exists()


def test_a_text_file_is_refused_and_another_stores_staff_cannot_open_a_photo(
        sales_client, other_manager, ava):
    purchase = ava.purchases.get()
    refused = sales_client.post(f"/customers/{ava.pk}/photos/add/", {
        "piece": f"purchase-{purchase.pk}", "photo": SimpleUploadedFile("a.jpg", b"hello")})
    assert "not a photo" in " ".join(refused.context["form"].errors["photo"])
    sales_client.post(f"/customers/{ava.pk}/photos/add/", {
        "piece": f"purchase-{purchase.pk}", "photo": camera_photo(400, 300)})
    photo = PiecePhoto.objects.get()

    assert sales_client.get(f"/customers/photos/{photo.pk}/").status_code == 200
    elsewhere = Client()
    elsewhere.force_login(other_manager.user)
    assert elsewhere.get(f"/customers/photos/{photo.pk}/").status_code == 404
