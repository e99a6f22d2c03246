"""Contact details are normalised at the edge so that one person is one profile.

Email compares case-insensitively (stored lower-case); phones are E.164, so
"(555) 010-2345" and "+15550102345" are the same number.
"""

import unicodedata

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from core.errors import LoupeError
from core.phones import phone_for_people
from crm.models import Channel


def search_text(raw: str, *, limit: int = 100) -> str:
    """What was typed into a search box, safe to search for.

    Control characters become spaces: PostgreSQL refuses a NUL in a query outright (a damaged
    link or a probe answered 500), and a tab or line break pasted from a spreadsheet separates
    words like a space. Runs of spaces become one; long pastes are cut at `limit`.
    """
    text = "".join(" " if unicodedata.category(ch) == "Cc" else ch for ch in raw or "")
    return " ".join(text.split())[:limit]


def normalize_email(raw: str, *, field: str = "email") -> str:
    email = (raw or "").strip().lower()
    if not email:
        return ""
    try:
        validate_email(email)
    except ValidationError as exc:
        raise LoupeError(f"“{raw.strip()}” is not a valid email address.", field=field) from exc
    return email


def normalize_phone(raw: str) -> str:
    """The number in E.164, or "" for blank; a LoupeError if it cannot be a phone number."""
    text = (raw or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise LoupeError(f"“{text}” is not a phone number.", field="phone") from exc
    if not phonenumbers.is_valid_number(number):
        raise LoupeError(f"“{text}” is not a valid phone number.", field="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_national(raw: str) -> str:
    """The number as people here write it ("(217) 555-0226"; a foreign one keeps its country
    code); anything unreadable as it is."""
    return phone_for_people((raw or "").strip())


def phone_digits(raw: str) -> str:
    """Just the digits, for searching by a phone typed in any format."""
    return "".join(ch for ch in raw or "" if ch.isdigit())


def phone_key(raw: str) -> str:
    """The E.164 form of anything that could be a phone number, for matching (never saving).

    Lenient on purpose: a number typed into the duplicate check or the search box should find
    the profile even if it is one the strict check would not accept for a new profile.
    """
    text = (raw or "").strip()
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(number):
        return ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def consent_address(raw: str, *, channel: str) -> str:
    """The form of an address the consent ledger keeps: the email lower-case, or the number in
    E.164 for texts and calls. A LoupeError for a blank or unusable address.

    Numbers are read leniently (as `phone_key`), so the number a profile already has (an old
    import, say) is recorded as it is stored.
    """
    text = str(raw or "").strip()
    if not text:
        raise LoupeError("Consent is recorded for an address: enter the email or number.",
                         field="email" if channel == Channel.EMAIL else "phone")
    if channel == Channel.EMAIL:
        return normalize_email(text)
    number = phone_key(text)
    if not number:
        raise LoupeError(f"“{text}” is not a phone number.", field="phone")
    return number


def consent_address_or_blank(raw: str, *, channel: str) -> str:
    """As `consent_address`, but "" for what cannot be an address (which has no consent)."""
    try:
        return consent_address(raw, channel=channel)
    except LoupeError:
        return ""
