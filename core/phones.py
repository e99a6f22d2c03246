"""Phone numbers as people read them: the one rule every screen, list and printout uses.

Stored and dialled (`tel:` links) in E.164. Shown in the national format of the store's region
(`PHONE_REGION`) when the number shares its country calling code, and in the international
format otherwise, so a foreign number keeps its country code.
"""

import functools

import phonenumbers
from django.conf import settings

# Numbers already turned into words, by (E.164 text, region): a list of 50 clients parsed and
# formatted each number on every view (~2 ms of CPU a page). The result depends on nothing
# else, so a number is worked out once per process.
_REMEMBERED = 4096


def _parsed(value, region: str) -> phonenumbers.PhoneNumber | None:
    if isinstance(value, phonenumbers.PhoneNumber):
        return value
    try:
        return phonenumbers.parse(str(value or "").strip(), region)
    except phonenumbers.NumberParseException:
        return None


def phone_for_people(value) -> str:
    """`+12175550226` -> `(217) 555-0226` in a US store, `+44 20 7946 0958` stays
    international; an email address, a blank or words come back as they were, so this fits
    any contact address."""
    text, region = phone_text(value), settings.PHONENUMBER_DEFAULT_REGION
    if not text and not isinstance(value, phonenumbers.PhoneNumber):
        return ""  # no number (a third of My clients' rows): nothing to parse and refuse
    if _is_plain_e164(value, text):
        return _e164_for_people(text, region)
    return _for_people(value, text, region)


def phone_text(value) -> str:
    """The number's text, as `str()` gives it ("" for none). A stored number comes back from
    the database as the E.164 text it was saved as (its `raw_input`), which is what `str()`
    would give after validating the number again (about 12 µs a row, several a customer
    page); a number typed in any other form is validated."""
    if value is None:
        return ""
    raw = getattr(value, "raw_input", None) if isinstance(value, phonenumbers.PhoneNumber) \
        else None
    if raw and raw.startswith("+") and raw[1:].isdigit():
        return raw
    return str(value)


def _is_plain_e164(value, text: str) -> bool:
    """A stored number (E.164, no extension): its text alone says how it reads."""
    if isinstance(value, phonenumbers.PhoneNumber) and value.extension:
        return False
    return text.startswith("+") and text[1:].isdigit()


@functools.lru_cache(maxsize=_REMEMBERED)
def _e164_for_people(text: str, region: str) -> str:
    return _for_people(text, text, region)


def _for_people(value, text: str, region: str) -> str:
    number = _parsed(value, region)
    if number is None or not number.country_code or "@" in text:
        return text
    home = phonenumbers.country_code_for_region(region)
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == home
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, style)
