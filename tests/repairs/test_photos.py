"""Photos of a piece's condition at take-in: resized, on the envelope and its printed ticket,
seen only by the store's staff."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from repairs.models import Envelope, EnvelopePhoto
from tests.factories import EnvelopeFactory

pytestmark = pytest.mark.django_db

TAKE_IN = "/repairs/take-in/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def camera_photo(width=4032, height=3024, *, orientation=None, name="IMG_0001.jpg"):
    """A phone camera's JPEG (with its orientation tag and a GPS position in EXIF)."""
    image = Image.new("RGB", (width, height), (200, 170, 60))
    exif = Image.Exif()
    exif[0x8825] = {2: (39.0, 47.0, 0.0)}  # GPS latitude
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, quality=95)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


@pytest.fixture
def typed(store, next_week):
    return {
        "take_in_key": "0b6f0e9c-1111-4a4a-9c9c-5a5a5a5a5a5a", "customer": "",
        "first_name": "Ada", "last_name": "Lovelace", "email": "ada@mail.example",
        "phone": "", "item_type": "ring", "item_description": "Gold solitaire",
        "metal": "14k yellow", "stones": "0.5 ct diamond", "condition": "Bent prong",
        "work_requested": "Size 6 to 7", "estimate": "85.50", "deposit": "20",
        "promised_on": next_week.isoformat(),
    }


def test_a_photo_taken_at_take_in_is_resized_upright_and_without_its_location(
        service_client, typed, service_clerk):
    # Taken with the phone held upright: stored landscape, tagged "rotate 90".
    response = service_client.post(TAKE_IN, typed | {
        "condition_photo": camera_photo(orientation=6)})

    envelope = Envelope.objects.get()
    assert response.status_code == 302
    photo = envelope.photos.get()
    assert (photo.width, photo.height, photo.taken_by) == (1200, 1600, service_clerk)
    with photo.image.open("rb") as stored, Image.open(stored) as image:
        assert image.format == "JPEG" and image.size == (1200, 1600)
        assert not image.getexif()
    assert photo.image.name.startswith(f"photos/{envelope.store_id}/")


def test_a_file_that_is_not_a_photo_is_refused_beside_the_field_and_nothing_is_saved(
        service_client, typed):
    response = service_client.post(TAKE_IN, typed | {
        "condition_photo": SimpleUploadedFile("ring.jpg", b"not a picture at all")})

    assert response.status_code == 200
    assert "not a photo" in " ".join(response.context["form"].errors["condition_photo"])
    assert not Envelope.objects.exists() and not EnvelopePhoto.objects.exists()
    assert 'value="Gold solitaire"' in response.content.decode()


def test_the_photo_is_on_the_envelope_page_and_the_printed_ticket(service_client, typed):
    service_client.post(TAKE_IN, typed | {"condition_photo": camera_photo(800, 600)})
    envelope = Envelope.objects.get()
    photo = envelope.photos.get()
    src = f'src="/repairs/{envelope.pk}/photos/{photo.pk}/"'

    assert src in service_client.get(f"/repairs/{envelope.pk}/").content.decode()
    printed = service_client.get(f"/repairs/{envelope.pk}/print/").content.decode()
    assert src in printed and "loupe-photos-print" in printed
    served = service_client.get(f"/repairs/{envelope.pk}/photos/{photo.pk}/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["Cache-Control"] == "private, max-age=3600"
    assert b"".join(served.streaming_content)[:2] == b"\xff\xd8"


def test_another_stores_staff_get_404_for_the_photo(service_client, other_manager, typed):
    service_client.post(TAKE_IN, typed | {"condition_photo": camera_photo(300, 200)})
    photo = EnvelopePhoto.objects.get()
    url = f"/repairs/{photo.envelope_id}/photos/{photo.pk}/"

    elsewhere = Client()
    elsewhere.force_login(other_manager.user)
    assert elsewhere.get(url).status_code == 404
    assert service_client.get(url).status_code == 200
    service_client.logout()
    assert service_client.get(url).status_code == 302  # to the login page


def test_a_photo_of_another_envelope_is_not_found_through_this_one(service_client, store,
                                                                   typed):
    service_client.post(TAKE_IN, typed | {"condition_photo": camera_photo(300, 200)})
    photo = EnvelopePhoto.objects.get()
    other = EnvelopeFactory(customer=photo.envelope.customer, number=99)

    assert service_client.get(f"/repairs/{other.pk}/photos/{photo.pk}/").status_code == 404


def test_a_photo_can_be_added_to_an_envelope_later(service_client, store):
    envelope = EnvelopeFactory(customer__store=store)
    response = service_client.post(f"/repairs/{envelope.pk}/photos/add/", {
        "photo": camera_photo(2000, 1000), "caption": "Missing side stone"})

    assert response.status_code == 302
    photo = envelope.photos.get()
    assert (photo.caption, photo.width, photo.height) == ("Missing side stone", 1600, 800)
