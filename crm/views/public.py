"""The public sign-up forms (no login): website voucher and monthly drawing.

Nothing here uses the cache or the broker, so a sign-up is saved and answered with Redis down:
the rate limit counts SignUp rows, and the confirmation email waits in the outbox.
"""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.errors import LoupeError
from crm import selectors, services
from crm.forms import CaptureForm
from crm.models import Source
from crm.views.promotions import voucher_qr
from crm.wording import capture_words


def _thanks(store, source):
    return redirect(f"{reverse('crm:capture-thanks')}?store={store.pk}&form={source}")


def _capture(request, store_id, source):
    store = selectors.store_for(store_id=store_id)
    form = CaptureForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if form.is_bot:
            return _thanks(store, source)
        try:
            services.sign_up_create(store=store, source=source,
                                    ip=request.META.get("REMOTE_ADDR", ""),
                                    **form.sign_up_fields())
        except LoupeError as exc:
            exc.add_to_form(form)
            status = 429 if exc.code == "too_many" else 200
        else:
            return _thanks(store, source)
    return render(request, "crm/capture.html", {
        "form": form, "store": store, "words": capture_words(store=store),
        "drawing": source == Source.DRAWING, **_offer(store, source)}, status=status)


def _offer(store, source) -> dict:
    """What the form offers: the website's voucher, or the drawing taking entries now."""
    if source == Source.DRAWING:
        return {"open_drawing": selectors.drawing_open(store=store)}
    return {"program": selectors.voucher_program_current(store=store)}


@never_cache
def capture(request, store_id):
    return _capture(request, store_id, Source.WEBSITE)


@never_cache
def capture_drawing(request, store_id):
    return _capture(request, store_id, Source.DRAWING)


def capture_thanks(request):
    """After a sign-up: check your email; with the offer's terms (the query names the store
    and form, public facts only: a tampered one shows no offer)."""
    store_id, source = request.GET.get("store", ""), request.GET.get("form", "")
    offer = {}
    if store_id.isdigit() and source in (Source.WEBSITE, Source.DRAWING):
        store = selectors.store_for(store_id=store_id)
        offer = {"store": store, **_offer(store, source)}
    return render(request, "crm/capture_thanks.html", offer)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def capture_confirm(request):
    """The link in the confirmation email. GET only shows the button (mail scanners open
    links); the button's POST applies the sign-up and records consent."""
    token = request.GET.get("t", "")
    try:
        if request.method == "POST":
            done = services.sign_up_confirm(token=token)
            voucher = done.issued.voucher
            return render(request, "crm/capture_confirmed.html", {
                "sign_up": done.sign_up, "already": done.already, "issued": done.issued,
                "entered": done.entered, "now": timezone.now(),
                # A voucher issued to another address of the same person is not shown here.
                "voucher_shown": voucher if voucher and voucher.email == done.sign_up.email
                else None,
                "qr": voucher_qr(voucher) if voucher else ""})
        sign_up = selectors.sign_up_for_link(token=token)
    except LoupeError as exc:
        return render(request, "crm/capture_confirmed.html", {"error": exc.message},
                      status=400)
    return render(request, "crm/capture_confirm.html",
                  {"sign_up": sign_up, "token": token})


def drawing_rules(request, drawing_id):
    """The official rules of a drawing, public (linked from the drawing form)."""
    shown = selectors.drawing_public(drawing_id=drawing_id)
    return render(request, "crm/drawing_rules.html", {"drawing": shown})


@never_cache
def voucher_show(request):
    """The voucher's own page, from the link in its email: code, QR code, terms, and whether
    it is still good. Reading changes nothing."""
    try:
        voucher = selectors.voucher_for_link(token=request.GET.get("t", ""))
    except LoupeError as exc:
        return render(request, "crm/voucher_show.html", {"error": exc.message}, status=400)
    return render(request, "crm/voucher_show.html", {
        "voucher": voucher, "state": voucher.state(timezone.now()), "qr": voucher_qr(voucher)})
