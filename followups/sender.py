"""The sender: claims one outbox row, re-checks it, sends it through its channel, records it.

Delivery is AT MOST ONCE. The row is claimed (status "sending", committed) before the
provider is called, and only a "planned" row is ever sent. If the worker dies between the
provider accepting the message and our recording it, the row stays "sending" and is never
sent again automatically: a customer missing one reminder (visible in the message log) is
better than one receiving two. The sweep (`messages_flag_stuck`) marks such a row "needs a
look" after SENDING_TIMEOUT, for a person to check; it never sends it again.

Every exception from a channel ends in a recorded state: a SendError as the channel
classified it, anything else as a transient retry (connection trouble, timeouts) or a
permanent failure with its reason.

What a message says (its context, template, footer and unsubscribe link) is composed in
`followups.compose`, the same for every sender and the preview.
"""

import datetime
import logging
import smtplib
from email.utils import formataddr, make_msgid

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings as django_settings
from django.core.mail import BadHeaderError, EmailMessage
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.audit import log_action
from crm.models import Channel, ConsentMethod, Customer, InteractionKind, Purpose
from crm.selectors import consent_current
from crm.services import interaction_add
from followups import calendar_file, compose, services, sms
from followups.errors import SendError
from followups.models import APPOINTMENT_KINDS, PICKUP_REMINDERS, Message, MessageStatus
from repairs.selectors import envelope_waits_for_pickup

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FATIGUE_DAYS = services.FATIGUE_DAYS
# Far past CELERY_TASK_TIME_LIMIT: a row still "sending" this long after its claim has lost
# its worker (killed between the provider's answer and our record of it).
SENDING_TIMEOUT = datetime.timedelta(minutes=15)
# A queued row whose task never ran (lost with its worker or the broker) is queued again.
REQUEUE_AFTER = datetime.timedelta(minutes=10)


def messages_dispatch_due(*, now: datetime.datetime | None = None,
                          limit: int | None = None) -> int:
    """Queue what has come due (the beat task, every minute), at most
    OUTBOX_DISPATCH_PER_MINUTE (the providers' rate): a 100,000-guest campaign goes out within
    the half hour instead of the 500 a minute (five hours) it used to. Quiet hours and the
    fatigue cap are the sender's, per message. Safe to run on two machines."""
    now = now or timezone.now()
    limit = limit if limit is not None else django_settings.OUTBOX_DISPATCH_PER_MINUTE
    with transaction.atomic():
        ids = _claim_due(now, limit)
        services.queue_after_commit(ids)
    return len(ids)


def _claim_due(now, limit: int) -> list[int]:
    """Stamp up to `limit` due rows as queued (in the caller's transaction) and return them.
    Rows another dispatcher holds are skipped, and a row queued in the last REQUEUE_AFTER is
    left to the worker it went to, so dispatchers on several machines split the outbox."""
    ids = list(Message.objects.due(now)
               .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=now - REQUEUE_AFTER))
               .order_by("due_at", "pk").select_for_update(skip_locked=True)
               .values_list("pk", flat=True)[:limit])
    Message.objects.filter(pk__in=ids).update(queued_at=now)
    return ids


def messages_send_due(*, batch: int = 50, now: datetime.datetime | None = None) -> dict:
    """Send here, batch by batch, what has come due, until nothing is left (a worker's
    drain: `send_due_messages --send-here`). Each batch is claimed like the dispatcher's
    (`queued_at`, locked rows skipped), so several processes running this at once take
    disjoint batches; and `message_send` sends only a row it locks while still planned, so
    a row two workers hold is still sent once. Returns the count of each outcome.

    `now` is when the batches are picked (the bench's frozen clock); each send reads the
    clock itself.
    """
    outcomes: dict[str, int] = {}
    while True:
        with transaction.atomic():
            ids = _claim_due(now or timezone.now(), batch)
        if not ids:
            return outcomes
        for message_id in ids:
            outcome = message_send(message_id=message_id)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1


def messages_flag_stuck(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """The sweep: rows still "sending" SENDING_TIMEOUT after their claim need a look.

    The provider may have taken such a message before its worker died, so it is never sent
    again automatically; the message log shows it (status "Needs a look") for a person to
    check. Safe to run on two machines (locked rows are skipped).
    """
    now = now or timezone.now()
    with transaction.atomic():
        stuck = list(Message.objects.filter(status=MessageStatus.SENDING,
                                            updated_at__lt=now - SENDING_TIMEOUT)
                     .select_for_update(skip_locked=True, of=("self",))
                     .select_related("store").order_by("updated_at")[:limit])
        for message in stuck:
            since = timezone.localtime(message.updated_at, message.store.tz)
            _update(message, now, status=MessageStatus.NEEDS_LOOK,
                    reason=f"Stuck while sending since {since:%b %d %H:%M}: it may or may not "
                           "have gone out. Check with the customer before sending again.")
            log_action(by=None, action="followups.message_stuck", obj=message,
                       store=message.store, at=now)
    return len(stuck)


def message_send(*, message_id: int) -> str:
    """Send one message if it is still planned and due; returns what happened (for logs).

    A redelivered task, or a second worker, finds the row claimed or locked and does nothing.
    """
    now = timezone.now()
    with transaction.atomic():
        message = (Message.objects.select_for_update(skip_locked=True, of=("self",))
                   .select_related("store", "customer__assigned_to", "occasion", "envelope",
                                   "sign_up", "voucher__program", "voucher__store", "drawing",
                                   "appointment__associate")
                   .filter(pk=message_id, status=MessageStatus.PLANNED).first())
        if message is None:
            return "nothing to do"
        if message.due_at > now:
            return "not due"
        messaging = services.messaging_settings_for(store=message.store)
        outcome = _hold_back(message, now, messaging)
        if outcome:
            return outcome
        _claim(message, now, messaging)
    try:
        provider_id = _deliver(message, messaging)
    except Exception as exc:  # noqa: BLE001 - every failure must end in a recorded state
        return _record_failure(message.pk, as_send_error(exc))
    _record_sent(message.pk, provider_id)
    return "sent"


# Errors that say nothing about the message itself: the same call may go through later.
# (requests' errors, timeouts and refused connections are all OSError.)
_TRANSIENT = (OSError, TimeoutError)


def as_send_error(exc: Exception) -> SendError:
    """A channel's exception as a SendError: the channel's own classification if it made
    one, a retry for connection trouble, otherwise a permanent failure naming the error
    (a header with a line break, an address the provider's library refuses, ...)."""
    if isinstance(exc, SendError):
        return exc
    if isinstance(exc, BadHeaderError):
        return SendError(f"Could not build the email: {exc}", permanent=True)
    if isinstance(exc, _TRANSIENT):
        return SendError(f"{type(exc).__name__}: {exc}", permanent=False)
    logger.exception("Unexpected error sending a message")
    return SendError(f"Unexpected error ({type(exc).__name__}): {exc}", permanent=True)


def _hold_back(message: Message, now, messaging) -> str:
    """Suppress (with the reason) or defer a message that must not go out now."""
    if message.is_sign_up_confirmation:
        return ""  # asked for a moment ago: no consent yet by design, no quiet hours, no cap
    reason = (_too_late(message, now) or services.message_send_check(message, now)
              or _stop_reason(message, now, messaging.fatigue_cap))
    if reason:
        _update(message, now, status=MessageStatus.SUPPRESSED, reason=reason)
        return "suppressed"
    if not messaging.may_send_at(now):
        later = messaging.next_send_time(now)
        local = timezone.localtime(later, message.store.tz)
        _update(message, now, due_at=later, queued_at=None,
                reason=f"Quiet hours: waits until {local:%b %d %H:%M}.")
        return "deferred"
    return ""


def _too_late(message: Message, now) -> str:
    """A reminder for an occasion that has already passed (a retry that waited too long, or
    a plan for a date gone by) is no reminder any more."""
    if message.occurs_on is None or message.occurs_on >= message.store.today(now):
        return ""
    return f"Too late: the occasion was on {message.occurs_on:%b} {message.occurs_on.day}."


def _stop_reason(message: Message, now, cap: int) -> str:
    customer = message.customer
    if stale := _occasion_not_on_file(message) or _appointment_off(message, now):
        return stale
    if message.kind in PICKUP_REMINDERS.values() and not envelope_waits_for_pickup(
            envelope_id=message.envelope_id):
        return "The repair was collected (or went back to the bench) before it was sent."
    address = _address(message)
    if not address:
        return f"No {'email address' if message.channel == Channel.EMAIL else 'phone number'}."
    if address not in _on_file(message):
        return f"{address} is no longer on the profile."
    if not consent_current(customer=customer, channel=message.channel, address=address,
                           purpose=message.purpose):
        return (f"No current consent for {message.get_purpose_display().lower()} by "
                f"{message.get_channel_display().lower()} at {address} at send time.")
    if message.is_marketing:
        touches = _recent_touches(message, now)
        if touches >= cap:
            return f"Fatigue cap: {touches} marketing touches in the last {FATIGUE_DAYS} days."
    return ""


def _recent_touches(message: Message, now) -> int:
    """Marketing touches the customer had in the fatigue window, besides this message's own.

    A touch is `Message.touch`: an occasion's occurrence (its email and its text are one
    reminder to the customer), else the message itself; repair notices and other
    transactional messages never count. A message that needs a look may have gone out, so
    it counts. The customer row is locked so two workers sending this customer's messages at
    once count each other (a claimed row is "sending", counted from its claim time).
    """
    Customer.objects.select_for_update().filter(pk=message.customer_id).exists()
    since = now - datetime.timedelta(days=FATIGUE_DAYS)
    recent = (Message.objects.filter(customer_id=message.customer_id).marketing()
              .exclude(pk=message.pk)
              .filter(Q(status__in=[MessageStatus.SENT, MessageStatus.DELIVERED],
                        sent_at__gte=since)
                      | Q(status__in=[MessageStatus.SENDING, MessageStatus.NEEDS_LOOK],
                          updated_at__gte=since))
              .only("pk", "occasion_id", "occurs_on", "campaign_id", "kind"))
    return len({m.touch for m in recent} - {message.touch})


def _occasion_not_on_file(message: Message) -> str:
    """A reminder for a date the profile no longer has (followups.receivers withdraws those
    when it changes; this guards whatever slipped past)."""
    if message.purpose != Purpose.OCCASION_REMINDERS or message.occurs_on is None:
        return ""
    if message.occasion is None:
        return services.OCCASION_WITHDRAWN["removed"]
    if message.occasion.on_year(message.occurs_on.year) != message.occurs_on:
        return services.OCCASION_WITHDRAWN["moved"]
    return ""


def _appointment_off(message: Message, now) -> str:
    """An appointment's confirmation or reminder for a visit that is off or already begun."""
    if message.kind not in APPOINTMENT_KINDS:
        return ""
    appointment = message.appointment
    if appointment is not None and appointment.status == "moved":
        return "The appointment was moved: its new time has its own messages."
    if appointment is None or appointment.status != "booked":
        return "The appointment was cancelled."
    if appointment.starts_at <= now:
        return "Too late: the appointment has begun."
    return ""


def _on_file(message: Message) -> list[str]:
    """The addresses the message may go to now: the profile's for its channel, and for a
    repair notice the envelope's too (the ones given at the counter)."""
    customer, envelope = message.customer, message.envelope
    if message.channel == Channel.EMAIL:
        found = [customer.email, customer.secondary_email, envelope and envelope.email]
    else:
        found = [customer.phone, envelope and envelope.phone]
    return [str(address) for address in found if address]


def _address(message: Message) -> str:
    """The address planned in `to`; for a message planned before `to` was filled in, the
    first address on file whose own consent covers it (else the first, to say why not)."""
    if message.to:
        return message.to
    on_file = _on_file(message)
    consented = (address for address in on_file if consent_current(
        customer=message.customer, channel=message.channel, address=address,
        purpose=message.purpose))
    return next(consented, on_file[0] if on_file else "")


def _claim(message: Message, now, messaging) -> None:
    message.to = _address(message)  # the footer's unsubscribe link names it
    subject, body = compose.render(message, messaging)
    _update(message, now, status=MessageStatus.SENDING, to=message.to, subject=subject,
            body=body, attempts=message.attempts + 1, queued_at=None)


def _update(message: Message, now, **fields) -> None:
    for name, value in fields.items():
        setattr(message, name, value)
    message.updated_at = now
    message.save(update_fields=[*fields, "updated_at"])


def _deliver(message: Message, messaging) -> str:
    if message.channel == Channel.SMS:
        status_callback = f"{django_settings.SITE_URL}{reverse('followups:twilio-status')}"
        result = sms.get_backend().send(to=message.to, body=message.body,
                                        sender=messaging.sender_phone,
                                        status_callback=status_callback)
        return result.provider_id
    return _send_email(message, messaging)


def _send_email(message: Message, messaging) -> str:
    sender = (formataddr((messaging.sender_name or message.store.name, messaging.sender_email))
              if messaging.sender_email else django_settings.DEFAULT_FROM_EMAIL)
    message_id = make_msgid(domain="loupe")
    email = EmailMessage(message.subject, message.body, sender, [message.to],
                         headers={"Message-ID": message_id,
                                  **compose.unsubscribe_headers(message)})
    if message.kind in APPOINTMENT_KINDS:
        email.attach("appointment.ics", calendar_file.appointment_ics(message.appointment),
                     "text/calendar")
    try:
        email.send()
    except AnymailRecipientsRefused as exc:
        raise SendError(f"Address refused: {exc}", permanent=True, unreachable=True) from exc
    except AnymailAPIError as exc:
        code = getattr(exc, "status_code", None) or 0
        raise SendError(f"Email provider: {exc}",
                        permanent=400 <= code < 500 and code != 429) from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(f"Address refused: {exc}", permanent=True, unreachable=True) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise SendError(f"Email server: {exc}", permanent=False) from exc
    status = getattr(email, "anymail_status", None)
    if status is not None and status.message_id is not None:
        return str(status.message_id)
    return message_id


@transaction.atomic
def _record_sent(message_id: int, provider_id: str) -> None:
    now = timezone.now()
    # of=self: the customer is an outer join now (a sign-up's message has none).
    message = (Message.objects.select_for_update(of=("self",)).select_related("customer")
               .get(pk=message_id))
    _update(message, now, status=MessageStatus.SENT, provider_id=provider_id, sent_at=now,
            reason="")
    if message.customer_id is not None:  # a sign-up has no timeline until it is confirmed
        interaction_add(customer=message.customer, kind=InteractionKind.MESSAGE, at=now,
                        summary=f"{message.get_kind_display()} "
                                f"{message.get_channel_display().lower()} sent to {message.to}")
    log_action(by=None, action="followups.message_sent", obj=message, store=message.store,
               at=now, data={"channel": message.channel, "provider_id": provider_id})


@transaction.atomic
def _record_failure(message_id: int, exc: SendError) -> str:
    now = timezone.now()
    # of=self: the customer is an outer join now (a sign-up's message has none).
    message = (Message.objects.select_for_update(of=("self",)).select_related("customer")
               .get(pk=message_id))
    if not exc.permanent and message.attempts < MAX_ATTEMPTS:
        # Back off by moving the row's due time; the dispatcher picks it up then (no ETA).
        _update(message, now, status=MessageStatus.PLANNED,
                due_at=services.next_retry_at(now=now, attempts=message.attempts),
                reason=f"Attempt {message.attempts} failed: {exc.reason}"[:300])
        return "retry later"
    _update(message, now, status=MessageStatus.FAILED, reason=exc.reason[:300])
    if exc.unreachable and message.customer_id is not None:
        method = ConsentMethod.BOUNCE if message.channel == Channel.EMAIL \
            else ConsentMethod.PROVIDER
        services.revoke_address(customer=message.customer, channel=message.channel,
                                address=message.to, method=method, note=exc.reason[:200],
                                at=now)
    log_action(by=None, action="followups.message_failed", obj=message, store=message.store,
               at=now, data={"reason": exc.reason[:300]})
    return "failed"
