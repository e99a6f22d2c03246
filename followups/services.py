"""Writes that matter for follow-ups: settings, templates, repair notices, calls, opt-out and
provider events. The planner lives in planner.py and the sender in sender.py."""

import datetime

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from core.audit import log_action
from core.errors import LoupeError
from core.one_line import check_one_line
from core.queueing import publish_each_after_commit
from crm.models import Channel, Consent, ConsentMethod, Customer, InteractionKind, Purpose
from crm.selectors import consent_current
from crm.services import consent_record, interaction_add
from followups import compose, rendering
from followups.appointment_notices import (  # noqa: F401 - the room's public door
    APPOINTMENT_PURPOSE,
    appointment_notices_plan,
    appointment_notices_withdraw,
)
from followups.conversations import (  # noqa: F401 - the room's public door
    customer_reply_send,
    email_inbound,
    reply_addresses,
    reply_default_address,
    reply_purpose,
    reply_status,
    reply_waiting,
)
from followups.models import (
    REACH_OUT,
    CallTask,
    Message,
    MessageStatus,
    MessageTemplate,
    MessagingSettings,
    ProviderEvent,
    Task,
    TaskKind,
    TemplateKind,
)
from followups.work import (  # noqa: F401 - the room's public door
    task_create,
    task_done,
    task_left_voicemail,
    task_reassign,
    task_snooze,
    tasks_follow_clients,
)

# The names the planner's calls had before every task could be done, snoozed and reassigned.
call_task_done = task_done
call_task_left_voicemail = task_left_voicemail

STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
START_WORDS = {"START", "UNSTOP"}
HELP_WORDS = {"HELP", "INFO"}
# The fatigue cap counts marketing touches in this many days (the sender and the event
# campaign's audience count alike).
FATIGUE_DAYS = 30

# Rooms above followups add to what happens to a message without followups importing them
# (events registers its hooks in its AppConfig.ready):
#   message context: (message) -> more placeholders for its words, {} when not theirs
#     (composed in followups.compose);
#   send checks: (message, now) -> why it must not go out any more, "" to let it go;
#   text replies: (customers, text, at) -> the reply to text back, None when not theirs.
_SEND_CHECKS, _TEXT_REPLIES = [], []


def register_message_context(provider):
    """Composed into every message's context (followups.compose.CONTEXT_PROVIDERS)."""
    if provider not in compose.CONTEXT_PROVIDERS:
        compose.CONTEXT_PROVIDERS.append(provider)
    return provider


def register_send_check(check):
    if check not in _SEND_CHECKS:
        _SEND_CHECKS.append(check)
    return check


def register_text_reply(handler):
    if handler not in _TEXT_REPLIES:
        _TEXT_REPLIES.append(handler)
    return handler


def message_send_check(message, now) -> str:
    """Why another room says the message must not go out (it is suppressed), or ""."""
    return next((reason for check in _SEND_CHECKS if (reason := check(message, now))), "")


def dispatch_after_commit() -> None:
    """Hand what has come due to the workers once the caller's rows are committed (the
    dispatcher would find them within a minute anyway)."""
    from followups.sender import messages_dispatch_due

    transaction.on_commit(lambda: messages_dispatch_due())


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


def templates_for(*, store, kind: str, channels) -> list[MessageTemplate]:
    """The words `kind` goes out with on each channel: the store's copy, else the default
    (unsaved), as the sender picks them."""
    saved = {t.channel: t for t in MessageTemplate.objects.filter(store=store, kind=kind,
                                                                  channel__in=channels)}
    return [saved.get(channel) or MessageTemplate(
        store=store, kind=kind, channel=channel, subject=rendering.DEFAULTS[(kind, channel)][0],
        body=rendering.DEFAULTS[(kind, channel)][1]) for channel in channels]


def template_check(*, template: MessageTemplate) -> None:
    """Raise LoupeError if the template uses an unknown placeholder or lacks one it needs."""
    rendering.check(template.subject, field="subject")
    rendering.check(template.body, field="body")
    rendering.check_required(template.body, kind=template.kind)


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
def reach_out_task_create(*, customer: Customer, by) -> tuple[Task, bool]:
    """Give the client's associate (the managers' list for an orphan) a call due today to
    reach out to them; returns the task and whether it is new.

    A second tap, or a second manager, while one is still open finds that one: the customer
    row is locked so two at once make one task.
    """
    locked = (Customer.objects.select_for_update(of=("self",))
              .select_related("assigned_to", "store")
              .get(pk=customer.pk))
    open_task = (Task.objects.filter(customer=locked, kind=TaskKind.REACH_OUT,
                                     done_at__isnull=True)
                 .order_by("id").first())
    if open_task is not None:
        return open_task, False
    now = timezone.now()
    today = locked.store.today(now)
    associate = locked.assigned_to
    task = Task.objects.create(
        store=locked.store, customer=locked, kind=TaskKind.REACH_OUT, occasion=None,
        due_on=today, note=REACH_OUT, reason=REACH_OUT, created_by=by, created_at=now,
        assignee=associate if associate is not None and associate.is_active else None)
    log_action(by=by, action="followups.reach_out_asked", obj=task,
               store=locked.store, at=now, data={"customer": locked.pk})
    return task, True


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
def sms_inbound(*, sender: str, store_number: str, text: str, message_sid: str = "") -> str:
    """A text from a customer: STOP/START/HELP keywords, anything else to the timeline and a
    "reply waiting" item on the associate's Today (the managers' for an orphaned client).

    STOP and START apply to the number that texted, never to another number of the profile.
    The same text delivered again (Twilio retries with the same MessageSid) changes nothing.
    Returns the reply to text back ("" for none).
    """
    if message_sid:
        try:
            with transaction.atomic():
                ProviderEvent.objects.create(provider="twilio-inbound",
                                             event_id=message_sid[:200],
                                             received_at=timezone.now())
        except IntegrityError:
            return ""
    word = text.strip().split(maxsplit=1)[0].upper() if text.strip() else ""
    customers = list(Customer.objects.filter(phone=sender)
                     .select_related("store", "assigned_to"))
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
    for handler in _TEXT_REPLIES:
        reply = handler(customers=customers, text=text, at=now)
        if reply is not None:
            return reply
    for customer in customers:
        interaction_add(customer=customer, kind=InteractionKind.REPLY,
                        summary=f"Texted: {text.strip()[:500]}", at=now)
        reply_waiting(customer=customer, text=text, at=now)
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


# An event campaign's messages: the events room plans its invitations in set-based SQL
# (events/expansion.py); what happens to them afterwards is written here, on the outbox.

@transaction.atomic
def campaign_messages_pause(*, campaign, at) -> int:
    """Hold a campaign's planned messages: the dispatcher passes paused rows by. A message a
    worker has already claimed goes on (it is "sending", not planned)."""
    return Message.objects.filter(campaign=campaign, status=MessageStatus.PLANNED).update(
        status=MessageStatus.PAUSED, queued_at=None, updated_at=at)


@transaction.atomic
def campaign_messages_resume(*, campaign, at) -> int:
    resumed = Message.objects.filter(campaign=campaign, status=MessageStatus.PAUSED).update(
        status=MessageStatus.PLANNED, queued_at=None, updated_at=at)
    dispatch_after_commit()
    return resumed


@transaction.atomic
def campaign_messages_withdraw(*, campaign, reason: str, at, customer=None) -> int:
    """Hold back for good what the campaign has not sent yet (to one customer, or all)."""
    rows = Message.objects.filter(campaign=campaign,
                                  status__in=[MessageStatus.PLANNED, MessageStatus.PAUSED])
    if customer is not None:
        rows = rows.filter(customer=customer)
    return rows.update(status=MessageStatus.SUPPRESSED, reason=reason[:300], queued_at=None,
                       updated_at=at)


# A follow-up step (a reminder, a cancellation notice) goes where the invitation went: each
# invitation that went out (or may have) gets one copy of `kind`, once per channel.
_INSERT_CAMPAIGN_STEP = """
    INSERT INTO followups_message
        (store_id, customer_id, channel, purpose, kind, campaign_id, status, due_at, reason,
         "to", subject, body, provider_id, attempts, created_at, updated_at)
    SELECT m.store_id, m.customer_id, m.channel, m.purpose, %(kind)s, m.campaign_id,
           'planned', %(due)s, '', m."to", '', '', '', 0, %(now)s, %(now)s
    FROM followups_message m
    WHERE m.campaign_id = %(campaign)s AND m.kind = %(invitation)s
      AND m.status IN ('sent', 'delivered', 'needs_look') {customer}
    ON CONFLICT DO NOTHING
"""


@transaction.atomic
def campaign_step_plan(*, campaign, kind: str, due_at, now, customer=None) -> int:
    """Plan `kind` for everyone the campaign's invitation went to (or one customer of them);
    twice is the same as once. Returns how many rows were added."""
    ops = connection.ops
    sql = _INSERT_CAMPAIGN_STEP.replace(
        "{customer}", "AND m.customer_id = %(customer)s" if customer is not None else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, {"kind": kind, "campaign": campaign.pk,
                             "invitation": TemplateKind.EVENT_INVITATION.value,
                             "customer": getattr(customer, "pk", None),
                             "due": ops.adapt_datetimefield_value(due_at),
                             "now": ops.adapt_datetimefield_value(now)})
        added = cursor.rowcount
    if added:
        dispatch_after_commit()
    return added
