"""Composing: one place turns an outbox row into its words, for every sender and the preview."""

import datetime

import pytest
from django.core.signing import BadSignature

from crm.models import Channel, Purpose
from followups import compose
from followups.models import Message, MessageTemplate, TemplateKind
from followups.services import messaging_settings_for
from tests.factories import MessageFactory, MessageTemplateFactory

pytestmark = pytest.mark.django_db

MORNING = datetime.datetime(2026, 11, 26, 16, 0, tzinfo=datetime.UTC)


@pytest.fixture
def reminder(make_customer):
    customer, occasion = make_customer(on=datetime.date(2026, 12, 10), first_name="Olivia")
    return MessageFactory(customer=customer, occasion=occasion, to=customer.email,
                          occurs_on=datetime.date(2026, 12, 10), due_at=MORNING)


def test_an_occasion_reminders_context_names_the_customer_the_date_and_the_associate(reminder):
    context = compose.message_context(reminder, messaging_settings_for(store=reminder.store))

    assert context["first_name"] == "Olivia"
    assert context["occasion"] == "birthday"
    assert context["date"] == "December 10"
    assert context["associate"] == "Sally Sales"
    assert "link" not in context


def test_a_campaign_adds_its_own_placeholders_and_they_are_rendered(store, make_customer):
    """What the event invitation needs: an unsaved or saved message, extra words, one render."""
    customer, _ = make_customer(first_name="Ada", purpose=Purpose.EVENTS)
    invitation = Message(store=store, customer=customer, channel=Channel.EMAIL,
                         purpose=Purpose.EVENTS, kind=TemplateKind.EVENT_INVITATION,
                         due_at=MORNING, to=customer.email)
    words = MessageTemplate(store=store, kind=TemplateKind.EVENT_INVITATION,
                            channel=Channel.EMAIL, subject="{{ event }} at {{ store }}",
                            body="Dear {{ first_name }}, answer here: {{ rsvp_link }}")
    messaging = messaging_settings_for(store=store)

    subject, body = compose.render(invitation, messaging, template=words,
                                   extra={"event": "Spring trunk show",
                                          "rsvp_link": "https://example.test/rsvp/abc"})

    assert subject == f"Spring trunk show at {store.name}"
    assert body.startswith("Dear Ada, answer here: https://example.test/rsvp/abc\n\n--\n")
    assert body.endswith(
        f"Unsubscribe: {compose.unsubscribe_url(customer.pk, address=customer.email)}")


def test_render_uses_the_stores_own_template_over_the_default(reminder):
    MessageTemplateFactory(store=reminder.store, kind=reminder.kind, channel=Channel.EMAIL,
                           subject="For {{ first_name }}", body="See you, {{ first_name }}.")

    subject, body = compose.render(reminder, messaging_settings_for(store=reminder.store))

    assert subject == "For Olivia"
    assert body.startswith("See you, Olivia.\n\n--\n")


def test_the_unsubscribe_token_names_the_customer_and_a_key_of_the_address_not_the_address():
    token = compose.unsubscribe_token(42, address="ava@work.example")

    assert "ava@work.example" not in token
    assert compose.unsubscribe_from_token(token) == (
        42, compose.address_key("ava@work.example"))
    with pytest.raises(BadSignature):
        compose.unsubscribe_from_token(token[:-2] + "xx")
