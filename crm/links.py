"""The signed link in a sign-up's confirmation email.

The token names the sign-up and the address it was sent to, so a link only ever confirms the
address it reached; it works for two weeks from the moment the email is written.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from core.errors import LoupeError

SALT = "crm.sign_up.confirm"
CONFIRM_MAX_AGE = 14 * 24 * 3600
INVALID = "This link is not valid or has expired."


def confirmation_token(*, sign_up) -> str:
    return signing.dumps({"sign_up": sign_up.pk, "email": sign_up.email}, salt=SALT)


def confirmation_url(*, sign_up) -> str:
    path = reverse("crm:capture-confirm")
    return f"{settings.SITE_URL}{path}?t={confirmation_token(sign_up=sign_up)}"


def sign_up_named_by(token: str) -> tuple[int, str]:
    """(sign-up id, email) from a link; a LoupeError for a link we did not sign or that
    expired."""
    try:
        data = signing.loads(token or "", salt=SALT, max_age=CONFIRM_MAX_AGE)
        return int(data["sign_up"]), str(data["email"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise LoupeError(INVALID, code="invalid_link") from exc


VOUCHER_SALT = "crm.voucher.show"
VOUCHER_INVALID = "This voucher link is not valid."


def voucher_url(*, voucher) -> str:
    """The page that shows a voucher's code and QR code (linked from its email); it works as
    long as the voucher exists, and shows whether it is still good."""
    token = signing.dumps({"voucher": voucher.pk, "code": voucher.code}, salt=VOUCHER_SALT)
    return f"{settings.SITE_URL}{reverse('crm:voucher-show')}?t={token}"


def voucher_named_by(token: str) -> tuple[int, str]:
    try:
        data = signing.loads(token or "", salt=VOUCHER_SALT)
        return int(data["voucher"]), str(data["code"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise LoupeError(VOUCHER_INVALID, code="invalid_link") from exc
