"""Cancelling asks why on a step of its own; marking ready says what the customer will get."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from core.errors import LoupeError
from crm.models import Channel, ConsentMethod, Interaction, Purpose
from crm.services import consent_record
from followups.selectors import repair_ready_plan
from repairs.models import Envelope, Status, StatusChange
from repairs.services import envelope_status_change
from tests.factories import EnvelopeFactory

pytestmark = pytest.mark.django_db

# The test store is in Chicago; sending hours are 9:00 to 20:00 there.
STORE_NOON = datetime.datetime(2026, 11, 24, 18, 0, tzinfo=datetime.UTC)
STORE_LATE_EVENING = datetime.datetime(2026, 11, 25, 4, 30, tzinfo=datetime.UTC)  # 22:30
SATURDAY_NIGHT = datetime.datetime(2026, 11, 29, 5, 30, tzinfo=datetime.UTC)  # Sat 23:30


def _url(name, envelope):
    return reverse(f"repairs:{name}", kwargs={"envelope_id": envelope.pk})


def _said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# Cancelling

def test_the_envelope_page_offers_cancel_as_a_link_to_a_confirmation_not_a_button(
        service_client, store):
    envelope = EnvelopeFactory(customer__store=store)
    page = service_client.get(_url("envelope", envelope)).content.decode()
    assert 'value="cancelled"' not in page
    assert _url("envelope-cancel", envelope) in page
    assert 'value="ready"' in page


def test_the_cancel_step_asks_why_and_changes_nothing_on_the_way(service_client, store):
    envelope = EnvelopeFactory(customer__store=store)
    response = service_client.get(_url("envelope-cancel", envelope))
    assert response.status_code == 200
    assert "Why is the repair cancelled?" in response.content.decode()
    envelope.refresh_from_db()
    assert envelope.status == Status.RECEIVED


def test_cancelling_without_a_reason_is_refused_and_nothing_changes(service_client, store):
    envelope = EnvelopeFactory(customer__store=store)
    response = service_client.post(_url("envelope-cancel", envelope), {"reason": "   "})
    assert response.status_code == 200
    assert "Say why the repair is cancelled" in " ".join(response.context["form"].errors["reason"])
    envelope.refresh_from_db()
    assert envelope.status == Status.RECEIVED
    assert not StatusChange.objects.filter(envelope=envelope, to_status=Status.CANCELLED).exists()


def test_the_reason_goes_on_the_history_and_the_timeline(service_client, store, service_clerk):
    envelope = EnvelopeFactory(customer__store=store)
    response = service_client.post(_url("envelope-cancel", envelope),
                                   {"reason": "Customer found the old ring cheaper to replace"})
    assert response.status_code == 302
    envelope.refresh_from_db()
    assert envelope.status == Status.CANCELLED and envelope.closed_at is not None
    step = StatusChange.objects.get(envelope=envelope, to_status=Status.CANCELLED)
    assert step.note == "Customer found the old ring cheaper to replace"
    assert step.changed_by == service_clerk
    assert Interaction.objects.filter(
        customer=envelope.customer,
        summary=f"Repair #{envelope.number} cancelled: Customer found the old ring cheaper "
                "to replace").exists()
    page = service_client.get(_url("envelope", envelope)).content.decode()
    assert "Customer found the old ring cheaper to replace" in page


def test_the_old_one_tap_cancel_is_refused_without_a_reason(service_client, store):
    envelope = EnvelopeFactory(customer__store=store)
    response = service_client.post(_url("envelope-status", envelope),
                                    {"to_status": Status.CANCELLED})
    assert response.status_code == 200
    assert "Say why the repair is cancelled" in response.content.decode()
    assert Envelope.objects.get(pk=envelope.pk).status == Status.RECEIVED


def test_the_service_refuses_a_cancel_without_a_reason(store, service_clerk):
    envelope = EnvelopeFactory(customer__store=store)
    with pytest.raises(LoupeError, match="Say why"):
        envelope_status_change(envelope=envelope, to_status=Status.CANCELLED, by=service_clerk)


def test_another_stores_envelope_cannot_be_cancelled(other_manager_client, store):
    envelope = EnvelopeFactory(customer__store=store)
    response = other_manager_client.post(_url("envelope-cancel", envelope), {"reason": "x"})
    assert response.status_code == 404
    assert Envelope.objects.get(pk=envelope.pk).status == Status.RECEIVED


def test_a_salesperson_cannot_cancel_a_repair(sales_client, store):
    envelope = EnvelopeFactory(customer__store=store)
    response = sales_client.post(_url("envelope-cancel", envelope), {"reason": "x"})
    assert response.status_code == 403
    assert Envelope.objects.get(pk=envelope.pk).status == Status.RECEIVED


# Ready: what was planned, in words

@pytest.mark.time_machine(STORE_NOON, tick=False)
def test_ready_with_consent_says_the_email_goes_now(service_client, take_in):
    envelope = take_in(email="ada@mail.example")
    response = service_client.post(_url("envelope-status", envelope),
                                   {"to_status": Status.READY})
    assert response.status_code == 302
    assert _said(response) == [f"Envelope #{envelope.number} is ready for pickup. Ready notice "
                               "by email to ada@mail.example queued to go now."]


@pytest.mark.time_machine(STORE_LATE_EVENING, tick=False)
def test_ready_in_quiet_hours_says_when_the_notice_will_go(service_client, take_in):
    envelope = take_in(email="ada@mail.example", phone="(217) 555-0142", texts_ok=True)
    response = service_client.post(_url("envelope-status", envelope),
                                   {"to_status": Status.READY})
    assert _said(response) == [
        f"Envelope #{envelope.number} is ready for pickup. "
        "Ready notice by email to ada@mail.example queued for 9:00 AM tomorrow (quiet hours). "
        "Ready notice by text to (217) 555-0142 queued for 9:00 AM tomorrow "
        "(quiet hours)."]


@pytest.mark.time_machine(SATURDAY_NIGHT, tick=False)
def test_a_notice_held_past_tomorrow_names_the_day(take_in, service_clerk):
    envelope = take_in(email="ada@mail.example")
    envelope_status_change(envelope=envelope, to_status=Status.READY, by=service_clerk)
    plan = repair_ready_plan(envelope=envelope, now=SATURDAY_NIGHT)
    assert plan == ["Ready notice by email to ada@mail.example queued for 9:00 AM tomorrow "
                    "(quiet hours)."]
    friday_night = SATURDAY_NIGHT - datetime.timedelta(days=1)
    assert repair_ready_plan(envelope=envelope, now=friday_night) == [
        "Ready notice by email to ada@mail.example queued for 9:00 AM Sunday, Nov 29 "
        "(quiet hours)."]


@pytest.mark.time_machine(STORE_NOON, tick=False)
def test_ready_without_consent_says_no_notice_and_why(service_client, take_in):
    envelope = take_in(email="ada@mail.example")
    consent_record(customer=envelope.customer, channel=Channel.EMAIL, address=envelope.email,
                   purpose=Purpose.REPAIR_NOTICES, granted=False,
                   method=ConsentMethod.UNSUBSCRIBE)
    response = service_client.post(_url("envelope-status", envelope),
                                   {"to_status": Status.READY})
    assert _said(response) == [
        f"Envelope #{envelope.number} is ready for pickup. No ready notice by email: no "
        "consent to repair notices by email at ada@mail.example."]


@pytest.mark.time_machine(STORE_NOON, tick=False)
def test_ready_pressed_twice_says_the_same_plan_and_plans_once(service_client, take_in):
    envelope = take_in(email="ada@mail.example")
    first = service_client.post(_url("envelope-status", envelope), {"to_status": Status.READY},
                                follow=True)
    second = service_client.post(_url("envelope-status", envelope), {"to_status": Status.READY},
                                 follow=True)
    said = [[str(m) for m in response.context["messages"]] for response in (first, second)]
    assert said[0] == said[1] and "queued to go now" in said[0][0]
    assert envelope.messages.count() == 1


@pytest.mark.time_machine(STORE_NOON, tick=False)
def test_marking_ready_costs_a_fixed_number_of_queries(
        service_client, take_in, django_assert_max_num_queries):
    envelope = take_in(email="ada@mail.example", phone="(217) 555-0142", texts_ok=True)
    # The lock, history, timeline, audit, the outbox rows and the words read back from them.
    with django_assert_max_num_queries(29):
        service_client.post(_url("envelope-status", envelope), {"to_status": Status.READY})


def test_the_cancel_step_costs_a_handful_of_queries(service_client, store,
                                                    django_assert_max_num_queries):
    envelope = EnvelopeFactory(customer__store=store)
    with django_assert_max_num_queries(9):  # the envelope as its page reads it
        assert service_client.get(_url("envelope-cancel", envelope)).status_code == 200
