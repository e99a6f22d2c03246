"""Staff asking a customer again: consent recorded for one address of the profile."""

import datetime

from django.db import transaction
from django.utils import timezone

from core.audit import log_action
from core.errors import LoupeError
from crm.models import Channel, ConsentMethod, Customer, Purpose, address_channels
from crm.normalize import consent_address_or_blank
from crm.services.customers import consent_record
from crm.wording import consent_words

# What staff may ask about each kind of address: a number is texted about anything, and
# called only with reminders (calls are the associate's, before an occasion).
QUESTIONS = {
    Channel.EMAIL: list(Purpose.values),
    Channel.SMS: list(Purpose.values),
    Channel.PHONE: [Purpose.OCCASION_REMINDERS.value],
}


def consent_questions(*, address: str) -> list[tuple[str, str]]:
    """(channel, purpose) pairs to ask about at `address`, in the order the screen shows."""
    return [(channel, purpose) for channel in address_channels(address)
            for purpose in QUESTIONS[channel]]


@transaction.atomic
def consent_record_answers(*, customer: Customer, address: str,
                           answers: dict[tuple[str, str], bool], asked_by, asked_at:
                           datetime.datetime, by) -> list:
    """Record what the customer said when asked again for one address of their profile.

    `answers` maps (channel, purpose) to yes or no (questions not asked are left out); each
    is a ledger row with the words shown for it, who asked and when. Raises LoupeError (with
    the field) for an address not on the profile, no answer, an associate of another store
    or a moment in the future.
    """
    if not answers:
        raise LoupeError("Choose what they said to at least one question.")
    if address not in customer.addresses:
        raise LoupeError(f"{address or 'That address'} is not on {customer.full_name}'s "
                         "profile.", field="address")
    if asked_by is None or asked_by.store_id != customer.store_id:
        raise LoupeError("Choose who asked them.", field="asked_by")
    if asked_at > timezone.now():
        raise LoupeError("When they were asked cannot be in the future.", field="asked_at")
    recorded = [
        consent_record(customer=customer, channel=channel, address=address, purpose=purpose,
                       granted=yes, method=ConsentMethod.STAFF, by=asked_by,
                       at=asked_at, note=_note(asked_by, by),
                       words=consent_words(store=customer.store, channel=channel,
                                           purpose=purpose,
                                           address=consent_address_or_blank(
                                               address, channel=channel)))
        for (channel, purpose), yes in answers.items()
        if (channel, purpose) in consent_questions(address=address)
    ]
    log_action(by=by, action="consent.asked", obj=customer,
               data={"address": address, "asked_by": asked_by.pk,
                     "answers": {f"{c}:{p}": yes for (c, p), yes in answers.items()}})
    return recorded


def _note(asked_by, by) -> str:
    """Who typed it in, when someone else asked."""
    if by is None or by.pk == asked_by.pk:
        return ""
    return f"Entered by {by.display_name}"[:200]
