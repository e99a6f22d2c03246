"""The public capture form (no login): website voucher and monthly drawing."""

from django.core.cache import cache
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from core.errors import LoupeError
from crm import selectors, services
from crm.forms import CaptureForm
from crm.models import Source
from crm.wording import capture_words

# Sign-ups per IP address per hour: enough for a family at one home, too few for a script.
RATE_LIMIT = 5
RATE_WINDOW = 3600


def _over_limit(request) -> bool:
    key = f"crm:capture:{request.META.get('REMOTE_ADDR', '')}"
    cache.add(key, 0, RATE_WINDOW)
    try:
        return cache.incr(key) > RATE_LIMIT
    except ValueError:  # expired between add and incr
        return False


def _capture(request, store_id, source):
    store = selectors.store_for(store_id=store_id)
    form = CaptureForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.is_bot:
            return redirect("crm:capture-thanks")
        if _over_limit(request):
            form.add_error(None, _("Too many sign-ups from here: please try again later."))
            status = 429
        else:
            try:
                services.customer_capture(
                    store=store, source=source, **{k: form.cleaned_data[k] for k in (
                        "first_name", "last_name", "email", "phone", "occasion")})
            except LoupeError as exc:
                exc.add_to_form(form)
            else:
                return redirect("crm:capture-thanks")
    return render(request, "crm/capture.html", {
        "form": form, "store": store, "words": capture_words(store=store),
        "drawing": source == Source.DRAWING}, status=status)


@never_cache
def capture(request, store_id):
    return _capture(request, store_id, Source.WEBSITE)


@never_cache
def capture_drawing(request, store_id):
    return _capture(request, store_id, Source.DRAWING)


def capture_thanks(request):
    return render(request, "crm/capture_thanks.html")


@never_cache
def capture_confirm(request):
    """The link in the confirmation email: records email consent (web form, confirmed)."""
    try:
        customer = services.capture_confirm(token=request.GET.get("t", ""))
    except LoupeError as exc:
        return render(request, "crm/capture_confirmed.html", {"error": exc.message}, status=400)
    return render(request, "crm/capture_confirmed.html", {"store": customer.store})
