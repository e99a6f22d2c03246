"""After the sale: care news planned from purchases, once per purchase and step, only with
consent, at most one every six months, and a touch under the fatigue cap."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from crm.models import Channel, Purpose
from crm.services import purchase_record
from followups.aftercare import plan_store
from followups.models import AftercareStep, Message, MessageStatus
from followups.sender import message_send
from followups.services import messaging_settings_for
from repairs.models import Status
from tests.factories import ConsentFactory, CustomerFactory, EnvelopeFactory, MessageFactory

pytestmark = pytest.mark.django_db

# 10:00 in Chicago (the test store's timezone), inside sending hours.
MORNING = datetime.datetime(2026, 11, 26, 16, 0, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 26)


@pytest.fixture
def ava(store, salesperson):
    customer = CustomerFactory(store=store, first_name="Ava", email="ava@mail.example",
                               phone="+12175550142", assigned_to=salesperson)
    for channel in (Channel.EMAIL, Channel.SMS):
        ConsentFactory(customer=customer, channel=channel, purpose=Purpose.EVENTS,
                       created_at=MORNING - datetime.timedelta(days=400))
    return customer


def _bought(customer, days_ago, amount="450", what="Pearl strand"):
    return purchase_record(customer=customer, purchased_on=TODAY - datetime.timedelta(
        days=days_ago), amount=Decimal(amount), description=what, by=customer.assigned_to)


pytestmark = [pytestmark, pytest.mark.time_machine(MORNING, tick=False)]


def test_a_care_check_six_months_on_is_planned_once_per_channel(store, ava):
    purchase = _bought(ava, 182)

    first = plan_store(store=store, now=MORNING)
    again = plan_store(store=store, now=MORNING + datetime.timedelta(hours=1))

    assert (first.planned, again.planned) == (2, 0)
    rows = Message.objects.order_by("channel")
    assert [(m.kind, m.channel, m.to, m.purchase, m.purpose) for m in rows] == [
        ("care_check", "email", "ava@mail.example", purchase, "events"),
        ("care_check", "sms", "+12175550142", purchase, "events")]
    assert again.skipped == {"had one in the last six months": 1}


def test_a_purchase_missed_for_a_few_days_is_caught_up_but_not_a_year_later(store, ava):
    _bought(ava, 185)
    _bought(ava, 200, what="Old ring")

    plan_store(store=store, now=MORNING)

    assert Message.objects.get(channel="email").purchase.description == "Pearl strand"


def test_without_consent_for_news_nothing_is_planned(store, salesperson):
    quiet = CustomerFactory(store=store, assigned_to=salesperson)
    ConsentFactory(customer=quiet, purpose=Purpose.OCCASION_REMINDERS)
    ConsentFactory(customer=quiet, purpose=Purpose.EVENTS, granted=False, method="unsubscribe",
                   created_at=MORNING)
    ConsentFactory(customer=quiet, purpose=Purpose.EVENTS, granted=True,
                   created_at=MORNING - datetime.timedelta(days=30))
    _bought(quiet, 182)

    result = plan_store(store=store, now=MORNING)

    assert not Message.objects.exists()
    assert result.skipped == {"no consent for news": 1}


def test_one_year_with_your_piece_goes_only_from_the_stores_amount(store, ava):
    small = CustomerFactory(store=store, email="small@mail.example")
    ConsentFactory(customer=small, purpose=Purpose.EVENTS)
    _bought(ava, 335, amount="4800", what="Solitaire engagement ring")
    _bought(small, 335, amount="200", what="Silver ring")
    plan_store(store=store, now=MORNING)
    assert set(Message.objects.values_list("customer__email", "kind")) == {
        ("ava@mail.example", "one_year")}

    AftercareStep.objects.create(store=store, kind="one_year", after_days=335, min_amount=100)
    plan_store(store=store, now=MORNING)
    assert Message.objects.filter(customer=small, kind="one_year").count() == 1


def test_at_most_one_aftercare_message_every_six_months(store, ava):
    _bought(ava, 182)
    _bought(ava, 183, what="Diver watch")
    plan_store(store=store, now=MORNING)
    assert Message.objects.filter(channel="email").count() == 1

    _bought(ava, 335, amount="5000", what="Ring")
    result = plan_store(store=store, now=MORNING)
    assert result.planned == 0
    assert Message.objects.filter(channel="email").count() == 1


@pytest.mark.parametrize(("what", "words"), [
    ("Solitaire engagement ring", "prong check"),
    ("Pearl strand", "restringing"),
    ("Diver watch", "service every three to five years"),
])
def test_the_message_says_how_to_care_for_what_they_bought_and_shows_on_today(
        store, ava, salesperson, sales_client, what, words):
    _bought(ava, 182, what=what)
    messaging = messaging_settings_for(store=store)
    plan_store(store=store, now=MORNING)
    email = Message.objects.get(channel="email")

    assert message_send(message_id=email.pk) == "sent"

    [sent] = mail.outbox
    assert sent.subject == f"Caring for your {what.lower()}"
    assert words in sent.body and "Dear Ava" in sent.body
    assert "Unsubscribe:" in sent.body
    assert messaging.fatigue_cap == 2
    today = sales_client.get(reverse("followups:today")).content.decode()
    assert "Ava" in today and "Care of a piece bought" in today


def test_an_aftercare_message_is_held_by_the_fatigue_cap(store, ava):
    messaging = messaging_settings_for(store=store)
    messaging.fatigue_cap = 1
    messaging.save()
    MessageFactory(customer=ava, status=MessageStatus.SENT,
                   sent_at=MORNING - datetime.timedelta(days=3))
    _bought(ava, 182)
    plan_store(store=store, now=MORNING)
    email = Message.objects.get(channel="email", kind="care_check")

    assert message_send(message_id=email.pk) == "suppressed"

    email.refresh_from_db()
    assert email.reason.startswith("Fatigue cap: 1 marketing touches")
    assert not mail.outbox


@pytest.fixture
def waiting(store, ava):
    """Ava's ring, ready for pickup; she agreed to repair notices by email."""
    ConsentFactory(customer=ava, channel=Channel.EMAIL, purpose=Purpose.REPAIR_NOTICES,
                   created_at=MORNING - datetime.timedelta(days=60))

    def ready(days_ago, **fields):
        return EnvelopeFactory(customer=ava, status=Status.READY,
                               ready_at=MORNING - datetime.timedelta(days=days_ago), **fields)

    return ready


def test_a_repair_ready_and_not_collected_is_reminded_at_14_and_30_days(store, waiting):
    fortnight, month, fresh = waiting(14), waiting(30), waiting(5)

    plan_store(store=store, now=MORNING)
    plan_store(store=store, now=MORNING + datetime.timedelta(hours=1))

    rows = Message.objects.filter(kind__in=["repair_waiting", "repair_still_waiting"])
    assert sorted((m.envelope_id, m.kind, m.channel, m.purpose) for m in rows) == sorted([
        (fortnight.pk, "repair_waiting", "email", "repairs"),
        (month.pk, "repair_still_waiting", "email", "repairs")])
    assert not Message.objects.filter(envelope=fresh).exists()


def test_a_pickup_reminder_is_not_sent_once_the_repair_was_collected(store, waiting):
    envelope = waiting(14)
    plan_store(store=store, now=MORNING)
    envelope.status = Status.PICKED_UP
    envelope.save()
    reminder = Message.objects.get(envelope=envelope)

    assert message_send(message_id=reminder.pk) == "suppressed"
    reminder.refresh_from_db()
    assert "collected" in reminder.reason
    assert not mail.outbox


def test_a_pickup_reminder_goes_even_past_the_fatigue_cap(store, waiting):
    messaging = messaging_settings_for(store=store)
    messaging.fatigue_cap = 1
    messaging.save()
    envelope = waiting(14, number=77)
    MessageFactory(customer=envelope.customer, status=MessageStatus.SENT,
                   sent_at=MORNING - datetime.timedelta(days=2))
    plan_store(store=store, now=MORNING)
    reminder = Message.objects.get(envelope=envelope)

    assert message_send(message_id=reminder.pk) == "sent"
    [sent] = mail.outbox
    assert sent.subject == "Your repair is waiting for you"
    assert f"envelope {envelope.number}" in sent.body


def test_a_repaired_ring_gets_a_care_check_six_months_after_it_was_collected(store, ava):
    envelope = EnvelopeFactory(customer=ava, status=Status.PICKED_UP, item_type="ring",
                               item_description="Gold solitaire",
                               closed_at=MORNING - datetime.timedelta(days=182))

    plan_store(store=store, now=MORNING)
    care = Message.objects.get(envelope=envelope, channel="email")
    assert (care.kind, care.purpose) == ("care_check", "events")
    assert message_send(message_id=care.pk) == "sent"
    assert "prong check" in mail.outbox[0].body
    assert mail.outbox[0].subject == "Caring for your gold solitaire"


def test_a_manager_sets_the_stores_steps_and_reading_the_page_writes_nothing(
        manager_client, store, ava):
    page = manager_client.get(reverse("followups:aftercare"))
    assert page.status_code == 200 and "One year with their piece" in page.content.decode()
    assert not AftercareStep.objects.exists()

    refused = manager_client.post(reverse("followups:aftercare"), {
        "care_check-after_days": "0", "care_check-min_amount": "0",
        "care_check-active": "on", "one_year-after_days": "300", "one_year-min_amount": "500"})
    assert refused.status_code == 200 and not AftercareStep.objects.exists()
    assert 'value="300"' in refused.content.decode()

    manager_client.post(reverse("followups:aftercare"), {
        "care_check-after_days": "90", "care_check-min_amount": "0", "care_check-active": "on",
        "one_year-after_days": "300", "one_year-min_amount": "500",
        "thank_you_call-after_days": "3", "thank_you_call-min_amount": "0"})
    steps = {s.kind: (s.after_days, s.min_amount, s.active)
             for s in AftercareStep.objects.filter(store=store)}
    assert steps == {"thank_you_call": (3, Decimal("0.00"), False),
                     "care_check": (90, Decimal("0.00"), True),
                     "one_year": (300, Decimal("500.00"), False)}
    _bought(ava, 90)
    _bought(ava, 300, amount="5000")
    plan_store(store=store, now=MORNING)
    assert set(Message.objects.values_list("kind", flat=True)) == {"care_check"}
