"""The exact words a customer is shown when asked for permission to follow up.

The same functions render the tablet's labels and fill the consent ledger's `words`, so what
is recorded is what was shown. Texts need prior express written consent: the words name the
store and the number to be texted and say that agreeing is not a condition of purchase.
"""

from crm.models import Channel, Purpose

NUMBER_ABSENT = "the number above"


def occasion_ask(*, store) -> str:
    return (f"Shall {store.name} remind you about your birthday, anniversary and the other "
            f"dates you shared, two weeks ahead?")


def reminder_words(*, store, channel: str, number: str = "") -> str:
    if channel == Channel.SMS:
        return (f"I agree that {store.name} may send me text messages at "
                f"{number or NUMBER_ABSENT} to remind me of the dates I shared, two weeks "
                f"ahead. Agreeing is not a condition of any purchase. Message and data rates "
                f"may apply. Reply STOP to stop.")
    if channel == Channel.EMAIL:
        return (f"Yes, {store.name} may email me two weeks before the dates I shared. "
                f"I can unsubscribe at any time.")
    return f"Yes, {store.name} may call me two weeks before the dates I shared."


def sms_words_parts(*, store, number: str = "") -> tuple[str, str, str]:
    """The text-message words split around the number, so the page can echo it as typed."""
    number = number or NUMBER_ABSENT
    words = reminder_words(store=store, channel=Channel.SMS, number=number)
    before, after = words.split(number, 1)
    return before, number, after


def capture_words(*, store) -> str:
    return (f"Send me {store.name}'s news, events and reminders of the dates I shared by "
            f"email. I will confirm by clicking the link in the email; I can unsubscribe at "
            f"any time.")


def consent_words(*, store, channel: str, purpose: str, address: str = "") -> str:
    """The words asked for one purpose on one channel (the staff's consent screen), with the
    number named for texts as the law asks."""
    if purpose == Purpose.OCCASION_REMINDERS:
        return reminder_words(store=store, channel=channel, number=address)
    about = ("events, new arrivals and news" if purpose == Purpose.EVENTS
             else "my repairs and appointments: when one is ready for pickup or the bench has "
                  "a question, and to confirm or remind me of a visit I booked")
    if channel == Channel.SMS:
        return (f"I agree that {store.name} may send me text messages at "
                f"{address or NUMBER_ABSENT} about {about}. Agreeing is not a condition of "
                f"any purchase. Message and data rates may apply. Reply STOP to stop.")
    if channel == Channel.EMAIL:
        return f"Yes, {store.name} may email me about {about}. I can unsubscribe at any time."
    return f"Yes, {store.name} may call me about {about}."
