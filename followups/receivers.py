"""Signals from below, each handed straight to the service that acts on it: anymail's
tracking events, crm's word that an occasion moved or went, crm's public sign-ups, the vouchers
they earn and the drawing's winners (crm cannot import followups, so it announces them), and a
new store (named by its label: followups does not import staff's models), which gets its
messaging settings and templates at once; after `migrate`, a kind of template a release added
reaches every store."""

from anymail.signals import inbound, tracking
from django.apps import apps as global_apps
from django.db.models.signals import post_migrate, post_save
from django.dispatch import receiver

from crm.models import ConsentMethod
from crm.signals import (
    clients_assigned,
    drawing_winner_drawn,
    occasion_changed,
    sign_up_received,
    voucher_issued,
)
from followups import services
from followups.models import MessageStatus

EMAIL_STATUSES = {"delivered": MessageStatus.DELIVERED, "bounced": MessageStatus.FAILED,
                  "rejected": MessageStatus.FAILED, "failed": MessageStatus.FAILED}
# A hard bounce, a complaint or the provider's own unsubscribe: stop emailing this person.
UNREACHABLE = {"bounced": ConsentMethod.BOUNCE, "complained": ConsentMethod.COMPLAINT,
               "unsubscribed": ConsentMethod.UNSUBSCRIBE}


@receiver(tracking, dispatch_uid="followups.email_tracking")
def email_event(sender, event, esp_name, **kwargs):
    kind = event.event_type
    event_id = event.event_id or f"{event.message_id}:{kind}:{event.timestamp}"
    reason = event.description or event.reject_reason or kind
    services.message_record_event(
        provider=f"anymail-{esp_name}".lower(), event_id=str(event_id),
        provider_id=event.message_id or "", status=EMAIL_STATUSES.get(kind),
        reason=f"{kind}: {reason}", unreachable=kind in UNREACHABLE,
        method=UNREACHABLE.get(kind, ConsentMethod.PROVIDER))


@receiver(inbound, dispatch_uid="followups.email_inbound")
def email_received(sender, event, esp_name, **kwargs):
    """A customer's email reaches the store (the ESP's inbound route posts it to anymail);
    what the ESP flags as spam is dropped. The reply without the quoted thread, where the ESP
    gives it."""
    message = event.message
    if message is None or getattr(message, "spam_detected", False):
        return
    answering = " ".join(filter(None, [message.get("In-Reply-To", ""),
                                       message.get("References", "")])).split()
    event_id = event.event_id or message.get("Message-ID", "") or (
        f"{message.from_email}:{message.get('Date', '')}:{message.subject}")
    services.email_inbound(
        event_id=f"{esp_name}:{event_id}".lower(),
        sender=message.from_email.addr_spec if message.from_email else "",
        to=[address.addr_spec for address in message.to], subject=message.subject or "",
        text=getattr(message, "stripped_text", None) or message.text or "",
        answering=answering)


@receiver(occasion_changed, dispatch_uid="followups.occasion_changed")
def occasion_changed_withdraws_plans(sender, occasion, change, at, **kwargs):
    services.occasion_plans_withdraw(occasion=occasion, change=change, at=at)


@receiver(post_migrate, dispatch_uid="followups.templates_after_migrate")
def templates_after_migrate(sender, apps=global_apps, **kwargs):
    """After `migrate` (a release may add a kind of message), every store has every template.

    Works on the migrated state's models, as Django's own permissions do (`flush` sends no
    state: the current models): a migration back to before the templates has nothing to fill.
    """
    if sender.name != "followups":
        return
    try:
        model = apps.get_model("followups", "MessageTemplate")
        stores = apps.get_model("staff", "Store").objects.order_by("pk")
    except LookupError:
        return
    services.templates_ensure_for_stores(stores=stores, model=model)


@receiver(post_save, sender="staff.Store", dispatch_uid="followups.store_messaging_start")
def store_created(sender, instance, created, **kwargs):
    if created and not kwargs.get("raw"):  # a fixture being loaded brings its own rows
        services.store_messaging_start(store=instance)


@receiver(sign_up_received, dispatch_uid="followups.sign_up_confirmation")
def sign_up_confirmation(sender, sign_up, **kwargs):
    services.sign_up_confirmation_plan(sign_up=sign_up)


@receiver(clients_assigned, dispatch_uid="followups.tasks_follow_clients")
def tasks_follow_clients(sender, moves, at, **kwargs):
    services.tasks_follow_clients(moves=moves, at=at)


@receiver(voucher_issued, dispatch_uid="followups.voucher_email")
def voucher_email(sender, voucher, **kwargs):
    services.voucher_email_plan(voucher=voucher)


@receiver(drawing_winner_drawn, dispatch_uid="followups.drawing_winner_notice")
def drawing_winner_notice(sender, drawing, **kwargs):
    services.drawing_winner_notice_plan(drawing=drawing)
