"""An appointment's confirmation (or, for a visit the store moved, the "moved" notice) and
its reminder the day before, through the outbox.

Purpose: repair and appointment notices (`Purpose.REPAIR_NOTICES`), the store's
transactional purpose: the customer arranged the visit, so the messages are owed like a
repair's, never held by the fatigue cap and never counted toward it, but they still go only
to an address whose own consent covers that purpose, and only inside sending hours.

Re-exported by `followups.services` (the room's public door).
"""

import datetime

from django.db import transaction
from django.utils import timezone

from crm.models import Channel, Purpose
from crm.selectors import consent_current
from followups.models import APPOINTMENT_KINDS, Message, MessageStatus, TemplateKind

APPOINTMENT_PURPOSE = Purpose.REPAIR_NOTICES


@transaction.atomic
def appointment_notices_plan(*, appointment, now=None) -> tuple[list[Message], list[str]]:
    """Plan the confirmation (now, or when sending hours open) and the reminder (the day
    before, when sending hours open) on each of the customer's email and number whose
    consent covers appointment notices. A visit the store moved (a booking with
    `moved_from`) gets the "moved" notice in place of the confirmation. Once each per channel,
    however often it is called (the unique constraint). Returns (messages planned, addresses
    without consent)."""
    from followups.services import messaging_settings_for, queue_after_commit

    now = now or timezone.now()
    store, customer = appointment.store, appointment.customer
    messaging = messaging_settings_for(store=store)
    day = timezone.localtime(appointment.starts_at, store.tz).date()
    reminder_at = datetime.datetime.combine(day - datetime.timedelta(days=1),
                                            messaging.send_from, tzinfo=store.tz)
    first = (TemplateKind.APPOINTMENT_MOVED
             if type(appointment).objects.filter(moved_to=appointment).exists()
             else TemplateKind.APPOINTMENT_CONFIRMATION)
    rows, refused = [], []
    for channel, address in [(Channel.EMAIL, customer.email),
                             (Channel.SMS, str(customer.phone or ""))]:
        if not address:
            continue
        if not consent_current(customer=customer, channel=channel, address=address,
                               purpose=APPOINTMENT_PURPOSE):
            refused.append(address)
            continue
        common = {"store": store, "customer": customer, "appointment": appointment,
                  "channel": channel, "to": address, "purpose": APPOINTMENT_PURPOSE,
                  "occurs_on": day, "created_at": now, "updated_at": now}
        rows.append(Message(kind=first, due_at=messaging.next_send_time(now), **common))
        # Booked for tomorrow after this morning's reminder time: the confirmation is enough.
        if reminder_at > now:
            rows.append(Message(kind=TemplateKind.APPOINTMENT_REMINDER, due_at=reminder_at,
                                **common))
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    planned = list(Message.objects.filter(appointment=appointment, kind__in=APPOINTMENT_KINDS))
    due = [m.pk for m in planned
           if m.status == MessageStatus.PLANNED and m.due_at <= now and m.queued_at is None]
    Message.objects.filter(pk__in=due).update(queued_at=now)
    queue_after_commit(due)
    return planned, refused


def appointment_notices_withdraw(*, appointment, reason: str, at) -> int:
    """Hold back what is still planned for an appointment that was cancelled (inside the
    cancelling transaction; a row a worker already claimed is left to it, and the sender
    checks the appointment again)."""
    ids = list(Message.objects.select_for_update(skip_locked=True)
               .filter(appointment=appointment, status=MessageStatus.PLANNED)
               .values_list("pk", flat=True))
    return Message.objects.filter(pk__in=ids).update(status=MessageStatus.SUPPRESSED,
                                                     reason=reason[:300], queued_at=None,
                                                     updated_at=at)
