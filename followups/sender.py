"""The sender: claims one outbox row, re-checks it, sends it through its channel, records it.

Delivery is AT MOST ONCE. The row is claimed (status "sending", committed) before the
provider is called, and only a "planned" row is ever sent. If the worker dies between the
provider accepting the message and our recording it, the row stays "sending" and is never
sent again automatically: a customer missing one reminder (visible in the message log) is
better than one receiving two.
"""

import datetime
import smtplib
from email.utils import formataddr, make_msgid

from anymail.exceptions import AnymailAPIError, AnymailRecipientsRefused
from django.conf import settings as django_settings
from django.core.mail import EmailMessage
from django.core.signing import TimestampSigner
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from core.audit import log_action
from crm.links import confirmation_url
from crm.models import Channel, ConsentMethod, Customer, InteractionKind, Purpose
from crm.selectors import consent_current
from crm.services import interaction_add
from followups import rendering, services, sms
from followups.errors import SendError
from followups.models import Message, MessageStatus, MessageTemplate

MAX_ATTEMPTS = 5
FATIGUE_DAYS = 30
UNSUBSCRIBE_SALT = "followups.unsubscribe"


def unsubscribe_token(customer_id: int, *, address: str) -> str:
    """Names the customer and the address the message went to: unsubscribing stops that one."""
    return TimestampSigner(salt=UNSUBSCRIBE_SALT).sign(f"{customer_id}:{address}")


def unsubscribe_from_token(token: str) -> tuple[int, str]:
    """(customer id, address) from a link; a link from before addresses gives "" for it.

    Raises BadSignature or ValueError for a link we did not sign.
    """
    value = TimestampSigner(salt=UNSUBSCRIBE_SALT).unsign(token)
    customer_id, _, address = value.partition(":")
    return int(customer_id), address


def unsubscribe_url(customer_id: int, *, address: str) -> str:
    token = unsubscribe_token(customer_id, address=address)
    path = reverse("followups:unsubscribe", kwargs={"token": token})
    return f"{django_settings.SITE_URL}{path}"


def messages_dispatch_due(*, now: datetime.datetime | None = None, limit: int = 500) -> int:
    """Queue what has come due (the frequent beat task). Safe to run on two machines."""
    now = now or timezone.now()
    requeue_before = now - datetime.timedelta(minutes=10)
    with transaction.atomic():
        ids = list(Message.objects.due(now)
                   .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=requeue_before))
                   .order_by("due_at").select_for_update(skip_locked=True)
                   .values_list("pk", flat=True)[:limit])
        Message.objects.filter(pk__in=ids).update(queued_at=now)
        services.queue_after_commit(ids)
    return len(ids)


def message_send(*, message_id: int) -> str:
    """Send one message if it is still planned and due; returns what happened (for logs).

    A redelivered task, or a second worker, finds the row claimed or locked and does nothing.
    """
    now = timezone.now()
    with transaction.atomic():
        message = (Message.objects.select_for_update(skip_locked=True, of=("self",))
                   .select_related("store", "customer__assigned_to", "occasion", "envelope",
                                   "sign_up")
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
    except SendError as exc:
        return _record_failure(message.pk, exc)
    _record_sent(message.pk, provider_id)
    return "sent"


def _hold_back(message: Message, now, messaging) -> str:
    """Suppress (with the reason) or defer a message that must not go out now."""
    if message.is_sign_up_confirmation:
        return ""  # asked for a moment ago: no consent yet by design, no quiet hours, no cap
    reason = _stop_reason(message, now, messaging.fatigue_cap)
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


def _stop_reason(message: Message, now, cap: int) -> str:
    customer = message.customer
    if not consent_current(customer=customer, channel=message.channel,
                           address=_address(message), purpose=message.purpose):
        return (f"No current consent for {message.get_purpose_display().lower()} by "
                f"{message.get_channel_display().lower()} at send time.")
    if not _address(message):
        return f"No {'email address' if message.channel == Channel.EMAIL else 'phone number'}."
    if message.is_marketing:
        # The customer row is locked so two workers sending this customer's email and text
        # at once count each other (a claimed row is "sending", counted from its claim time).
        Customer.objects.select_for_update().filter(pk=customer.pk).exists()
        recent = (Message.objects.filter(customer=customer).exclude(pk=message.pk)
                  .filter(Q(status__in=[MessageStatus.SENT, MessageStatus.DELIVERED],
                            sent_at__gte=now - datetime.timedelta(days=FATIGUE_DAYS))
                          | Q(status=MessageStatus.SENDING,
                              updated_at__gte=now - datetime.timedelta(days=FATIGUE_DAYS)))
                  .exclude(purpose=Purpose.REPAIR_NOTICES).count())
        if recent >= cap:
            return f"Fatigue cap: {recent} marketing messages in the last {FATIGUE_DAYS} days."
    return ""


def _address(message: Message) -> str:
    if message.to:
        return message.to
    customer = message.customer
    return customer.email if message.channel == Channel.EMAIL else str(customer.phone or "")


def _claim(message: Message, now, messaging) -> None:
    message.to = _address(message)  # the footer's unsubscribe link names it
    subject, body = render(message, messaging)
    _update(message, now, status=MessageStatus.SENDING, to=message.to, subject=subject,
            body=body, attempts=message.attempts + 1, queued_at=None)


def _update(message: Message, now, **fields) -> None:
    for name, value in fields.items():
        setattr(message, name, value)
    message.updated_at = now
    message.save(update_fields=[*fields, "updated_at"])


def context_for(message: Message, messaging) -> dict[str, str]:
    if message.is_sign_up_confirmation:
        return _sign_up_context(message, messaging)
    customer, store = message.customer, message.store
    wish = customer.wish_items.order_by("-created_at", "-id").first()
    associate = customer.assigned_to
    return {
        "first_name": customer.first_name,
        "occasion": message.occasion.title.lower() if message.occasion else "",
        "date": f"{message.occurs_on:%B} {message.occurs_on.day}" if message.occurs_on else "",
        "associate": associate.display_name if associate and associate.is_active else store.name,
        "store": messaging.sender_name or store.name,
        "store_phone": messaging.sender_phone or store.phone,
        "wish_item": wish.description if wish else "",
        "envelope": str(message.envelope.number) if message.envelope else "",
    }


def _sign_up_context(message: Message, messaging) -> dict[str, str]:
    """A sign-up belongs to no profile yet: its own name, the store, and the link."""
    sign_up, store = message.sign_up, message.store
    return {"first_name": sign_up.first_name, "store": messaging.sender_name or store.name,
            "store_phone": messaging.sender_phone or store.phone,
            "link": confirmation_url(sign_up=sign_up)}


def render(message: Message, messaging, template: MessageTemplate | None = None
           ) -> tuple[str, str]:
    """The subject and the full text as it goes out (footer included).

    `template` previews unsaved words; otherwise the store's template or the default.
    """
    template = template or MessageTemplate.objects.filter(
        store=message.store, kind=message.kind, channel=message.channel).first()
    subject, body = ((template.subject, template.body) if template
                     else rendering.DEFAULTS[(message.kind, message.channel)])
    context = context_for(message, messaging)
    subject, body = rendering.render(subject, context), rendering.render(body, context)
    if message.channel == Channel.SMS:
        return "", f"{body} Reply STOP to opt out." if message.is_marketing else body
    footer = messaging.footer_address or message.store.address
    if message.is_sign_up_confirmation:
        return subject, f"{body}\n\n--\n{footer}"  # no consent yet: nothing to unsubscribe
    return subject, (f"{body}\n\n--\n{footer}\n"
                     f"Unsubscribe: {unsubscribe_url(message.customer_id, address=message.to)}")


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
                         headers={"Message-ID": message_id, **_unsubscribe_headers(message)})
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


def _unsubscribe_headers(message: Message) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe, for every email but a sign-up's confirmation."""
    if message.is_sign_up_confirmation:
        return {}
    return {"List-Unsubscribe": f"<{unsubscribe_url(message.customer_id, address=message.to)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}


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
    log_action(actor=None, action="followups.message_sent", obj=message, store=message.store,
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
    log_action(actor=None, action="followups.message_failed", obj=message, store=message.store,
               at=now, data={"reason": exc.reason[:300]})
    return "failed"
