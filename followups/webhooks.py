"""Public endpoints: the unsubscribe link and the providers' webhooks (no login).

They stay fast: check the signature or token, apply one small service, answer.
"""

import functools

from anymail.utils import get_anymail_setting
from django.conf import settings
from django.core.signing import BadSignature
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from crm.models import Customer
from followups import services
from followups.compose import unsubscribe_from_token
from followups.models import MessageStatus
from followups.sms import TWILIO_UNREACHABLE

# Twilio's MessageStatus values mapped to ours (queued/accepted/sending add nothing).
TWILIO_STATUSES = {"sent": MessageStatus.SENT, "delivered": MessageStatus.DELIVERED,
                   "undelivered": MessageStatus.FAILED, "failed": MessageStatus.FAILED}

# A POST here is either our confirm button or a mail provider's RFC 8058 one-click request,
# which carries no CSRF token; the signed token in the URL is what authorises it.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token):
    try:
        customer_id, key = unsubscribe_from_token(token)
    except (BadSignature, ValueError):
        return render(request, "followups/unsubscribe_invalid.html", status=400)
    customer = get_object_or_404(Customer.objects.select_related("store"), pk=customer_id)
    address = services.unsubscribe_address(customer=customer, key=key)
    shown = {"customer": customer, "address": address}
    if request.method == "POST":
        services.customer_unsubscribe(customer=customer, address=address)
        return render(request, "followups/unsubscribed.html", shown)
    return render(request, "followups/unsubscribe.html", shown)

def _twilio_signed(request) -> bool:
    """Twilio signs the full URL it called: behind a TLS proxy that is the https URL, which
    build_absolute_uri gives when SECURE_PROXY_SSL_HEADER is set (TRUST_X_FORWARDED_PROTO)."""
    if not settings.TWILIO_AUTH_TOKEN:
        return False
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(
        request.build_absolute_uri(), request.POST.dict(),
        request.headers.get("X-Twilio-Signature", ""))

@csrf_exempt
@require_POST
def twilio_inbound(request):
    if not _twilio_signed(request):
        return HttpResponseForbidden("Bad signature")
    reply = services.sms_inbound(sender=request.POST.get("From", ""),
                                 store_number=request.POST.get("To", ""),
                                 text=request.POST.get("Body", ""),
                                 message_sid=request.POST.get("MessageSid", ""))
    twiml = MessagingResponse()
    if reply:
        twiml.message(reply)
    return HttpResponse(str(twiml), content_type="text/xml")

@csrf_exempt
@require_POST
def twilio_status(request):
    if not _twilio_signed(request):
        return HttpResponseForbidden("Bad signature")
    sid = request.POST.get("MessageSid", "")
    raw = request.POST.get("MessageStatus", "")
    code = int(request.POST.get("ErrorCode") or 0)
    reason = f"Twilio {code}: {TWILIO_UNREACHABLE.get(code, raw)}" if code else ""
    services.message_record_event(provider="twilio", event_id=f"{sid}:{raw}", provider_id=sid,
                                  status=TWILIO_STATUSES.get(raw), reason=reason,
                                  unreachable=code in TWILIO_UNREACHABLE)
    return HttpResponse(status=204)


def anymail_webhook_secret() -> str | list[str]:
    """The basic-auth secret(s) anymail checks its webhooks against, read as anymail reads
    them (ANYMAIL["WEBHOOK_SECRET"]); empty when none is set."""
    return get_anymail_setting("webhook_secret", default="") or ""


def _secret_required(view):
    """anymail accepts any caller when no secret is set (with a warning): we refuse, or a
    forged bounce could revoke a customer's consent."""

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        if not anymail_webhook_secret():
            return HttpResponseForbidden("Email webhooks are off: WEBHOOK_SECRET is not set.")
        return view(request, *args, **kwargs)

    return guarded


def anymail_urlpatterns() -> list[URLPattern]:
    """anymail's webhook URLs (same paths and names), each refusing while no secret is set."""
    from anymail import urls

    return [URLPattern(p.pattern, _secret_required(p.callback), p.default_args, p.name)
            for p in urls.urlpatterns]
