"""The unsubscribe link: a GET only asks, the button or the one-click POST revokes at once."""

import pytest

from crm.models import Channel, ConsentMethod, Purpose
from crm.selectors import consent_current
from followups.compose import unsubscribe_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriber(make_customer):
    customer, _ = make_customer(channels=[Channel.EMAIL, Channel.SMS])
    return customer


def _url(customer):
    return f"/followups/unsubscribe/{unsubscribe_token(customer.pk, address=customer.email)}/"


def _emails_allowed(customer):
    return consent_current(customer=customer, channel=Channel.EMAIL, address=customer.email,
                           purpose=Purpose.OCCASION_REMINDERS)


def test_a_get_shows_one_button_and_changes_nothing(client, subscriber):
    rows = subscriber.consents.count()
    response = client.get(_url(subscriber))
    assert response.status_code == 200
    assert "Unsubscribe me" in response.content.decode()
    assert subscriber.consents.count() == rows
    assert _emails_allowed(subscriber)


def test_the_confirm_button_revokes_email_without_logging_in(client, subscriber):
    response = client.post(_url(subscriber))
    assert response.status_code == 200
    assert f"{subscriber.email} is unsubscribed" in response.content.decode()
    assert not _emails_allowed(subscriber)
    revoked = subscriber.consents.get(channel=Channel.EMAIL, granted=False)
    assert revoked.method == ConsentMethod.UNSUBSCRIBE
    # Texts are a different channel: untouched.
    assert consent_current(customer=subscriber, channel=Channel.SMS,
                           address=str(subscriber.phone), purpose=Purpose.OCCASION_REMINDERS)


def test_the_rfc_8058_one_click_post_revokes_directly(client, subscriber):
    response = client.post(_url(subscriber), {"List-Unsubscribe": "One-Click"},
                           enforce_csrf_checks=True)
    assert response.status_code == 200
    assert not _emails_allowed(subscriber)


def test_the_link_works_again_and_adds_nothing_the_second_time(client, subscriber):
    client.post(_url(subscriber))
    rows = subscriber.consents.count()
    again = client.post(_url(subscriber))
    assert again.status_code == 200
    assert subscriber.consents.count() == rows


def test_a_tampered_token_is_refused(client, subscriber, make_customer):
    other, _ = make_customer()
    token = unsubscribe_token(subscriber.pk, address=subscriber.email)
    forged = token.replace(f"{subscriber.pk}:", f"{other.pk}:", 1)
    for url in (f"/followups/unsubscribe/{forged}/", "/followups/unsubscribe/garbage/"):
        assert client.get(url).status_code == 400
        assert client.post(url).status_code == 400
    assert _emails_allowed(subscriber) and _emails_allowed(other)
