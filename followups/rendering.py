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
    "event": "the event's title (event messages)",
    "event_date": "when the event starts, on the store's clock (event messages)",
    "event_place": "where the event is (event messages)",
    "rsvp_link": "the link that answers the invitation (event messages)",
    "offer": "the website voucher a sign-up earns once confirmed (sign-up confirmation)",
    "voucher_code": "the voucher's code (website voucher only)",
    "voucher_offer": "what the voucher takes off (website voucher only)",
    "voucher_terms": "the voucher's terms (website voucher only)",
    "voucher_valid_through": "the voucher's last day (website voucher only)",
    "voucher_link": "the page with the voucher's QR code (website voucher only)",
    "prize": "the drawing's prize (drawing winner only)",
    "drawing_month": "the drawing's month (drawing winner only)",
    "piece": "the piece bought (aftercare only)",
    "care": "how to care for the piece bought (aftercare only)",
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
        "Save the date: {{ event }} at {{ store }}",
        "Dear {{ first_name }},\n\nWe would love to see you at {{ event }}, {{ event_date }}, "
        "{{ event_place }}.\n\nWill you come? Answer here (you can bring guests, and change "
        "your answer later):\n{{ rsvp_link }}\n\n{{ associate }}\n{{ store }}\n"
        "{{ store_phone }}"),
    (TemplateKind.EVENT_INVITATION, "sms"): (
        "", "{{ store }}: you are invited to {{ event }}, {{ event_date }}. Reply YES to come, "
            "or answer here: {{ rsvp_link }}"),
    (TemplateKind.EVENT_REMINDER, "email"): (
        "Tomorrow: {{ event }} at {{ store }}",
        "Dear {{ first_name }},\n\nA reminder: {{ event }} is {{ event_date }}, "
        "{{ event_place }}. We look forward to seeing you.\n\nCannot come after all? Tell us "
        "here: {{ rsvp_link }}\n\n{{ associate }}\n{{ store }}\n{{ store_phone }}"),
    (TemplateKind.EVENT_REMINDER, "sms"): (
        "", "{{ store }}: see you tomorrow at {{ event }}, {{ event_date }}."),
    (TemplateKind.EVENT_CANCELLED, "email"): (
        "Cancelled: {{ event }} at {{ store }}",
        "Dear {{ first_name }},\n\nWe are sorry: {{ event }}, planned for {{ event_date }}, "
        "is cancelled. We hope to see you at the next one.\n\n{{ associate }}\n{{ store }}\n"
        "{{ store_phone }}"),
    (TemplateKind.EVENT_CANCELLED, "sms"): (
        "", "{{ store }}: we are sorry, {{ event }} on {{ event_date }} is cancelled."),
    (TemplateKind.SIGN_UP_CONFIRMATION, "email"): (
        "Please confirm your email for {{ store }}",
        "Hello {{ first_name }},\n\nThank you for signing up with {{ store }}. To hear from us "
        "by email (news, events and reminders of the dates you shared), open this link and "
        "press \"Confirm my email\":\n\n{{ link }}\n\nThe link works for 14 days. If you "
        "did not sign up, ignore this email: we will not write to you again.\n\n{{ offer }}"
        "\n\n{{ store }}\n{{ store_phone }}"),
    (TemplateKind.VOUCHER, "email"): (
        "Your voucher from {{ store }}: {{ voucher_offer }}",
        "Hello {{ first_name }},\n\nThank you for confirming your email. Here is your "
        "voucher: {{ voucher_offer }}.\n\nCode: {{ voucher_code }}\nValid through "
        "{{ voucher_valid_through }}, once.\n\nShow the code at the counter, or open this page "
        "for its QR code:\n{{ voucher_link }}\n\nTerms: {{ voucher_terms }}\n\n"
        "See you soon,\n{{ store }}\n{{ store_phone }}"),
    (TemplateKind.DRAWING_WINNER, "email"): (
        "You won the {{ drawing_month }} drawing at {{ store }}!",
        "Dear {{ first_name }},\n\nCongratulations: you won our {{ drawing_month }} drawing. "
        "Your prize: {{ prize }}.\n\nCall us or come by to collect it; bring this email.\n\n"
        "{{ store }}\n{{ store_phone }}"),
    (TemplateKind.CARE_CHECK, "email"): (
        "Caring for your {{ piece }}",
        "Dear {{ first_name }},\n\nIt has been a few months since you chose your {{ piece }}. "
        "{{ care }}\n\nBring it by any time: {{ associate }} will check it with you, free of "
        "charge.\n\nWarm regards,\n{{ store }}\n{{ store_phone }}"),
    (TemplateKind.CARE_CHECK, "sms"): (
        "", "{{ store }}: {{ care }} Bring your {{ piece }} by for a free check any time."),
    (TemplateKind.REPAIR_WAITING, "email"): (
        "Your repair is waiting for you",
        "Dear {{ first_name }},\n\nA friendly reminder: your repair (envelope {{ envelope }}) "
        "has been ready for two weeks and is waiting for you at {{ store }}.\n\nSee you soon,"
        "\n{{ store }}\n{{ store_phone }}"),
    (TemplateKind.REPAIR_WAITING, "sms"): (
        "", "{{ store }}: your repair (envelope {{ envelope }}) is still waiting for pickup."),
    (TemplateKind.REPAIR_STILL_WAITING, "email"): (
        "Your repair is still waiting for you",
        "Dear {{ first_name }},\n\nYour repair (envelope {{ envelope }}) has been ready for a "
        "month. Please collect it at {{ store }}, or call us at {{ store_phone }} if someone "
        "else will.\n\n{{ store }}"),
    (TemplateKind.REPAIR_STILL_WAITING, "sms"): (
        "", "{{ store }}: your repair (envelope {{ envelope }}) has been ready for a month. "
            "Please collect it or call us."),
    (TemplateKind.ONE_YEAR, "email"): (
        "One year with your {{ piece }}",
        "Dear {{ first_name }},\n\nA year ago you chose your {{ piece }} with us. We hope "
        "it has been with you for many good days. {{ care }}\n\n{{ associate }}\n{{ store }}"
        "\n{{ store_phone }}"),
    (TemplateKind.ONE_YEAR, "sms"): (
        "", "{{ store }}: one year with your {{ piece }}! {{ care }}"),
    (TemplateKind.APPOINTMENT_CONFIRMATION, "email"): (
        "Your appointment at {{ store }}",
        "Dear {{ first_name }},\n\nThank you for booking: {{ associate }} looks forward to "
        "seeing you on {{ when }} ({{ purpose }}). The attached file adds it to your "
        "calendar.\n\nTo cancel or ask for another time: {{ link }}\n\n{{ store }}\n"
        "{{ store_phone }}"),
    (TemplateKind.APPOINTMENT_CONFIRMATION, "sms"): (
        "", "{{ store }}: you are booked with {{ associate }} on {{ when }}. To cancel or "
            "move: {{ link }}"),
    (TemplateKind.APPOINTMENT_MOVED, "email"): (
        "Your appointment at {{ store }} has moved",
        "Dear {{ first_name }},\n\nYour appointment has moved: {{ associate }} now expects "
        "you on {{ when }} ({{ purpose }}). The attached file updates your calendar.\n\n"
        "To cancel or ask for another time: {{ link }}\n\n{{ store }}\n{{ store_phone }}"),
    (TemplateKind.APPOINTMENT_MOVED, "sms"): (
        "", "{{ store }}: your appointment has moved to {{ when }} with {{ associate }}. To "
            "cancel or move: {{ link }}"),
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
            TemplateKind.EVENT_INVITATION: ["event", "rsvp_link"],
            TemplateKind.VOUCHER: ["voucher_code"],
            TemplateKind.DRAWING_WINNER: ["prize"],
            TemplateKind.APPOINTMENT_CONFIRMATION: ["when", "link"],
            TemplateKind.APPOINTMENT_REMINDER: ["when", "link"],
            TemplateKind.APPOINTMENT_MOVED: ["when", "link"]}


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
