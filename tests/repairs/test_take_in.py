"""Taking a repair in at the counter: the email is required and reaches the profile."""

import datetime
import uuid

import pytest
from django.db import IntegrityError

from core.errors import LoupeError
from crm.models import Channel, Consent, ConsentMethod, Customer, InteractionKind, Purpose, Source
from repairs.models import Envelope, EnvelopeCounter, Status, StatusChange
from repairs.services import MARKETING_WORDS, REPAIR_NOTICE_WORDS, REPAIR_TEXT_WORDS
from tests.factories import CustomerFactory, EnvelopeFactory

pytestmark = pytest.mark.django_db


def _nothing_saved():
    assert not Envelope.objects.exists()
    assert not Consent.objects.exists()
    assert EnvelopeCounter.objects.filter(last_number__gt=0).count() == 0


@pytest.mark.parametrize("email", ["", "   "])
def test_take_in_without_email_is_refused(take_in, email):
    with pytest.raises(LoupeError) as refused:
        take_in(email=email)
    assert refused.value.field == "email"
    assert "required" in refused.value.message
    assert "ready-for-pickup notice" in refused.value.message
    _nothing_saved()
    assert not Customer.objects.exists()


def test_take_in_with_an_invalid_email_is_refused(take_in):
    with pytest.raises(LoupeError) as refused:
        take_in(email="ada@mail")
    assert refused.value.field == "email"
    assert "not a valid email" in refused.value.message
    _nothing_saved()
    assert not Customer.objects.exists()


def test_the_database_refuses_an_envelope_without_email(store):
    with pytest.raises(IntegrityError, match="envelope_email_required"):
        EnvelopeFactory(customer__store=store, email="")


def test_a_new_customer_becomes_a_repair_prospect_with_the_email(take_in, service_clerk):
    envelope = take_in(email="  Ada@Mail.Example ", phone="(217) 555-0142")
    customer = envelope.customer
    assert (customer.first_name, customer.last_name) == ("Ada", "Lovelace")
    assert customer.email == envelope.email == "ada@mail.example"
    assert str(customer.phone) == str(envelope.phone) == "+12175550142"
    assert customer.source == Source.REPAIR
    assert customer.is_prospect
    assert envelope.taken_in_by == service_clerk
    assert envelope.status == Status.RECEIVED


def test_taking_in_records_the_first_step_and_the_timeline(take_in, service_clerk):
    envelope = take_in()
    step = StatusChange.objects.get(envelope=envelope)
    assert (step.from_status, step.to_status, step.changed_by) == ("", Status.RECEIVED,
                                                                   service_clerk)
    entry = envelope.customer.interactions.get(kind=InteractionKind.REPAIR)
    assert f"#{envelope.number}" in entry.summary


def test_repair_notice_consent_is_recorded_with_the_words_shown(take_in, service_clerk):
    envelope = take_in()
    consent = Consent.objects.get(customer=envelope.customer)
    assert (consent.channel, consent.purpose, consent.method, consent.granted) == (
        Channel.EMAIL, Purpose.REPAIR_NOTICES, ConsentMethod.ENVELOPE, True)
    assert consent.words == REPAIR_NOTICE_WORDS
    assert consent.recorded_by == service_clerk


def test_marketing_consent_is_never_assumed(take_in):
    envelope = take_in()
    assert not envelope.customer.consents.filter(purpose=Purpose.EVENTS).exists()
    assert not envelope.customer.consents.filter(channel=Channel.SMS).exists()


def test_marketing_and_texts_are_recorded_when_the_customer_says_yes(take_in):
    envelope = take_in(phone="+12175550142", texts_ok=True, marketing_ok=True)
    consents = {(c.channel, c.purpose): c.words for c in envelope.customer.consents.all()}
    assert consents == {
        (Channel.EMAIL, Purpose.REPAIR_NOTICES): REPAIR_NOTICE_WORDS,
        (Channel.SMS, Purpose.REPAIR_NOTICES): REPAIR_TEXT_WORDS,
        (Channel.EMAIL, Purpose.EVENTS): MARKETING_WORDS,
    }


def test_texts_without_a_phone_number_are_refused(take_in):
    with pytest.raises(LoupeError) as refused:
        take_in(texts_ok=True)
    assert refused.value.field == "phone"
    _nothing_saved()


def test_the_email_reaches_a_returning_customer_with_none_on_file(take_in, store):
    customer = CustomerFactory(store=store, email="")
    envelope = take_in(customer=customer, email="grace@mail.example")
    customer.refresh_from_db()
    assert customer.email == envelope.email == "grace@mail.example"
    assert Customer.objects.count() == 1


def test_a_different_email_asks_whether_to_replace_or_keep_both(take_in, store):
    customer = CustomerFactory(store=store, email="old@mail.example")
    with pytest.raises(LoupeError) as asked:
        take_in(customer=customer, email="new@mail.example")
    assert asked.value.field == "email_choice"
    assert "old@mail.example" in asked.value.message
    customer.refresh_from_db()
    assert customer.email == "old@mail.example"
    assert customer.secondary_email == ""
    _nothing_saved()


def test_replacing_the_email_keeps_the_old_one_on_the_timeline(take_in, store):
    customer = CustomerFactory(store=store, email="old@mail.example")
    envelope = take_in(customer=customer, email="new@mail.example", email_choice="replace")
    customer.refresh_from_db()
    assert customer.email == envelope.email == "new@mail.example"
    assert customer.secondary_email == ""
    change = customer.interactions.get(kind=InteractionKind.CHANGE)
    assert "old@mail.example" in change.summary


def test_keeping_both_emails_adds_the_new_one_as_second(take_in, store):
    customer = CustomerFactory(store=store, email="old@mail.example")
    envelope = take_in(customer=customer, email="new@mail.example", email_choice="keep")
    customer.refresh_from_db()
    assert customer.email == "old@mail.example"
    assert customer.secondary_email == "new@mail.example"
    assert envelope.email == "new@mail.example"


def test_the_email_already_on_file_needs_no_question(take_in, store):
    customer = CustomerFactory(store=store, email="ada@mail.example")
    envelope = take_in(customer=customer, email="ADA@mail.example")
    assert envelope.customer == customer
    assert not customer.interactions.filter(kind=InteractionKind.CHANGE).exists()


def test_a_new_customer_whose_email_is_on_file_is_pointed_to_the_profile(take_in, store):
    CustomerFactory(store=store, email="ada@mail.example")
    with pytest.raises(LoupeError) as refused:
        take_in(email="ada@mail.example")
    assert refused.value.field == "email"
    assert "already on file" in refused.value.message
    assert Customer.objects.count() == 1
    _nothing_saved()


def test_another_stores_customer_cannot_be_taken_in_here(take_in, other_store):
    stranger = CustomerFactory(store=other_store, email="ada@mail.example")
    with pytest.raises(LoupeError):
        take_in(customer=stranger)
    _nothing_saved()


def test_a_promised_date_in_the_past_is_refused(take_in, store):
    yesterday = store.today() - datetime.timedelta(days=1)
    with pytest.raises(LoupeError) as refused:
        take_in(promised_on=yesterday)
    assert refused.value.field == "promised_on"
    assert "already passed" in refused.value.message
    _nothing_saved()
    assert not Customer.objects.exists()


def test_numbers_count_up_per_store_and_a_refused_take_in_leaves_no_gap(
        take_in, store, other_store, other_manager):
    first = take_in()
    with pytest.raises(LoupeError):
        take_in(email="", new_customer=None)
    second = take_in(email="bea@mail.example")
    elsewhere = take_in(store=other_store, by=other_manager, email="cy@mail.example")
    assert (first.number, second.number) == (1, 2)
    assert elsewhere.number == 1


def test_a_double_tap_takes_the_piece_in_once(take_in):
    key = uuid.uuid4()
    first = take_in(take_in_key=key)
    again = take_in(take_in_key=key)
    assert again.pk == first.pk
    assert Envelope.objects.count() == 1
    assert EnvelopeCounter.objects.get().last_number == 1


def test_the_first_take_in_numbers_after_envelopes_already_on_file(take_in, store):
    from repairs.models import EnvelopeCounter

    EnvelopeFactory(customer__store=store, number=41)
    EnvelopeCounter.objects.filter(store=store).delete()  # the paper book, loaded before Loupe
    assert take_in().number == 42
