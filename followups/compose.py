"""Composing a message: the one place that turns an outbox row into the words it goes out with.

Every sender (the follow-up sender, the repair notice, the sign-up confirmation, a campaign
such as an event invitation) and the template preview compose through this module; nothing
else builds a message's context, its footer or its unsubscribe link.

Public API
----------
``message_context(message, messaging, *, extra=None) -> dict[str, str]``
    The placeholder values for ``message`` (a ``followups.Message``, saved or not) with the
    store's ``MessagingSettings``. ``extra`` adds or overrides values (a campaign passes its
    own, e.g. ``{"event": ..., "rsvp_link": ...}``); every key a template may use must also be
    listed in ``rendering.PLACEHOLDERS``, or the template editor refuses it.
``render(message, messaging, *, template=None, extra=None) -> (subject, body)``
    The subject and the full text as they go out, footer and unsubscribe link included (an
    SMS has no subject and, when it is marketing, ends with the STOP line). ``template`` is an
    unsaved ``MessageTemplate`` to preview; otherwise the store's template of the message's
    kind and channel, or the default words (``rendering.DEFAULTS``).
``unsubscribe_url(customer_id, *, address)``, ``unsubscribe_token(...)``,
``unsubscribe_from_token(token)``, ``address_key(address)``
    The signed one-click unsubscribe link that names the customer and the address the message
    went to (the webhooks read it back with ``unsubscribe_from_token``).

A new kind of message adds its placeholders to ``rendering.PLACEHOLDERS`` and its default
words to ``rendering.DEFAULTS``, then either passes ``extra`` or adds one branch to
``message_context`` (as the sign-up confirmation does), so the sender, the preview and the
tests all see the same words. ``rendering`` is the template language underneath (placeholders,
default words, checks, filling in); this module decides what a given message says.
"""

import hashlib

from django.conf import settings as django_settings
from django.core.signing import TimestampSigner
from django.urls import reverse

from crm.links import confirmation_url, voucher_url
from crm.models import Channel, Source
from crm.selectors import drawing_open, voucher_program_current
from followups import aftercare, rendering
from followups.models import Message, MessageTemplate, TemplateKind

UNSUBSCRIBE_SALT = "followups.unsubscribe"


def address_key(address: str) -> str:
    """A short stand-in for an address in a signed link (the signature, not this, is what
    stops forgery)."""
    return hashlib.sha256(address.encode()).hexdigest()[:20]


def unsubscribe_token(customer_id: int, *, address: str) -> str:
    """Names the customer and the address the message went to: unsubscribing stops that one.

    The address is named by a key (address_key), so the link, which ends up in server logs,
    does not spell out the email.
    """
    return TimestampSigner(salt=UNSUBSCRIBE_SALT).sign(f"{customer_id}:{address_key(address)}")


def unsubscribe_from_token(token: str) -> tuple[int, str]:
    """(customer id, address key) from a link; a link from before addresses gives "".

    Raises BadSignature or ValueError for a link we did not sign.
    """
    value = TimestampSigner(salt=UNSUBSCRIBE_SALT).unsign(token)
    customer_id, _, key = value.partition(":")
    return int(customer_id), key


def unsubscribe_url(customer_id: int, *, address: str) -> str:
    token = unsubscribe_token(customer_id, address=address)
    path = reverse("followups:unsubscribe", kwargs={"token": token})
    return f"{django_settings.SITE_URL}{path}"


def message_context(message: Message, messaging, *,
                    extra: dict[str, str] | None = None) -> dict[str, str]:
    """The values of the placeholders for this message (see the module's docstring)."""
    if message.is_sign_up_confirmation:
        context = _sign_up_context(message, messaging)
    else:
        context = _customer_context(message, messaging)
    return {**context, **(extra or {})}


def _customer_context(message: Message, messaging) -> dict[str, str]:
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
        **_promotion_context(message),
        **aftercare.context_for(message),
    }


def _promotion_context(message: Message) -> dict[str, str]:
    """The voucher a voucher email delivers and the prize a winner's notice announces (a
    template preview, which has neither, shows samples)."""
    if message.kind == TemplateKind.VOUCHER:
        voucher = message.voucher
        if voucher is None:
            return {"voucher_code": "ABCD-EFGH", "voucher_offer": "$25 off",
                    "voucher_terms": "One per person.", "voucher_valid_through": "Dec 31",
                    "voucher_link": f"{django_settings.SITE_URL}/"}
        return {"voucher_code": voucher.shown_code, "voucher_offer": voucher.program.offer,
                "voucher_terms": voucher.program.terms,
                "voucher_valid_through": f"{voucher.valid_through:%B %-d, %Y}",
                "voucher_link": voucher_url(voucher=voucher)}
    if message.kind == TemplateKind.DRAWING_WINNER:
        drawing = message.drawing
        return {"prize": drawing.prize if drawing else "a pearl pendant",
                "drawing_month": f"{drawing.month:%B}" if drawing else "December"}
    return {}


def _sign_up_offer(sign_up) -> str:
    """What confirming earns, in one paragraph of the confirmation email."""
    if sign_up.source == Source.WEBSITE:
        program = voucher_program_current(store=sign_up.store)
        if program is not None:
            return (f"Once you confirm, your voucher ({program.offer}) appears on the page and "
                    f"in your inbox. Terms: {program.terms}")
    elif sign_up.source == Source.DRAWING:
        drawing = drawing_open(store=sign_up.store)
        if drawing is not None:
            return (f"Confirming enters you in the {drawing.month:%B} drawing for "
                    f"{drawing.prize}. No purchase necessary; one entry per person.")
    return ""


def _sign_up_context(message: Message, messaging) -> dict[str, str]:
    """A sign-up belongs to no profile yet: its own name, the store, and the link."""
    sign_up, store = message.sign_up, message.store
    return {"first_name": sign_up.first_name, "store": messaging.sender_name or store.name,
            "store_phone": messaging.sender_phone or store.phone,
            "link": confirmation_url(sign_up=sign_up), "offer": _sign_up_offer(sign_up)}


def render(message: Message, messaging, *, template: MessageTemplate | None = None,
           extra: dict[str, str] | None = None) -> tuple[str, str]:
    """The subject and the full text as it goes out (footer included).

    `template` previews unsaved words; otherwise the store's template or the default.
    """
    template = template or MessageTemplate.objects.filter(
        store=message.store, kind=message.kind, channel=message.channel).first()
    subject, body = ((template.subject, template.body) if template
                     else rendering.DEFAULTS[(message.kind, message.channel)])
    context = message_context(message, messaging, extra=extra)
    subject, body = rendering.render(subject, context), rendering.render(body, context)
    if message.channel == Channel.SMS:
        return "", f"{body} Reply STOP to opt out." if message.is_marketing else body
    # A header is one line (a line break from a name saved before names were checked would
    # make the email unsendable) and must fit the outbox row it is claimed into.
    subject = " ".join(subject.split())[:200]
    footer = messaging.footer_address or message.store.address
    if message.is_sign_up_confirmation:
        return subject, f"{body}\n\n--\n{footer}"  # no consent yet: nothing to unsubscribe
    return subject, (f"{body}\n\n--\n{footer}\n"
                     f"Unsubscribe: {unsubscribe_url(message.customer_id, address=message.to)}")


def unsubscribe_headers(message: Message) -> dict[str, str]:
    """RFC 8058 one-click unsubscribe, for every email but a sign-up's confirmation."""
    if message.is_sign_up_confirmation:
        return {}
    return {"List-Unsubscribe": f"<{unsubscribe_url(message.customer_id, address=message.to)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
