"""Writes for two-way conversations: an associate's reply in a customer's thread, and a
customer's text or email that puts a "reply waiting" item on their associate's Today.

Re-exported by `followups.services` (the room's public door).
"""

import uuid

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import log_action
from core.errors import LoupeError
from core.phones import phone_text
from crm.models import Channel, Customer, InteractionKind, Purpose
from crm.normalize import normalize_email
from crm.selectors import consent_current
from crm.services import interaction_add
from followups.models import (
    Message,
    MessageStatus,
    MessagingSettings,
    ProviderEvent,
    Task,
    TaskKind,
    TemplateKind,
)
from followups.work import _looker_after

# Twilio takes at most 1,600 characters (10 segments); an email reply is a note, not a letter.
MAX_LENGTH = {Channel.SMS: 1600, Channel.EMAIL: 5000}
# A reply needs the customer's word that we may write to that address: any purpose they
# granted there will do (they are answering or asking us), the first found is recorded.
REPLY_PURPOSES = [Purpose.OCCASION_REMINDERS, Purpose.EVENTS, Purpose.REPAIR_NOTICES]
# How a customer's email starts on their timeline (a text starts "Texted: ").
EMAILED = "Emailed: "


def reply_addresses(customer: Customer) -> list[tuple[str, str]]:
    """(channel, address) a reply can go to: the profile's emails and its number."""
    found = [(Channel.EMAIL, customer.email), (Channel.EMAIL, customer.secondary_email),
             (Channel.SMS, phone_text(customer.phone))]
    return [(channel, address) for channel, address in found if address]


def reply_default_address(customer: Customer) -> str:
    """The address the reply box starts on: where their message waiting came from (their
    number for a text, their email for an email); else the first address where they allow
    messages; else the first on file."""
    addresses = reply_addresses(customer)
    phone = str(customer.phone or "")
    if Task.objects.open().filter(customer=customer, kind=TaskKind.REPLY).exists():
        latest = (customer.interactions.filter(kind=InteractionKind.REPLY)
                  .order_by("-occurred_at", "-pk").values_list("summary", flat=True).first())
        if (latest or "").startswith(EMAILED) and customer.email:
            return customer.email
        if phone:
            return phone
    allowed = (a for c, a in addresses if reply_purpose(customer=customer, channel=c,
                                                        address=a))
    return next(allowed, addresses[0][1] if addresses else "")


def reply_purpose(*, customer: Customer, channel: str, address: str) -> str | None:
    """The purpose the customer granted at `address` that a reply goes under (None: none)."""
    return next((p for p in REPLY_PURPOSES if consent_current(
        customer=customer, channel=channel, address=address, purpose=p)), None)


@transaction.atomic
def customer_reply_send(*, customer: Customer, address: str, words: str, key: uuid.UUID,
                        by, subject: str = "") -> Message:
    """Put an associate's reply in the outbox, with every check a planned message has.

    Refused (nothing saved) without words, over the channel's length, to an address not on
    the profile, or without the customer's consent at that address. Inside quiet hours it
    waits (`due_at` says until when). `key` is the form's one-time key: the same form sent
    twice returns the first message. The sender checks consent again (a STOP that arrives
    before it goes out stops it) and the customer's reply waiting, if any, is closed.
    """
    existing = Message.objects.filter(reply_key=key).first()
    if existing is not None:
        return existing
    words = words.strip()
    addresses = dict((a, c) for c, a in reply_addresses(customer))
    if address not in addresses:
        raise LoupeError("Pick an email or number on the profile.", field="address")
    channel = addresses[address]
    if not words:
        raise LoupeError("Write a message first.", field="words")
    if len(words) > MAX_LENGTH[channel]:
        raise LoupeError(f"Too long: {len(words)} characters, at most "
                         f"{MAX_LENGTH[channel]} for {Channel(channel).label.lower()}s. "
                         f"Nothing was sent.", field="words")
    purpose = reply_purpose(customer=customer, channel=channel, address=address)
    if purpose is None:
        raise LoupeError(f"{customer.first_name or customer.full_name} has not agreed to "
                         f"hear from us at {address} (or has opted out): nothing was sent.",
                         field="address")
    from followups.services import messaging_settings_for, queue_after_commit

    now = timezone.now()
    store = customer.store
    messaging = messaging_settings_for(store=store)
    due_at = messaging.next_send_time(now)
    subject = " ".join(subject.split())[:200] or f"A note from {messaging.sender_name or store}"
    try:
        with transaction.atomic():
            message = Message.objects.create(
                store=store, customer=customer, channel=channel, purpose=purpose,
                kind=TemplateKind.REPLY, to=address, subject=subject if channel ==
                Channel.EMAIL else "", words=words, written_by=by, reply_key=key,
                due_at=due_at, queued_at=now if due_at <= now else None,
                reason="" if due_at <= now else
                f"Quiet hours: waits until {timezone.localtime(due_at, store.tz):%b %d %H:%M}.",
                created_at=now, updated_at=now)
    except IntegrityError:
        return Message.objects.get(reply_key=key)  # a second press raced the first
    Task.objects.open().filter(customer=customer, kind=TaskKind.REPLY).update(
        done_at=now, done_by=by, outcome="Answered in the thread")
    log_action(by=by, action="followups.reply_planned", obj=message, store=store,
               at=now, data={"channel": channel, "due_at": due_at.isoformat()})
    if due_at <= now:
        queue_after_commit([message.pk])
    return message


def reply_waiting(*, customer: Customer, text: str, at) -> None:
    """A customer's text waits for an answer: one open item per customer, for their
    associate (the managers' for an orphaned client), holding the latest words. Called
    inside the inbound webhook's transaction; two deliveries at once make one item (the
    partial unique constraint, conflicts ignored)."""
    note = " ".join(text.split())[:500]
    if Task.objects.open().filter(customer=customer, kind=TaskKind.REPLY).update(note=note):
        return
    Task.objects.bulk_create([Task(
        store_id=customer.store_id, customer=customer, kind=TaskKind.REPLY, note=note,
        assignee=_looker_after(customer), due_on=customer.store.today(at), created_at=at)],
        ignore_conflicts=True)


@transaction.atomic
def email_inbound(*, event_id: str, sender: str, to: list[str], subject: str, text: str,
                  answering: list[str]) -> list[Customer]:
    """A customer's email to the store (anymail's inbound webhook): into their thread on the
    timeline and one "reply waiting" item on their associate's Today.

    Whose it is: the customer one of our messages went to, when the email answers it (its
    In-Reply-To or References name the message's id, `answering`); else every customer with
    the sender's address, narrowed to the stores whose sending address it was written to.
    The same email delivered again (the same `event_id`) changes nothing. An email from an
    address we do not know is dropped. Returns the customers it reached."""
    try:
        with transaction.atomic():
            ProviderEvent.objects.create(provider="anymail-inbound", event_id=event_id[:200],
                                         received_at=timezone.now())
    except IntegrityError:
        return []
    customers = _writers(sender=sender, to=to, answering=answering)
    now = timezone.now()
    words = " ".join(f"{subject} — {text}".split()) if subject else " ".join(text.split())
    for customer in customers:
        interaction_add(customer=customer, kind=InteractionKind.REPLY, at=now,
                        summary=f"{EMAILED}{words[:500]}")
        reply_waiting(customer=customer, text=words, at=now)
    return customers


def _writers(*, sender: str, to: list[str], answering: list[str]) -> list[Customer]:
    ids = [i.strip() for i in answering if i.strip()]
    answered = (Message.objects.filter(provider_id__in=ids, customer__isnull=False,
                                       channel=Channel.EMAIL)
                .select_related("customer__store", "customer__assigned_to")
                .order_by("-sent_at").first() if ids else None)
    if answered is not None:
        return [answered.customer]
    try:
        email = normalize_email(sender)
    except LoupeError:
        return []
    if not email:
        return []
    customers = list(Customer.objects.filter(Q(email=email) | Q(secondary_email=email))
                     .select_related("store", "assigned_to").order_by("pk"))
    written_to = {address.lower() for address in to}
    stores = set(MessagingSettings.objects.filter(sender_email__in=written_to)
                 .values_list("store_id", flat=True))
    return [c for c in customers if c.store_id in stores] or customers


def reply_status(message: Message) -> str:
    """What the associate is told after pressing Send."""
    if message.status == MessageStatus.PLANNED and message.reason:
        return f"Your reply to {message.to} is saved. {message.reason}"
    return f"Your reply to {message.to} is on its way."
