"""The voucher's email and the drawing winner's notice go through the outbox, to the address
confirmed for them, once, and only with that address's consent."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail

from crm.links import confirmation_token
from crm.models import Channel, Purpose, Source, VoucherKind
from crm.services import (
    consent_record,
    drawing_close,
    drawing_create,
    drawing_draw,
    sign_up_confirm,
    voucher_program_set,
)
from followups.models import Message, MessageStatus, TemplateKind
from followups.sender import message_send
from tests.factories import SignUpFactory

pytestmark = pytest.mark.django_db

# Thursday Nov 19, 2026, 10:00 at the store (America/Chicago): inside sending hours.
NOV_19 = datetime.datetime(2026, 11, 19, 16, 0, tzinfo=datetime.UTC)


@pytest.fixture
def queued_messages(monkeypatch):
    """What was handed to the broker after commit (no worker runs in these tests)."""
    from followups.tasks import send_message

    handed = []
    monkeypatch.setattr(send_message, "apply_async",
                        lambda args, **options: handed.append(args[0]))
    return handed


@pytest.fixture
def program(store, manager):
    return voucher_program_set(store=store, kind=VoucherKind.AMOUNT, value=Decimal("25"),
                               minimum_purchase=Decimal("200"), valid_days=30,
                               terms="Not combinable.", by=manager)


def _confirm(store, **fields):
    entry = SignUpFactory(store=store, **fields)
    return sign_up_confirm(token=confirmation_token(sign_up=entry))


@pytest.mark.time_machine(NOV_19, tick=False)
def test_the_confirmation_email_names_the_voucher_it_earns(store, program):
    from crm.services import sign_up_create

    entry = sign_up_create(store=store, source=Source.WEBSITE, ip="1.2.3.4", first_name="Ava",
                           email="ava@mail.example")
    assert message_send(message_id=Message.objects.get(sign_up=entry).pk) == "sent"
    assert "your voucher ($25 off a purchase of $200 or more)" in mail.outbox[0].body


@pytest.mark.time_machine(NOV_19, tick=False)
def test_the_voucher_is_emailed_once_to_the_confirmed_address_with_its_code(store, program,
                                                                           queued_messages):
    voucher = _confirm(store, email="ava@mail.example").issued.voucher
    message = Message.objects.get(voucher=voucher)
    assert (message.kind, message.to, message.customer_id) == (
        TemplateKind.VOUCHER, "ava@mail.example", voucher.customer_id)
    assert message_send(message_id=message.pk) == "sent"
    [email] = mail.outbox
    assert email.to == ["ava@mail.example"]
    assert voucher.shown_code in email.body and "December 19, 2026" in email.body
    assert "/customers/join/voucher/?t=" in email.body and "Unsubscribe:" in email.body
    _confirm(store, email="ava@mail.example")  # the same person again: no second email
    assert Message.objects.filter(kind=TemplateKind.VOUCHER).count() == 1


@pytest.mark.time_machine(NOV_19, tick=False)
def test_a_voucher_email_needs_the_addresses_consent_at_send_time(store, program,
                                                                  queued_messages):
    voucher = _confirm(store, email="ava@mail.example").issued.voucher
    consent_record(customer=voucher.customer, channel=Channel.EMAIL, address=voucher.email,
                   purpose=Purpose.EVENTS, granted=False, method="unsubscribe")
    message = Message.objects.get(voucher=voucher)
    assert message_send(message_id=message.pk) == "suppressed"
    assert not mail.outbox


def test_the_winner_is_notified_once_through_the_outbox(store, manager, queued_messages,
                                                       django_capture_on_commit_callbacks):
    today = store.today()
    drawing = drawing_create(store=store, month=today, prize="Pearl pendant", rules="Rules.",
                             closes_on=today + datetime.timedelta(days=5), by=manager)
    _confirm(store, source=Source.DRAWING, email="win@mail.example", first_name="Wyn")
    drawing_close(drawing=drawing, by=manager)
    with django_capture_on_commit_callbacks(execute=True):
        done = drawing_draw(drawing=drawing, by=manager)
    message = Message.objects.get(drawing=drawing)
    assert (message.kind, message.to, message.customer_id) == (
        TemplateKind.DRAWING_WINNER, "win@mail.example", done.winner.customer_id)
    assert message.status == MessageStatus.PLANNED
    assert not message.is_marketing
    assert queued_messages == [message.pk]
