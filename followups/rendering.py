"""Message templates: the defaults that ship with Loupe and a deliberately tiny renderer.

Templates may only use the placeholders in PLACEHOLDERS (`{{ first_name }}`): no tags, no
attribute access, so a template edited in the office can never reach into the database.
"""

import re

from core.errors import LoupeError
from followups.models import TemplateKind

PLACEHOLDERS = {
    "first_name": "the customer's first name",
    "occasion": "the occasion (birthday, anniversary...)",
    "date": "the occasion's date",
    "associate": "the customer's associate",
    "store": "the store's name",
    "store_phone": "the store's phone",
    "wish_item": "the latest piece on their wish list",
    "envelope": "the repair envelope number",
    "link": "the link that confirms a sign-up, or lets the customer cancel or move an "
            "appointment (those messages only)",
    "when": "the appointment's day and time (appointment messages only)",
    "purpose": "what the appointment is for (appointment messages only)",
}
_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+)\s*\}\}")
_ANY_TAG = re.compile(r"\{[{%#]")

_OCCASION_EMAIL = (
    "Dear {{ first_name }},\n\n"
    "You asked us to remind you: {{ occasion }} is coming up on {{ date }}.\n"
    "{{ associate }} would be glad to help you find something special."
    "\n\nWarm regards,\n{{ store }}\n{{ store_phone }}"
)
_OCCASION_SMS = ("{{ store }}: a reminder you asked for, {{ occasion }} is on {{ date }}. "
                 "{{ associate }} is happy to help.")

DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    (TemplateKind.BIRTHDAY, "email"): ("Your birthday reminder from {{ store }}",
                                       _OCCASION_EMAIL),
    (TemplateKind.BIRTHDAY, "sms"): ("", _OCCASION_SMS),
    (TemplateKind.ANNIVERSARY, "email"): ("Your anniversary is coming up", _OCCASION_EMAIL),
    (TemplateKind.ANNIVERSARY, "sms"): ("", _OCCASION_SMS),
    (TemplateKind.PARTNER_BIRTHDAY, "email"): ("A birthday to remember", _OCCASION_EMAIL),
    (TemplateKind.PARTNER_BIRTHDAY, "sms"): ("", _OCCASION_SMS),
    (TemplateKind.OTHER, "email"): ("A date you asked us to remember", _OCCASION_EMAIL),
    (TemplateKind.OTHER, "sms"): ("", _OCCASION_SMS),
    (TemplateKind.REPAIR_READY, "email"): (
        "Your repair is ready for pickup",
        "Dear {{ first_name }},\n\nGood news: your repair (envelope {{ envelope }}) is ready "
        "for pickup at {{ store }}.\n\nSee you soon,\n{{ store }}\n{{ store_phone }}"),
    (TemplateKind.REPAIR_READY, "sms"): (
        "", "{{ store }}: your repair (envelope {{ envelope }}) is ready for pickup."),
    (TemplateKind.EVENT_INVITATION, "email"): (
        "You are invited to {{ store }}",
        "Dear {{ first_name }},\n\nWe would love to see you at our next event.\n\n"
        "{{ associate }}\n{{ store }}\n{{ store_phone }}"),
    (TemplateKind.EVENT_INVITATION, "sms"): (
        "", "{{ store }}: you are invited to our next event. {{ associate }}"),
    (TemplateKind.SIGN_UP_CONFIRMATION, "email"): (
        "Please confirm your email for {{ store }}",
        "Hello {{ first_name }},\n\nThank you for signing up with {{ store }}. To hear from us "
        "by email (news, events and reminders of the dates you shared), open this link and "
        "press \"Confirm my email\":\n\n{{ link }}\n\nThe link works for 14 days. If you "
        "did not sign up, ignore this email: we will not write to you again.\n\n{{ store }}\n"
        "{{ store_phone }}"),
    (TemplateKind.APPOINTMENT_CONFIRMATION, "email"): (
        "Your appointment at {{ store }}",
        "Dear {{ first_name }},\n\nThank you for booking: {{ associate }} looks forward to "
        "seeing you on {{ when }} ({{ purpose }}). The attached file adds it to your "
        "calendar.\n\nTo cancel or ask for another time: {{ link }}\n\n{{ store }}\n"
        "{{ store_phone }}"),
    (TemplateKind.APPOINTMENT_CONFIRMATION, "sms"): (
        "", "{{ store }}: you are booked with {{ associate }} on {{ when }}. To cancel or "
            "move: {{ link }}"),
    (TemplateKind.APPOINTMENT_REMINDER, "email"): (
        "See you tomorrow at {{ store }}",
        "Dear {{ first_name }},\n\nA reminder: {{ associate }} expects you on {{ when }} "
        "({{ purpose }}).\n\nTo cancel or ask for another time: {{ link }}\n\n{{ store }}\n"
        "{{ store_phone }}"),
    (TemplateKind.APPOINTMENT_REMINDER, "sms"): (
        "", "{{ store }}: see you tomorrow, {{ when }}, with {{ associate }}. To cancel or "
            "move: {{ link }}"),
}

# A template the store edits must keep these placeholders, or its message is useless.
REQUIRED = {TemplateKind.SIGN_UP_CONFIRMATION: ["link"],
            TemplateKind.APPOINTMENT_CONFIRMATION: ["when", "link"],
            TemplateKind.APPOINTMENT_REMINDER: ["when", "link"]}


def check(text: str, *, field: str = "body") -> None:
    """Refuse anything but known placeholders, with a message the manager can act on."""
    unknown = sorted({name for name in _PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        raise LoupeError(f"Unknown placeholder: {', '.join(unknown)}. Use one of: "
                         f"{', '.join(PLACEHOLDERS)}.", field=field)
    if _ANY_TAG.search(_PLACEHOLDER.sub("", text)):
        raise LoupeError("Only placeholders like {{ first_name }} are allowed.", field=field)


def check_required(text: str, *, kind: str, field: str = "body") -> None:
    """Refuse a template that lost a placeholder its kind cannot do without."""
    used = set(_PLACEHOLDER.findall(text))
    missing = [name for name in REQUIRED.get(kind, []) if name not in used]
    if missing:
        shown = ", ".join("{{ " + name + " }}" for name in missing)
        raise LoupeError(f"This message needs {shown}.", field=field)


def render(text: str, context: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: str(context.get(m.group(1), "")), text)


_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM7_EXTENDED = set("^{}\\[~]|€")


def sms_segments(text: str) -> int:
    """How many SMS segments a text costs (GSM-7: 160/153 chars, otherwise UCS-2: 70/67)."""
    if all(ch in _GSM7 or ch in _GSM7_EXTENDED for ch in text):
        length = sum(2 if ch in _GSM7_EXTENDED else 1 for ch in text)
        single, multi = 160, 153
    else:
        length = sum(2 if ord(ch) > 0xFFFF else 1 for ch in text)
        single, multi = 70, 67
    if length <= single:
        return 1 if length else 0
    return -(-length // multi)
