"""The RSVP link an invitation carries (public: no login, the signature is the key)."""

from django.conf import settings
from django.urls import reverse

from events.models import Invitation


def rsvp_url(invitation: Invitation) -> str:
    from events.services import rsvp_token

    path = reverse("events:rsvp", kwargs={"invitation_token": rsvp_token(invitation)})
    return f"{settings.SITE_URL}{path}"
