"""Phone numbers as people read them: the one rule every screen, list and printout uses.

Stored and dialled (`tel:` links) in E.164. Shown in the national format of the store's region
(`PHONE_REGION`) when the number shares its country calling code, and in the international
format otherwise, so a foreign number keeps its country code.
"""

import phonenumbers
from django.conf import settings


def _parsed(value) -> phonenumbers.PhoneNumber | None:
    if isinstance(value, phonenumbers.PhoneNumber):
        return value
    try:
        return phonenumbers.parse(str(value or "").strip(), settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None


def phone_for_people(value) -> str:
    """`+12175550226` -> `(217) 555-0226` in a US store, `+44 20 7946 0958` stays
    international; an email address, a blank or words come back as they were, so this fits
    any contact address."""
    text = "" if value is None else str(value)
    number = _parsed(value)
    if number is None or not number.country_code or "@" in text:
        return text
    home = phonenumbers.country_code_for_region(settings.PHONENUMBER_DEFAULT_REGION)
    style = (phonenumbers.PhoneNumberFormat.NATIONAL if number.country_code == home
             else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return phonenumbers.format_number(number, style)
