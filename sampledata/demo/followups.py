"""Follow-ups for the demo store: settings, the day's plan, and a week of message history."""

import datetime

from django.db.models import F

from crm.models import Channel, Consent, Customer, InteractionKind, Purpose
from crm.services import interaction_add
from followups.models import Message, MessageStatus
from followups.planner import plan_store
from followups.services import messaging_settings_for, reply_waiting

HISTORY = [
    (MessageStatus.DELIVERED, ""),
    (MessageStatus.DELIVERED, ""),
    (MessageStatus.SENT, ""),
    (MessageStatus.SUPPRESSED, "Fatigue cap: 2 marketing messages in the last 30 days."),
    (MessageStatus.FAILED, "Twilio 21610: The recipient has texted STOP to this number"),
    (MessageStatus.SUPPRESSED, "No current consent for occasion reminders by email at send time."),
]
REPLIES = ["Thank you! I'll stop by Saturday.", "Could you set aside the pearl strand?"]


def load_demo_followups(*, store, rng, now) -> None:
    messaging = messaging_settings_for(store=store)
    _bring_occasions_near(store, rng, now, messaging)
    plan_store(store=store, now=now)
    _load_history(store, rng, now, messaging)


def _consented(store, channel):
    on_file = F("customer__email") if channel == Channel.EMAIL else F("customer__phone")
    ids = (Consent.objects.filter(customer__store=store, channel=channel, granted=True,
                                  purpose=Purpose.OCCASION_REMINDERS, address=on_file)
           .values_list("customer_id", flat=True))
    return list(Customer.objects.filter(pk__in=ids).prefetch_related("occasions")
                .order_by("pk"))


def _load_history(store, rng, now, messaging):
    customers = _consented(store, Channel.EMAIL)
    for (status, reason), customer in zip(HISTORY, rng.sample(customers, len(HISTORY)),
                                          strict=True):
        occasion = customer.occasions.all()[0]
        sent_at = now - datetime.timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 5))
        channel = Channel.SMS if status == MessageStatus.FAILED and customer.phone \
            else Channel.EMAIL
        Message.objects.get_or_create(
            occasion=occasion, occurs_on=occasion.on_year(now.year - 1), channel=channel,
            defaults={"store": store, "customer": customer, "purpose": Purpose.OCCASION_REMINDERS,
                      "kind": occasion.kind, "status": status, "reason": reason,
                      "due_at": sent_at, "created_at": sent_at, "updated_at": sent_at,
                      "sent_at": sent_at if status in (MessageStatus.SENT,
                                                       MessageStatus.DELIVERED) else None,
                      "to": customer.email if channel == Channel.EMAIL else str(customer.phone),
                      "subject": f"A reminder from {messaging.sender_name}"})
    for customer, text in zip(customers[:2], REPLIES, strict=False):
        interaction_add(customer=customer, kind=InteractionKind.REPLY, at=now,
                        summary=f"Texted: {text}")
        reply_waiting(customer=customer, text=text, at=now)


def _bring_occasions_near(store, rng, now, messaging):
    """Move a few phone customers' occasions into the reminder window, so today's plan has
    calls that are really due (the planner makes them, with their due day, as it would)."""
    today = store.today(now)
    callable_ = [c for c in _consented(store, Channel.PHONE) if c.phone][:8]
    for customer in callable_:
        occasion = customer.occasions.all()[0]
        day = today + datetime.timedelta(days=messaging.lead_days - rng.randint(0, 3))
        occasion.month, occasion.day = day.month, day.day
        occasion.save(update_fields=["month", "day"])
