"""At the counter, consent is recorded for the envelope's email and the number typed, and
the ready notice goes to those addresses with their own consent, nowhere else."""

import datetime

import pytest
from django.core import mail

from crm.models import Channel, Consent, ConsentMethod, Purpose
from crm.selectors import consent_current
from followups import sms
from followups.models import Message, MessageStatus
from followups.sender import message_send
from followups.services import repair_ready_notify
from tests.factories import ConsentFactory, CustomerFactory

pytestmark = pytest.mark.django_db

# Nov 26, 2026, 10:00 in Chicago (the test store's timezone): inside sending hours.
MORNING = datetime.datetime(2026, 11, 26, 16, 0, tzinfo=datetime.UTC)


@pytest.fixture
def returning(store):
    """A client with an email and a number on file, who agreed to reminders on both."""
    customer = CustomerFactory(store=store, email="old@mail.example", secondary_email="",
                               phone="+12175550142")
    ConsentFactory(customer=customer, channel=Channel.EMAIL)
    ConsentFactory(customer=customer, channel=Channel.SMS)
    return customer


def test_take_in_consent_is_for_the_envelope_email_and_the_number_typed(take_in, returning):
    take_in(customer=returning, email="New@Mail.Example", email_choice="keep",
            phone="(217) 555-0199", texts_ok=True, marketing_ok=True)
    recorded = set(Consent.objects.filter(method=ConsentMethod.ENVELOPE)
                   .values_list("channel", "address", "purpose"))
    assert recorded == {(Channel.EMAIL, "new@mail.example", Purpose.REPAIR_NOTICES),
                        (Channel.EMAIL, "new@mail.example", Purpose.EVENTS),
                        (Channel.SMS, "+12175550199", Purpose.REPAIR_NOTICES)}


@pytest.mark.parametrize("choice", ["replace", "keep"])
def test_a_new_email_at_take_in_brings_no_reminder_consent(take_in, returning, choice):
    take_in(customer=returning, email="new@mail.example", email_choice=choice)
    assert not consent_current(customer=returning, channel=Channel.EMAIL,
                               address="new@mail.example",
                               purpose=Purpose.OCCASION_REMINDERS)
    assert consent_current(customer=returning, channel=Channel.EMAIL,
                           address="new@mail.example", purpose=Purpose.REPAIR_NOTICES)


@pytest.mark.time_machine(MORNING, tick=False)
def test_the_ready_text_goes_to_the_number_given_at_the_counter(take_in, returning, sent_mail):
    sms.outbox.clear()
    envelope = take_in(customer=returning, email="old@mail.example", phone="+12175550199",
                       texts_ok=True)
    messages = repair_ready_notify(envelope=envelope)
    assert sorted((m.channel, m.to) for m in messages) == [
        ("email", "old@mail.example"), ("sms", "+12175550199")]
    for message in messages:
        assert message_send(message_id=message.pk) == "sent"
    assert [text["to"] for text in sms.outbox] == ["+12175550199"]
    assert [email.to for email in sent_mail] == [["old@mail.example"]]


@pytest.mark.time_machine(MORNING, tick=False)
def test_no_ready_text_to_a_number_whose_only_consent_is_for_reminders(take_in, returning):
    envelope = take_in(customer=returning, email="old@mail.example")
    messages = repair_ready_notify(envelope=envelope)
    assert [m.channel for m in messages] == ["email"]
    assert not Message.objects.filter(channel=Channel.SMS).exists()


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_ready_email_to_an_address_that_bounced_since_is_held_back(take_in, returning):
    envelope = take_in(customer=returning, email="old@mail.example")
    ConsentFactory(customer=returning, channel=Channel.EMAIL, purpose=Purpose.REPAIR_NOTICES,
                   granted=False, method=ConsentMethod.BOUNCE)
    [message] = repair_ready_notify(envelope=envelope)
    assert message.status == MessageStatus.SUPPRESSED
    assert "old@mail.example" in message.reason
    assert not mail.outbox


def test_the_capture_report_reads_the_envelopes_own_address(store):
    from django.utils import timezone

    from repairs.selectors import capture_report
    from tests.factories import EnvelopeFactory

    now = timezone.now()
    envelope = EnvelopeFactory(customer__store=store, customer__email="ada@mail.example",
                               customer__secondary_email="ada@work.example",
                               email="ada@mail.example", taken_in_at=now)
    # Marketing yes and a bounce, both for the customer's other address.
    ConsentFactory(customer=envelope.customer, address="ada@work.example",
                   purpose=Purpose.EVENTS)
    ConsentFactory(customer=envelope.customer, address="ada@work.example", granted=False,
                   purpose=Purpose.REPAIR_NOTICES, method=ConsentMethod.BOUNCE,
                   created_at=now + datetime.timedelta(hours=1))
    [row] = capture_report(store=store, since=now - datetime.timedelta(days=7))
    assert (row["take_ins"], row["valid_email"], row["with_marketing"]) == (1, 1, 0)
