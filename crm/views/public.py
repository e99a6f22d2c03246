"""The public sign-up forms (no login): website voucher and monthly drawing.

Nothing here uses the cache or the broker, so a sign-up is saved and answered with Redis down:
the rate limit counts SignUp rows, and the confirmation email waits in the outbox.
"""

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.errors import LoupeError
from crm import selectors, services
from crm.forms import CaptureForm
from crm.models import Source
from crm.wording import capture_words


def _capture(request, store_id, source):
    store = selectors.store_for(store_id=store_id)
    form = CaptureForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.is_bot:
            return redirect("crm:capture-thanks")
        try:
            services.sign_up_create(store=store, source=source,
                                    ip=request.META.get("REMOTE_ADDR", ""),
                                    **form.sign_up_fields())
        except LoupeError as exc:
            exc.add_to_form(form)
            status = 429 if exc.code == "too_many" else 200
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
@require_http_methods(["GET", "HEAD", "POST"])
def capture_confirm(request):
    """The link in the confirmation email. GET only shows the button (mail scanners open
    links); the button's POST applies the sign-up and records consent."""
    token = request.GET.get("t", "")
    try:
        if request.method == "POST":
            done = services.sign_up_confirm(token=token)
            return render(request, "crm/capture_confirmed.html",
                          {"sign_up": done.sign_up, "already": done.already})
        sign_up = selectors.sign_up_for_link(token=token)
    except LoupeError as exc:
        return render(request, "crm/capture_confirmed.html", {"error": exc.message},
                      status=400)
    return render(request, "crm/capture_confirm.html",
                  {"sign_up": sign_up, "token": token})
