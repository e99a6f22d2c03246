"""A public form's confirmation email: an outbox row like every other message, sent from the
store's sender, transactional (no consent, quiet hours or cap), and tied to no profile until
the sign-up is confirmed."""

import datetime
from email.utils import formataddr

import pytest
from django.core import mail
from django.template import Context, Template
from django.urls import reverse

from core.errors import LoupeError
from crm.links import confirmation_token, confirmation_url
from crm.models import Consent, Interaction
from crm.services import sign_up_confirm, sign_up_create
from followups import preview, services
from followups.models import Message, MessageStatus, MessageTemplate, TemplateKind
from followups.sender import message_send
from followups.services import messaging_settings_for, templates_ensure
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

MORNING = datetime.datetime(2026, 11, 26, 16, 0, tzinfo=datetime.UTC)  # 10:00 Chicago
NIGHT = datetime.datetime(2026, 11, 26, 9, 0, tzinfo=datetime.UTC)  # 03:00 Chicago


@pytest.fixture
def entry(store):
    """Ava's website sign-up, as the form saves it (its email is in the outbox)."""
    return sign_up_create(store=store, source="website", ip="203.0.113.7", first_name="Ava",
                          last_name="Brown", email="Ava@Mail.Example")


@pytest.fixture
def store_sender(store):
    messaging = messaging_settings_for(store=store)
    messaging.sender_name, messaging.sender_email = "Gem & Loupe", "hello@gemloupe.example"
    messaging.sender_phone = "+12175550100"
    messaging.save()
    return messaging


@pytest.mark.time_machine(MORNING, tick=False)
def test_the_confirmation_email_comes_from_the_stores_sender_with_the_stores_name(
        entry, store, store_sender):
    message = Message.objects.get(sign_up=entry)

    assert message_send(message_id=message.pk) == "sent"

    [email] = mail.outbox
    assert email.from_email == formataddr(("Gem & Loupe", "hello@gemloupe.example"))
    assert email.to == ["ava@mail.example"]
    assert email.subject == "Please confirm your email for Gem & Loupe"
    assert "Hello Ava" in email.body and "Gem & Loupe" in email.body
    assert confirmation_url(sign_up=entry) in email.body
    assert store.address in email.body
    # Nothing to unsubscribe from: no consent exists yet, and none is asked of the provider.
    assert "Unsubscribe" not in email.body
    assert "List-Unsubscribe" not in email.extra_headers
    message.refresh_from_db()
    assert (message.status, message.body) == (MessageStatus.SENT, email.body)
    assert not Interaction.objects.exists()


@pytest.mark.time_machine(NIGHT, tick=False)
def test_the_confirmation_email_goes_out_at_once_in_quiet_hours_without_any_consent(
        entry, store_sender):
    store_sender.fatigue_cap = 0
    store_sender.save()
    message = Message.objects.get(sign_up=entry)

    assert message_send(message_id=message.pk) == "sent"

    assert len(mail.outbox) == 1
    assert not Consent.objects.exists()


def test_a_sign_ups_confirmation_is_planned_once(entry):
    again = services.sign_up_confirmation_plan(sign_up=entry)

    assert Message.objects.get() == again
    assert (again.customer, again.kind) == (None, TemplateKind.SIGN_UP_CONFIRMATION)


def test_the_message_log_shows_a_sign_up_by_the_name_typed_and_finds_it_by_last_name(
        manager_client, entry):
    page = manager_client.get(reverse("followups:message-log")).content.decode()
    found = manager_client.get(reverse("followups:message-log"), {"customer": "bro"})
    missed = manager_client.get(reverse("followups:message-log"), {"customer": "zzz"})

    assert "Ava Brown" in page and "sign-up, not confirmed" in page
    assert "ava@mail.example" in found.content.decode()
    assert "ava@mail.example" not in missed.content.decode()


def test_her_profile_lists_the_confirmation_email_once_she_confirmed(entry):
    message_send(message_id=Message.objects.get().pk)
    confirmed = sign_up_confirm(token=confirmation_token(sign_up=entry)).sign_up

    panel = Template('{% include "followups/partials/_customer_messages.html" %}')
    html = panel.render(Context({"customer": confirmed.customer}))

    assert "Sign-up confirmation" in html


def test_todays_follow_ups_do_not_list_a_sign_ups_email_among_a_managers_clients(
        manager_client, entry):
    message_send(message_id=Message.objects.get().pk)
    assert Message.objects.get().status == MessageStatus.SENT

    page = manager_client.get(reverse("followups:today")).content.decode()

    assert "Sign-up confirmation" not in page


def test_a_bounced_confirmation_fails_the_message_and_revokes_nothing(entry):
    message = Message.objects.get()
    message_send(message_id=message.pk)
    message.refresh_from_db()

    new = services.message_record_event(provider="anymail-test", event_id="bounce-1",
                                        provider_id=message.provider_id,
                                        status=MessageStatus.FAILED, reason="bounced",
                                        unreachable=True)

    assert new
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert not Consent.objects.exists()


def test_a_confirmation_template_without_its_link_is_refused_and_the_preview_shows_one(
        store, manager, entry):
    templates_ensure(store=store)
    template = MessageTemplate.objects.get(store=store, kind=TemplateKind.SIGN_UP_CONFIRMATION)
    CustomerFactory(store=store, first_name="Nora", email="nora@mail.example")

    with pytest.raises(LoupeError, match="link"):
        services.template_update(template=template, subject="Hello",
                                 body="Dear {{ first_name }}, welcome.", by=manager)
    shown = preview.render_preview(template=template, subject=template.subject,
                                   body=template.body, email="nora@mail.example")

    template.refresh_from_db()
    assert "{{ link }}" in template.body
    assert "Hello Nora" in shown.body
    assert f"http://testserver{reverse('crm:capture-confirm')}?t=" in shown.body
