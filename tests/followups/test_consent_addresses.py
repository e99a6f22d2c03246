"""A message goes only to an address whose own current consent covers its purpose: the
planner picks it, the sender checks it again, and opt-outs revoke that address alone."""

import datetime
import uuid

import pytest
from django.core import mail
from django.core.signing import TimestampSigner

from crm.links import confirmation_token
from crm.models import (
    Channel,
    Consent,
    ConsentMethod,
    ContactPreference,
    OccasionKind,
    Purpose,
    Source,
)
from crm.selectors import consent_current
from crm.services import (
    OccasionEntry,
    WalkInEntry,
    customer_log_walk_in,
    customer_update,
    sign_up_confirm,
    sign_up_create,
)
from followups import services
from followups.compose import UNSUBSCRIBE_SALT, unsubscribe_token
from followups.models import CallTask, Message, MessageStatus
from followups.planner import plan_store
from followups.sender import message_send
from tests.factories import ConsentFactory, CustomerFactory, MessageFactory, OccasionFactory

pytestmark = pytest.mark.django_db

# Nov 26, 2026, 10:00 in Chicago (the test store's timezone): inside sending hours.
MORNING = datetime.datetime(2026, 11, 26, 16, 0, tzinfo=datetime.UTC)
TWO_WEEKS = datetime.date(2026, 12, 10)
REMINDERS = Purpose.OCCASION_REMINDERS


def _allowed(customer, channel, address, purpose=REMINDERS):
    return consent_current(customer=customer, channel=channel, address=address,
                           purpose=purpose)


def _plan(store):
    return plan_store(store=store, now=MORNING)


def _stranger_signs_up_and_confirms(store, *, phone):
    """Eve types the client's phone and her own email on the website, and confirms."""
    sign_up = sign_up_create(store=store, source=Source.WEBSITE, ip="203.0.113.9",
                             first_name="Eve", email="eve@mail.example", phone=phone)
    return sign_up_confirm(token=confirmation_token(sign_up=sign_up))


@pytest.mark.time_machine(MORNING, tick=False)
@pytest.mark.parametrize("client_email", ["olivia@mail.example", ""])
def test_a_stranger_signing_up_with_a_clients_phone_never_gets_the_clients_reminder(
        store, salesperson, client_email):
    olivia = CustomerFactory(store=store, first_name="Olivia", email=client_email,
                             phone="+12175550142", assigned_to=salesperson,
                             source=Source.WALK_IN)
    OccasionFactory(customer=olivia, month=12, day=10)
    _stranger_signs_up_and_confirms(store, phone="(217) 555-0142")
    olivia.refresh_from_db()
    assert olivia.email == client_email  # her profile is untouched

    result = _plan(store)

    assert result.messages == 0
    # Only Eve's own confirmation email is in the outbox: no reminder for anyone.
    assert not Message.objects.exclude(kind="sign_up_confirmation").exists()
    assert not _allowed(olivia, Channel.EMAIL, "eve@mail.example")
    # Whatever the stranger confirmed is theirs: nothing on the client's own address.
    assert not Consent.objects.exclude(address="eve@mail.example").exists()


@pytest.mark.time_machine(MORNING, tick=False)
def test_after_a_stranger_signs_up_the_clients_reminder_still_goes_to_her_own_address(
        store, make_customer):
    olivia, _ = make_customer(on=TWO_WEEKS, email="olivia@mail.example", phone="+12175550142")
    _stranger_signs_up_and_confirms(store, phone="+12175550142")
    _plan(store)
    assert list(Message.objects.filter(purpose=REMINDERS).values_list("channel", "to")) == [
        ("email", "olivia@mail.example")]


def test_the_second_email_is_used_when_only_it_has_consent(store, make_customer):
    ava, _ = make_customer(on=TWO_WEEKS, channels=[], secondary_email="ava@work.example")
    ConsentFactory(customer=ava, address="ava@work.example")
    _plan(store)
    assert Message.objects.get().to == "ava@work.example"


def test_the_main_email_comes_first_when_both_have_consent(store, make_customer):
    ava, _ = make_customer(on=TWO_WEEKS, secondary_email="ava@work.example")
    ConsentFactory(customer=ava, address="ava@work.example")
    _plan(store)
    assert Message.objects.get().to == ava.email


def test_a_changed_email_gets_no_reminder_and_the_dry_run_says_no_consent(
        store, salesperson, make_customer):
    ava, _ = make_customer(on=TWO_WEEKS, channels=[Channel.EMAIL], phone="")
    customer_update(customer=ava, by=salesperson, email="ava@new.example")
    assert _plan(store).messages == 0
    assert not Message.objects.exists()
    outcomes = plan_store(store=store, now=MORNING, dry_run=True).outcomes
    assert outcomes["email: skipped: no consent"] == 1


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_reminder_planned_before_the_email_changed_is_held_back_with_the_reason(
        store, salesperson, make_customer):
    ava, _ = make_customer(on=TWO_WEEKS, email="ava@mail.example")
    _plan(store)
    customer_update(customer=ava, by=salesperson, email="ava@new.example")
    message = Message.objects.get()
    assert message_send(message_id=message.pk) == "suppressed"
    message.refresh_from_db()
    assert message.status == MessageStatus.SUPPRESSED
    assert message.reason == "ava@mail.example is no longer on the profile."
    assert not mail.outbox


def test_a_changed_phone_gets_no_text_and_no_call(store, salesperson, make_customer):
    ava, _ = make_customer(on=TWO_WEEKS, channels=[Channel.SMS, Channel.PHONE],
                           phone="+12175550142")
    customer_update(customer=ava, by=salesperson, phone="+12175550199")
    _plan(store)
    assert not Message.objects.exists()
    assert not CallTask.objects.exists()


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_text_planned_before_the_phone_changed_is_held_back_with_the_reason(
        store, salesperson, make_customer):
    from followups import sms

    ava, _ = make_customer(on=TWO_WEEKS, channels=[Channel.SMS], phone="+12175550142")
    _plan(store)
    customer_update(customer=ava, by=salesperson, phone="+12175550199")
    message = Message.objects.get()
    assert message_send(message_id=message.pk) == "suppressed"
    message.refresh_from_db()
    assert message.reason == "+12175550142 is no longer on the profile."
    assert not sms.outbox


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_reminder_planned_to_an_address_that_lost_its_consent_is_held_back(
        store, make_customer):
    ava, _ = make_customer(on=TWO_WEEKS)
    _plan(store)
    ConsentFactory(customer=ava, granted=False, method=ConsentMethod.UNSUBSCRIBE)
    message = Message.objects.get()
    assert message_send(message_id=message.pk) == "suppressed"
    message.refresh_from_db()
    assert message.reason == ("No current consent for occasion reminders by email at "
                              f"{ava.email} at send time.")


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_message_planned_before_addresses_were_kept_goes_only_to_a_consented_one(
        store, make_customer):
    ava, occasion = make_customer(on=TWO_WEEKS, channels=[],
                                  secondary_email="ava@work.example")
    ConsentFactory(customer=ava, address="ava@work.example")
    message = MessageFactory(customer=ava, occasion=occasion, to="", due_at=MORNING)
    assert message_send(message_id=message.pk) == "sent"
    message.refresh_from_db()
    assert message.to == "ava@work.example"
    assert [m.to for m in mail.outbox] == [["ava@work.example"]]


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_message_planned_before_addresses_were_kept_without_consent_is_held_back(
        store, make_customer):
    ava, occasion = make_customer(on=TWO_WEEKS, channels=[])
    message = MessageFactory(customer=ava, occasion=occasion, to="", due_at=MORNING)
    assert message_send(message_id=message.pk) == "suppressed"
    message.refresh_from_db()
    assert f"at {ava.email} at send time" in message.reason
    assert not mail.outbox


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_walk_in_who_prefers_email_gets_only_the_email_even_with_text_consent(
        store, salesperson):
    entry = WalkInEntry(first_name="Olivia", phone="(217) 555-0142", email="olivia@mail.example",
                        occasions=[OccasionEntry(kind=OccasionKind.BIRTHDAY, month=12, day=10)],
                        consents={Channel.SMS: True, Channel.EMAIL: True},
                        contact_preference=ContactPreference.EMAIL)
    olivia = customer_log_walk_in(store=store, by=salesperson, key=uuid.uuid4(), entry=entry)
    assert _allowed(olivia, Channel.SMS, "+12175550142")  # text consent too

    dry = plan_store(store=store, now=MORNING, dry_run=True).outcomes
    _plan(store)

    assert list(Message.objects.filter(purpose=REMINDERS).values_list("channel", "to")) == [
        ("email", "olivia@mail.example")]
    assert dry["sms: skipped: prefers email"] == 1


def test_a_preference_for_texts_plans_no_email_and_both_plans_both(store, make_customer):
    texts, _ = make_customer(on=TWO_WEEKS, channels=[Channel.EMAIL, Channel.SMS],
                             contact_preference=ContactPreference.TEXT)
    both, _ = make_customer(on=TWO_WEEKS, channels=[Channel.EMAIL, Channel.SMS],
                            contact_preference=ContactPreference.BOTH)
    _plan(store)
    assert sorted(Message.objects.values_list("customer", "channel")) == [
        (texts.pk, "sms"), (both.pk, "email"), (both.pk, "sms")]


def test_stop_from_a_number_revokes_that_number_only(store, make_customer):
    ava, _ = make_customer(channels=[Channel.SMS], phone="+12175550142")
    ConsentFactory(customer=ava, channel=Channel.SMS, address="+12175550199")
    services.sms_inbound(sender="+12175550142", store_number="+12175550100", text="STOP")
    assert not _allowed(ava, Channel.SMS, "+12175550142")
    assert _allowed(ava, Channel.SMS, "+12175550199")
    services.sms_inbound(sender="+12175550142", store_number="+12175550100", text="START")
    assert _allowed(ava, Channel.SMS, "+12175550142")


def test_unsubscribing_revokes_the_address_in_the_link_only(client, store, make_customer):
    ava, _ = make_customer(secondary_email="ava@work.example")
    ConsentFactory(customer=ava, address="ava@work.example")
    token = unsubscribe_token(ava.pk, address="ava@work.example")
    assert "work.example" not in token  # links end up in server logs
    response = client.post(f"/followups/unsubscribe/{token}/")
    assert "ava@work.example is unsubscribed" in response.content.decode()
    assert not _allowed(ava, Channel.EMAIL, "ava@work.example")
    assert _allowed(ava, Channel.EMAIL, ava.email)


def test_an_unsubscribe_link_from_before_revokes_every_email_address(client, store,
                                                                    make_customer):
    ava, _ = make_customer(secondary_email="ava@work.example")
    for address in ("ava@work.example", "ava@old.example"):
        ConsentFactory(customer=ava, address=address, purpose=Purpose.EVENTS)
    ConsentFactory(customer=ava, channel=Channel.SMS)
    old_token = TimestampSigner(salt=UNSUBSCRIBE_SALT).sign(str(ava.pk))
    assert client.post(f"/followups/unsubscribe/{old_token}/").status_code == 200
    for address in (ava.email, "ava@work.example", "ava@old.example"):
        for purpose in (REMINDERS, Purpose.EVENTS):
            assert not _allowed(ava, Channel.EMAIL, address, purpose)
    assert _allowed(ava, Channel.SMS, str(ava.phone))


def test_a_bounce_revokes_the_address_the_message_went_to_only(store, make_customer):
    ava, occasion = make_customer(secondary_email="ava@work.example")
    ConsentFactory(customer=ava, address="ava@work.example")
    message = MessageFactory(customer=ava, occasion=occasion, to="ava@work.example",
                             status=MessageStatus.SENT, provider_id="pm-1")
    services.message_record_event(provider="postmark", event_id="e-1", provider_id="pm-1",
                                  status=MessageStatus.FAILED, unreachable=True,
                                  method=ConsentMethod.BOUNCE)
    assert not _allowed(ava, Channel.EMAIL, "ava@work.example")
    assert _allowed(ava, Channel.EMAIL, ava.email)
    assert message.customer.consents.get(method=ConsentMethod.BOUNCE).address == \
        "ava@work.example"
