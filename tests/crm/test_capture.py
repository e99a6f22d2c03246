import re

import pytest
from django.core import mail
from django.urls import reverse

from crm import tasks
from crm.models import Channel, Consent, ConsentMethod, Customer, Purpose, Source
from crm.views.public import RATE_LIMIT
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def send_now(monkeypatch):
    """Run the queued confirmation task in this process instead of through a worker."""
    monkeypatch.setattr(tasks.send_capture_confirmation, "delay",
                        lambda *args: tasks.send_capture_confirmation.apply(args=args))


def _sign_up(client, store, django_capture_on_commit_callbacks, view="crm:capture", **extra):
    data = {"first_name": "Ava", "last_name": "Brown", "email": "Ava@Mail.Example",
            "phone": "", "occasion_kind": "birthday", "occasion_month": "4",
            "occasion_day": "2"} | extra
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse(view, kwargs={"store_id": store.pk}), data)


def test_signing_up_creates_a_prospect_and_sends_a_confirmation_but_records_no_consent(
        client, store, send_now, django_capture_on_commit_callbacks):
    response = _sign_up(client, store, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    ava = Customer.objects.get()
    assert (ava.email, ava.source, ava.assigned_to) == ("ava@mail.example", Source.WEBSITE, None)
    assert ava.occasions.get().month == 4
    assert not Consent.objects.exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ava@mail.example"]
    assert "/customers/join/confirm/?t=" in mail.outbox[0].body


def test_the_link_in_the_email_records_email_consent_from_the_web_form(
        client, store, send_now, django_capture_on_commit_callbacks):
    _sign_up(client, store, django_capture_on_commit_callbacks, view="crm:capture-drawing")
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    assert client.get(link).status_code == 200
    assert client.get(link).status_code == 200
    consents = Consent.objects.filter(customer__email="ava@mail.example")
    assert {(c.channel, c.purpose, c.method, c.granted) for c in consents} == {
        (Channel.EMAIL, Purpose.EVENTS, ConsentMethod.WEB_FORM, True),
        (Channel.EMAIL, Purpose.OCCASION_REMINDERS, ConsentMethod.WEB_FORM, True),
    }
    assert Customer.objects.get().source == Source.DRAWING


def test_a_tampered_link_records_nothing(client, store):
    CustomerFactory(store=store, email="ava@mail.example")
    response = client.get(reverse("crm:capture-confirm"), {"t": "forged:token"})
    assert response.status_code == 400
    assert not Consent.objects.exists()


def test_a_bot_filling_the_honeypot_is_thanked_and_ignored(
        client, store, send_now, django_capture_on_commit_callbacks):
    response = _sign_up(client, store, django_capture_on_commit_callbacks,
                        website="http://spam.example")
    assert response.status_code == 302
    assert not Customer.objects.exists()
    assert not mail.outbox


def test_too_many_sign_ups_from_one_address_are_refused(
        client, store, send_now, django_capture_on_commit_callbacks):
    for n in range(RATE_LIMIT):
        _sign_up(client, store, django_capture_on_commit_callbacks, email=f"a{n}@mail.example")
    response = _sign_up(client, store, django_capture_on_commit_callbacks,
                        email="late@mail.example")
    assert response.status_code == 429
    assert not Customer.objects.filter(email="late@mail.example").exists()
    assert Customer.objects.count() == RATE_LIMIT


def test_signing_up_again_does_not_duplicate_the_profile(
        client, store, send_now, django_capture_on_commit_callbacks):
    known = CustomerFactory(store=store, email="ava@mail.example")
    _sign_up(client, store, django_capture_on_commit_callbacks)
    assert Customer.objects.get() == known


@pytest.mark.parametrize(("overrides", "field"), [
    ({"email": "ava@"}, "email"),
    ({"email": ""}, "email"),
    ({"phone": "123"}, "phone"),
    ({"occasion_month": "2", "occasion_day": "30"}, "occasion_day"),
    ({"occasion_kind": ""}, "occasion_kind"),
])
def test_bad_sign_up_input_is_shown_beside_the_field(
        client, store, send_now, django_capture_on_commit_callbacks, overrides, field):
    response = _sign_up(client, store, django_capture_on_commit_callbacks, **overrides)
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert response.context["form"]["first_name"].value() == "Ava"
    assert not Customer.objects.exists()
    assert not mail.outbox
