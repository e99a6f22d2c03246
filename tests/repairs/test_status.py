"""Moving a repair along: only sensible moves, each one recorded; ready tells the customer once."""

import datetime

import pytest

from core.errors import LoupeError
from crm.models import Channel, ConsentMethod, InteractionKind, Purpose
from crm.services import consent_record
from followups import sms
from followups.models import Message
from repairs.models import Envelope, Status, StatusChange
from repairs.services import envelope_status_change

pytestmark = pytest.mark.django_db

# Noon at a store in Chicago: inside any sensible sending hours.
STORE_NOON = datetime.datetime(2026, 11, 24, 18, 0, tzinfo=datetime.UTC)


@pytest.fixture
def envelope(take_in):
    return take_in()


def test_a_repair_moves_through_the_bench_to_pickup(envelope, service_clerk):
    for step in (Status.AT_BENCH, Status.WAITING_FOR_PARTS, Status.AT_BENCH):
        envelope = envelope_status_change(envelope=envelope, to_status=step, by=service_clerk,
                                          note="sizing stock ordered")
    envelope = envelope_status_change(envelope=envelope, to_status=Status.READY,
                                      by=service_clerk)
    envelope = envelope_status_change(envelope=envelope, to_status=Status.PICKED_UP,
                                      by=service_clerk)
    steps = list(StatusChange.objects.filter(envelope=envelope)
                 .values_list("from_status", "to_status"))
    assert steps == [("", "received"), ("received", "at_bench"), ("at_bench", "waiting_parts"),
                     ("waiting_parts", "at_bench"), ("at_bench", "ready"),
                     ("ready", "picked_up")]
    envelope.refresh_from_db()
    assert envelope.ready_at is not None
    assert envelope.closed_at is not None
    assert envelope.customer.interactions.filter(kind=InteractionKind.REPAIR,
                                                 summary__contains="picked up").exists()


def test_an_illegal_status_jump_is_refused_and_nothing_changes(envelope, service_clerk):
    with pytest.raises(LoupeError) as refused:
        envelope_status_change(envelope=envelope, to_status=Status.PICKED_UP, by=service_clerk)
    assert refused.value.field == "to_status"
    assert "received" in refused.value.message
    assert "picked up" in refused.value.message
    envelope.refresh_from_db()
    assert envelope.status == Status.RECEIVED
    assert envelope.closed_at is None
    assert StatusChange.objects.filter(envelope=envelope).count() == 1


def test_a_picked_up_repair_cannot_go_back_to_the_bench(envelope, service_clerk):
    for step in (Status.READY, Status.PICKED_UP):
        envelope_status_change(envelope=envelope, to_status=step, by=service_clerk)
    with pytest.raises(LoupeError):
        envelope_status_change(envelope=envelope, to_status=Status.AT_BENCH, by=service_clerk)
    assert Envelope.objects.get(pk=envelope.pk).status == Status.PICKED_UP


def test_asking_for_the_status_it_already_has_records_nothing(envelope, service_clerk):
    envelope_status_change(envelope=envelope, to_status=Status.AT_BENCH, by=service_clerk)
    envelope_status_change(envelope=envelope, to_status=Status.AT_BENCH, by=service_clerk)
    assert StatusChange.objects.filter(envelope=envelope, to_status=Status.AT_BENCH).count() == 1


def test_every_status_in_the_table_is_a_real_status():
    from repairs.models import TRANSITIONS

    assert set(TRANSITIONS) == set(Status.values)
    assert all(set(moves) <= set(Status.values) for moves in TRANSITIONS.values())


@pytest.mark.time_machine(STORE_NOON, tick=False)
def test_marking_ready_twice_produces_exactly_one_notice(
        take_in, service_clerk, sent_mail, celery_runs_tasks_here,
        django_capture_on_commit_callbacks):
    envelope = take_in(email="ada@mail.example")
    with django_capture_on_commit_callbacks(execute=True):
        envelope_status_change(envelope=envelope, to_status=Status.READY, by=service_clerk)
    with django_capture_on_commit_callbacks(execute=True):
        envelope_status_change(envelope=envelope, to_status=Status.READY, by=service_clerk)

    assert Message.objects.filter(envelope=envelope).count() == 1
    assert len(sent_mail) == 1
    assert sent_mail[0].to == ["ada@mail.example"]
    assert StatusChange.objects.filter(envelope=envelope, to_status=Status.READY).count() == 1


@pytest.mark.time_machine(STORE_NOON, tick=False)
def test_a_customer_who_agreed_to_texts_also_gets_one_text(
        take_in, service_clerk, sent_mail, celery_runs_tasks_here,
        django_capture_on_commit_callbacks):
    sms.outbox.clear()
    envelope = take_in(phone="+12175550142", texts_ok=True)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            envelope_status_change(envelope=envelope, to_status=Status.READY, by=service_clerk)
    channels = sorted(Message.objects.filter(envelope=envelope).values_list("channel", flat=True))
    assert channels == [Channel.EMAIL, Channel.SMS]
    assert len(sent_mail) == 1
    assert [text["to"] for text in sms.outbox] == ["+12175550142"]


@pytest.mark.time_machine(STORE_NOON, tick=False)
def test_no_text_when_the_customer_said_no_to_texts(take_in, service_clerk, sent_mail,
                                                     celery_runs_tasks_here):
    envelope = take_in(phone="+12175550142")
    consent_record(customer=envelope.customer, channel=Channel.SMS, address=envelope.phone,
                   purpose=Purpose.REPAIR_NOTICES, granted=False, method=ConsentMethod.STOP)
    envelope_status_change(envelope=envelope, to_status=Status.READY, by=service_clerk)
    assert not Message.objects.filter(envelope=envelope, channel=Channel.SMS).exists()
