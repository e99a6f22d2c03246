"""Writes that matter for follow-ups: settings, templates, repair notices, calls, opt-out and
provider events. The planner lives in planner.py and the sender in sender.py."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from core.audit import log_action
from core.errors import LoupeError
from core.one_line import check_one_line
from core.queueing import publish_each_after_commit
from crm.models import Channel, Consent, ConsentMethod, Customer, InteractionKind, Purpose
from crm.selectors import consent_current
from crm.services import consent_record, interaction_add
from followups import compose, rendering
from followups.models import (
    CallOutcome,
    CallTask,
    Message,
    MessageStatus,
    MessageTemplate,
    MessagingSettings,
    ProviderEvent,
    TemplateKind,
)

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START_WORDS = {"START", "UNSTOP"}
HELP_WORDS = {"HELP", "INFO"}


def settings_defaults(store) -> dict[str, str]:
    """A new store's messaging settings: its own name, address, email and phone."""
    return {"footer_address": store.address, "sender_name": store.name,
            "sender_email": store.email, "sender_phone": store.phone}


def messaging_settings_for(*, store) -> MessagingSettings:
    """The store's messaging settings, made with the store (`store_messaging_start`).

    A store saved without its receiver (a raw fixture) gets them here on first use.
    """
    found, _ = MessagingSettings.objects.select_related("store").get_or_create(
        store=store, defaults=settings_defaults(store))
    return found


@transaction.atomic
def store_messaging_start(*, store) -> None:
    """A new store's messaging settings and its own copy of every default template, so no
    page has to create them when it is opened (idempotent; followups.receivers calls it when
    a store is created, migration 0006 for the stores that were there before)."""
    MessagingSettings.objects.get_or_create(store=store, defaults=settings_defaults(store))
    templates_ensure(store=store)


@transaction.atomic
def messaging_settings_update(*, settings: MessagingSettings, by, **fields) -> MessagingSettings:
    if fields.get("send_from") and fields.get("send_until") \
            and fields["send_from"] >= fields["send_until"]:
        raise LoupeError("Sending must start before it ends.", field="send_until")
    check_one_line(fields, ["sender_name", "sender_email", "sender_phone"])
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.save(update_fields=list(fields))
    log_action(by=by, action="followups.settings_changed", obj=settings,
               store=settings.store, data={k: str(v) for k, v in fields.items()})
    return settings


def templates_ensure(*, store) -> None:
    """Give the store its own copy of every default template (idempotent)."""
    templates_ensure_for_stores(stores=[store])


def templates_ensure_for_stores(*, stores, model=MessageTemplate) -> None:
    """Every store's own copy of every default template, in one statement (idempotent): a
    kind added by a later release reaches the stores already there when `migrate` runs
    (followups.receivers), keeping every word a store changed. `model` is the migrated
    state's MessageTemplate when called after `migrate`."""
    model.objects.bulk_create(
        [model(store_id=store.pk, kind=kind, channel=channel, subject=subject, body=body)
         for store in stores
         for (kind, channel), (subject, body) in rendering.DEFAULTS.items()],
        ignore_conflicts=True,
    )


@transaction.atomic
def template_update(*, template: MessageTemplate, subject: str, body: str,
                    by) -> MessageTemplate:
    rendering.check(subject, field="subject")
    check_one_line({"subject": subject.strip()}, ["subject"])
    rendering.check(body, field="body")
    rendering.check_required(body, kind=template.kind)
    if not body.strip():
        raise LoupeError("A message needs some words.", field="body")
    if template.channel == Channel.EMAIL and not subject.strip():
        raise LoupeError("An email needs a subject.", field="subject")
    template.subject, template.body = subject, body
    template.save(update_fields=["subject", "body", "updated_at"])
    log_action(by=by, action="followups.template_changed", obj=template,
               store=template.store, data={"kind": template.kind, "channel": template.channel})
    return template


def queue_after_commit(ids) -> None:
    """Hand messages that are due now to the sender once the rows are committed.

    Best effort: with the broker down nothing fails; the rows not queued lose their queued
    mark, so the dispatcher's next run (when Redis is back) offers them again.
    """
    from followups.tasks import send_message

    publish_each_after_commit(send_message, ids, on_failure=_unqueue)


def _unqueue(ids) -> None:
    Message.objects.filter(pk__in=ids, status=MessageStatus.PLANNED).update(queued_at=None)


@transaction.atomic
def repair_ready_notify(*, envelope, by=None) -> list[Message]:
    """Plan the "your repair is ready" email (and a text where allowed): once per channel.

    Called inside the repair's mark-ready transaction; sending starts after it commits.
    Calling it again for the same envelope adds nothing (the unique constraint holds).
    """
    now = timezone.now()
    due_at = messaging_settings_for(store=envelope.store).next_send_time(now)
    customer = envelope.customer
    common = {"store_id": envelope.store_id, "customer": customer, "envelope": envelope,
              "purpose": Purpose.REPAIR_NOTICES, "kind": TemplateKind.REPAIR_READY,
              "due_at": due_at, "created_at": now, "updated_at": now}
    # The envelope's email and number (the profile's when none was typed), each only with
    # its own consent.
    email_ok = consent_current(customer=customer, channel=Channel.EMAIL, address=envelope.email,
                               purpose=Purpose.REPAIR_NOTICES)
    rows = [Message(channel=Channel.EMAIL, to=envelope.email,
                    status=MessageStatus.PLANNED if email_ok else MessageStatus.SUPPRESSED,
                    reason="" if email_ok else
                    f"No consent to repair notices by email at {envelope.email}.",
                    **common)]
    phone = str(envelope.phone or customer.phone or "")
    if phone and consent_current(customer=customer, channel=Channel.SMS, address=phone,
                                 purpose=Purpose.REPAIR_NOTICES):
        rows.append(Message(channel=Channel.SMS, to=phone, **common))
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    messages = list(Message.objects.filter(envelope=envelope, kind=TemplateKind.REPAIR_READY))
    log_action(by=by, action="followups.repair_ready_planned",
               obj=envelope, store=envelope.store,
               data={"channels": [m.channel for m in messages]}, at=now)
    due = [m.pk for m in messages
           if m.status == MessageStatus.PLANNED and m.due_at <= now and m.queued_at is None]
    Message.objects.filter(pk__in=due).update(queued_at=now)
    queue_after_commit(due)
    return messages


@transaction.atomic
def sign_up_confirmation_plan(*, sign_up) -> Message:
    """Put a public form's confirmation email in the outbox, due now, to the address typed.

    Runs inside the sign-up's transaction (crm's `sign_up_received` signal), so the entry
    and its email are saved together. Transactional: no consent is needed or recorded, and
    the sender does not hold it for quiet hours or the fatigue cap. A second call for the
    same sign-up adds nothing (the unique constraint holds).
    """
    now = timezone.now()
    Message.objects.bulk_create([Message(
        store_id=sign_up.store_id, sign_up=sign_up, channel=Channel.EMAIL,
        # What the email asks for; the message itself is transactional (is_marketing).
        purpose=Purpose.EVENTS, kind=TemplateKind.SIGN_UP_CONFIRMATION, to=sign_up.email,
        due_at=now, queued_at=now, created_at=now, updated_at=now)], ignore_conflicts=True)
    message = Message.objects.get(sign_up=sign_up, channel=Channel.EMAIL)
    log_action(by=None, action="followups.sign_up_confirmation_planned", obj=message,
               store=sign_up.store, at=now, data={"sign_up": sign_up.pk})
    queue_after_commit([message.pk])
    return message


def voucher_email_plan(*, voucher) -> Message:
    """Email a voucher just issued to the address that was confirmed for it, due now.

    Runs inside the confirmation's transaction (crm's `voucher_issued` signal); the person
    consented to email at that address a moment ago, and the sender checks it again. A
    second call for the same voucher adds nothing (the unique constraint holds).
    """
    return _asked_for_plan(customer_id=voucher.customer_id, store=voucher.store,
                           kind=TemplateKind.VOUCHER, to=voucher.email, voucher=voucher)


def drawing_winner_notice_plan(*, drawing) -> Message:
    """Tell the drawing's winner, by email to the address they entered with (crm's
    `drawing_winner_drawn` signal, inside the draw's transaction); once per drawing."""
    winner = drawing.winner
    return _asked_for_plan(customer_id=winner.customer_id, store=drawing.store,
                           kind=TemplateKind.DRAWING_WINNER, to=winner.email, drawing=drawing)


def _asked_for_plan(*, customer_id, store, kind, to, **about) -> Message:
    now = timezone.now()
    Message.objects.bulk_create([Message(
        store=store, customer_id=customer_id, channel=Channel.EMAIL, purpose=Purpose.EVENTS,
        kind=kind, to=to, due_at=now, queued_at=now, created_at=now, updated_at=now,
        **about)], ignore_conflicts=True)
    message = Message.objects.get(channel=Channel.EMAIL, **about)
    log_action(by=None, action=f"followups.{kind}_planned", obj=message, store=store,
               at=now, data={"customer": customer_id})
    queue_after_commit([message.pk])
    return message


@transaction.atomic
def call_task_done(*, task: CallTask, by, outcome: str = "") -> CallTask:
    """Tick off a call (twice is the same as once) and put it on the customer's timeline."""
    task = CallTask.objects.select_for_update().get(pk=task.pk)
    if task.done_at is not None:
        return task
    now = timezone.now()
    task.done_at, task.done_by, task.outcome = now, by, outcome[:200]
    task.attempts, task.last_try_at = task.attempts + 1, now
    task.save(update_fields=["done_at", "done_by", "outcome", "attempts", "last_try_at"])
    summary = f"Called about {_call_about(task)}"
    interaction_add(customer=task.customer, kind=InteractionKind.CALL,
                    summary=f"{summary}: {outcome}" if outcome else summary, by=by, at=now)
    log_action(by=by, action="followups.call_done", obj=task, store=task.store, at=now)
    return task


def _call_about(task: CallTask) -> str:
    """What the call is about, for the timeline: its occasion (gone if it was removed since)."""
    about = task.occasion.title.lower() if task.occasion else "their date"
    return f"{about} on {task.occurs_on:%b %d}"


@transaction.atomic
def call_task_left_voicemail(*, task: CallTask, by, tries_seen: int,
                             note: str = "") -> CallTask:
    """Count a try that reached voicemail; the call stays open for another try.

    `tries_seen` is the count the associate's screen showed: a double tap (or a second
    screen) that already counted this try finds a higher count and adds nothing.
    """
    task = (CallTask.objects.select_for_update(of=("self",)).select_related("occasion")
            .get(pk=task.pk))
    if task.done_at is not None or task.attempts != tries_seen:
        return task
    now = timezone.now()
    task.attempts, task.last_try_at = task.attempts + 1, now
    task.outcome = CallOutcome.VOICEMAIL.label if not note else \
        f"{CallOutcome.VOICEMAIL.label}: {note}"[:200]
    task.save(update_fields=["attempts", "last_try_at", "outcome"])
    summary = f"Left voicemail about {_call_about(task)} (try {task.attempts})"
    interaction_add(customer=task.customer, kind=InteractionKind.CALL,
                    summary=f"{summary}: {note}" if note else summary, by=by, at=now)
    log_action(by=by, action="followups.call_voicemail", obj=task, store=task.store,
               at=now, data={"tries": task.attempts})
    return task


# Why a reminder planned for an occasion was held back, by what became of the occasion.
OCCASION_WITHDRAWN = {
    "moved": "The occasion was moved to another date.",
    "removed": "The occasion was removed from the profile.",
    "merged": "The same date was on file twice; the other one is kept.",
}


@transaction.atomic
def occasion_plans_withdraw(*, occasion, change: str, at) -> tuple[int, int]:
    """Hold back the planned reminders and close the open calls of an occasion that was
    removed or merged away, or that moved off the date they were planned for.

    Called inside the transaction that changed the occasion; the rows are locked first, so
    a reminder a worker claimed meanwhile is left to it. They are detached from the occasion
    (customer, kind and date stay on them), so a date moved back can be planned again.
    Returns (reminders held back, calls closed).
    """
    reason = OCCASION_WITHDRAWN[change]
    gone = change != "moved"
    planned = [m.pk for m in Message.objects.select_for_update()
               .filter(occasion=occasion, status=MessageStatus.PLANNED)
               if gone or occasion.on_year(m.occurs_on.year) != m.occurs_on]
    calls = [c.pk for c in CallTask.objects.select_for_update()
             .filter(occasion=occasion, done_at__isnull=True)
             if gone or occasion.on_year(c.occurs_on.year) != c.occurs_on]
    held = Message.objects.filter(pk__in=planned).update(
        status=MessageStatus.SUPPRESSED, reason=reason, occasion=None, queued_at=None,
        updated_at=at)
    closed = CallTask.objects.filter(pk__in=calls).update(done_at=at, outcome=reason,
                                                           occasion=None)
    return held, closed


def revoke_address(*, customer: Customer, channel: str, address: str, method: str,
                   note: str = "", at=None) -> None:
    """Revoke every purpose the customer has granted for one address on one channel (inside a
    transaction). Other addresses keep their own consent.

    Purposes never granted get no row, so a later START re-grants only what STOP took away.
    """
    for purpose in Purpose.values:
        if not consent_current(customer=customer, channel=channel, address=address,
                               purpose=purpose):
            continue
        consent_record(customer=customer, channel=channel, address=address, purpose=purpose,
                       granted=False, method=method, note=note, at=at)


def _email_addresses(customer: Customer) -> list[str]:
    """Every email the customer has given consent for, and the ones on the profile now."""
    known = (Consent.objects.filter(customer=customer, channel=Channel.EMAIL)
             .exclude(address="").values_list("address", flat=True).distinct())
    return sorted({*known, *filter(None, [customer.email, customer.secondary_email])})


def unsubscribe_address(*, customer: Customer, key: str) -> str:
    """The customer's email address an unsubscribe link names ("" for a link from before
    links named one, or one no longer known: then every address is unsubscribed)."""
    return next((a for a in _email_addresses(customer)
                 if key and compose.address_key(a) == key), "")


@transaction.atomic
def customer_unsubscribe(*, customer: Customer, address: str = "") -> None:
    """The email unsubscribe link: no more email of any kind to `address`, at once
    (idempotent). Without an address (a link from before links named one) every email
    address of the customer is unsubscribed."""
    for email in [address] if address else _email_addresses(customer):
        revoke_address(customer=customer, channel=Channel.EMAIL, address=email,
                       method=ConsentMethod.UNSUBSCRIBE, note="Unsubscribe link")


@transaction.atomic
def sms_inbound(*, sender: str, store_number: str, text: str) -> str:
    """A text from a customer: STOP/START/HELP keywords, anything else to the timeline.

    STOP and START apply to the number that texted, never to another number of the profile.
    Returns the reply to text back ("" for none).
    """
    word = text.strip().split(maxsplit=1)[0].upper() if text.strip() else ""
    customers = list(Customer.objects.filter(phone=sender).select_related("store"))
    numbered = [c for c in customers if _store_number(c.store) == store_number]
    customers = numbered or customers
    now = timezone.now()
    if word in STOP_WORDS:
        for customer in customers:
            revoke_address(customer=customer, channel=Channel.SMS, address=sender,
                           method=ConsentMethod.STOP, note=f"Texted {word}", at=now)
        return ""
    if word in START_WORDS:
        for customer in customers:
            _regrant_after_stop(customer=customer, number=sender, at=now)
        return "You are subscribed again. Reply STOP to opt out."
    if word in HELP_WORDS:
        store = customers[0].store if customers else None
        phone = store.phone if store else ""
        return f"{store or 'Loupe'}: call us at {phone}. Reply STOP to opt out.".replace(
            " at .", ".")
    for customer in customers:
        interaction_add(customer=customer, kind=InteractionKind.REPLY,
                        summary=f"Texted: {text.strip()[:500]}", at=now)
    return ""


def _store_number(store) -> str:
    found = MessagingSettings.objects.filter(store=store).values_list("sender_phone",
                                                                      flat=True).first()
    return found or store.phone


def _regrant_after_stop(*, customer: Customer, number: str, at) -> None:
    for purpose in Purpose.values:
        latest = Consent.objects.current_row(customer=customer, channel=Channel.SMS,
                                             address=number, purpose=purpose)
        if latest is not None and not latest.granted and latest.method == ConsentMethod.STOP:
            consent_record(customer=customer, channel=Channel.SMS, address=number,
                           purpose=purpose, granted=True, method=ConsentMethod.START,
                           note="Texted START", at=at)


# A later status never goes back to an earlier one (a late "sent" after "delivered").
# A row that needed a look is settled by the provider's word (it did go out, or failed).
_STATUS_RANK = {MessageStatus.PLANNED: 0, MessageStatus.SENDING: 1, MessageStatus.NEEDS_LOOK: 1,
                MessageStatus.SENT: 2, MessageStatus.DELIVERED: 3, MessageStatus.FAILED: 4}


@transaction.atomic
def message_record_event(*, provider: str, event_id: str, provider_id: str,
                         status: str | None, reason: str = "", unreachable: bool = False,
                         method: str = ConsentMethod.PROVIDER) -> bool:
    """Apply a provider's webhook event once; the same event delivered again changes nothing.

    Returns whether the event was new.
    """
    now = timezone.now()
    try:
        with transaction.atomic():
            ProviderEvent.objects.create(provider=provider, event_id=event_id[:200],
                                         received_at=now)
    except IntegrityError:
        return False
    message = (Message.objects.select_for_update(of=("self",)).select_related("customer")
               .filter(provider_id=provider_id).first() if provider_id else None)
    if message is None:
        return True
    if status and _STATUS_RANK.get(status, -1) > _STATUS_RANK.get(message.status, 99):
        message.status = status
        message.reason = reason[:300] or message.reason
        message.updated_at = now
        message.save(update_fields=["status", "reason", "updated_at"])
    # A sign-up's confirmation bounced: no profile, no consent to revoke.
    if unreachable and message.to and message.customer_id is not None:
        revoke_address(customer=message.customer, channel=message.channel, address=message.to,
                       method=method, note=reason[:200], at=now)
    return True


def next_retry_at(*, now: datetime.datetime, attempts: int) -> datetime.datetime:
    """Exponential backoff for transient provider errors: 2, 4, 8, 16 minutes."""
    return now + datetime.timedelta(minutes=2 ** attempts)
