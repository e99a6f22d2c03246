"""The public capture form (website voucher, monthly drawing) and its double opt-in.

Nobody is emailed marketing on the strength of a form alone: the form creates (or finds) the
profile and sends one transactional confirmation email; only the signed link in that email
records email consent.
"""

from django.core import signing
from django.db import transaction

from core.audit import log_action
from core.errors import LoupeError
from crm.models import Channel, ConsentMethod, Customer, InteractionKind, Purpose, Source
from crm.normalize import normalize_email, normalize_phone
from crm.selectors import customer_duplicates
from crm.services.customers import consent_record, customer_create, interaction_add
from crm.wording import capture_words

SALT = "crm.capture.confirm"
# The link in the confirmation email works for two weeks.
CONFIRM_MAX_AGE = 14 * 24 * 3600


def confirmation_token(*, customer_id: int, email: str) -> str:
    return signing.dumps({"customer": customer_id, "email": email}, salt=SALT)


@transaction.atomic
def customer_capture(*, store, source: str, first_name: str, last_name: str = "",
                     email: str, phone: str = "", occasion: dict | None = None) -> Customer:
    """Create the prospect (or find them by email or phone) and queue the confirmation email.

    Someone already known is not duplicated and learns nothing about the profile; the email
    goes to the address typed, and confirming records consent on that profile.
    """
    email = normalize_email(email)
    if not email:
        raise LoupeError("Please enter your email address.", field="email")
    phone = normalize_phone(phone)
    customer = customer_duplicates(store=store, email=email, phone=phone).first()
    if customer is None:
        customer = customer_create(store=store, created_by=None, source=source,
                                   first_name=first_name, last_name=last_name, email=email,
                                   phone=phone)
        log_action(actor=None, action="customer.captured", obj=customer,
                   data={"source": source})
    elif email not in (customer.email, customer.secondary_email):
        # Known by phone with another address: confirm the address they just typed.
        from crm.services.customers import customer_email_set

        customer = customer_email_set(customer=customer, email=email, keep_previous=True,
                                      by=None)
    if occasion:
        from crm.services.customers import occasion_add

        occasion_add(customer=customer, prefix="occasion_", **occasion)
    _queue_confirmation(customer_id=customer.pk, email=email)
    return customer


def _queue_confirmation(*, customer_id: int, email: str) -> None:
    from crm.tasks import send_capture_confirmation

    transaction.on_commit(lambda: send_capture_confirmation.delay(customer_id, email))


@transaction.atomic
def capture_confirm(*, token: str) -> Customer:
    """The customer clicked the link: record email consent (web form, confirmed)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature as exc:
        raise LoupeError("This link is not valid or has expired.") from exc
    customer = (Customer.objects.select_related("store").filter(pk=data["customer"])
                .filter(email=data["email"]).first()
                or Customer.objects.select_related("store").filter(
                    pk=data["customer"], secondary_email=data["email"]).first())
    if customer is None:
        raise LoupeError("This link is not valid or has expired.")
    words = capture_words(store=customer.store)
    purposes = [Purpose.EVENTS]
    # "Reminders of the dates I shared": only for the address a sign-up created the profile
    # with. A sign-up that found someone else's profile (by their phone, say) shared none
    # of its dates, and must never receive its reminders.
    signed_up = customer.source in (Source.WEBSITE, Source.DRAWING)
    if signed_up and data["email"] == customer.email and customer.occasions.exists():
        purposes.append(Purpose.OCCASION_REMINDERS)
    for purpose in purposes:
        consent_record(customer=customer, channel=Channel.EMAIL, address=data["email"],
                       purpose=purpose, granted=True, method=ConsentMethod.WEB_FORM,
                       words=words, note=f"Confirmed {data['email']}")
    interaction_add(customer=customer, kind=InteractionKind.CHANGE,
                    summary=f"Confirmed {data['email']} from the website form.")
    return customer
