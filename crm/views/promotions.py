"""The website voucher at the counter, and the manager's voucher offer, monthly drawing and
their results."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import staff_required
from core.errors import LoupeError
from core.qr import qr_svg
from crm import selectors, services
from crm.forms import DrawingForm, VoucherLookupForm, VoucherProgramForm, VoucherRedeemForm

RESULTS_MONTHS = 12


@staff_required("crm.redeem_voucher")
def vouchers(request):
    """Look a code up (GET: reads only) and, if it is good, offer to redeem it."""
    form = VoucherLookupForm(request.GET or None)
    lookup = redeem_form = None
    if form.is_valid():
        lookup = services.voucher_lookup(store=request.store, code=form.cleaned_data["code"])
        if lookup.redeemable:
            redeem_form = VoucherRedeemForm(initial={"code": lookup.code})
    return render(request, "crm/vouchers.html",
                  {"form": form, "lookup": lookup, "redeem_form": redeem_form})


@staff_required("crm.redeem_voucher")
@require_POST
def voucher_redeem(request):
    redeem_form = VoucherRedeemForm(request.POST)
    code = request.POST.get("code", "")
    if redeem_form.is_valid():
        try:
            voucher = services.voucher_redeem(
                store=request.store, code=redeem_form.cleaned_data["code"],
                total=redeem_form.cleaned_data["total"],
                description=redeem_form.cleaned_data["description"], by=request.staff)
        except LoupeError as exc:
            exc.add_to_form(redeem_form)
        else:
            messages.success(request, _("Voucher %(code)s redeemed: $%(off)s off for %(name)s.")
                             % {"code": voucher.shown_code, "off": voucher.discount,
                                "name": voucher.customer.full_name})
            return redirect("crm:customer", customer_id=voucher.customer_id)
    lookup = services.voucher_lookup(store=request.store, code=code)
    return render(request, "crm/vouchers.html", {
        "form": VoucherLookupForm(initial={"code": code}), "lookup": lookup,
        "redeem_form": redeem_form}, status=400)


@staff_required("crm.manage_promotions")
def voucher_program(request):
    current = selectors.voucher_program_current(store=request.store)
    form = VoucherProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.voucher_program_set(store=request.store, by=request.staff,
                                         **form.cleaned_data)
        except LoupeError as exc:
            exc.add_to_form(form)
        else:
            messages.success(request, _("The website now offers the new voucher."))
            return redirect("crm:voucher-program")
    return render(request, "crm/voucher_program.html", {"form": form, "current": current})


@staff_required("crm.manage_promotions")
@require_POST
def voucher_program_end(request):
    services.voucher_program_end(store=request.store, by=request.staff)
    messages.success(request, _("The website no longer offers a voucher."))
    return redirect("crm:voucher-program")


@staff_required("crm.manage_promotions")
def drawings(request):
    form = DrawingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            drawing = services.drawing_create(store=request.store, by=request.staff,
                                              **form.cleaned_data)
        except LoupeError as exc:
            exc.add_to_form(form)
        else:
            return redirect("crm:drawing", drawing_id=drawing.pk)
    return render(request, "crm/drawings.html", {
        "form": form, "drawings": selectors.drawings_of(store=request.store),
        "now": timezone.now()})


@staff_required("crm.manage_promotions")
def drawing(request, drawing_id, error=""):
    shown = selectors.drawing_for(store=request.store, drawing_id=drawing_id)
    return render(request, "crm/drawing.html", {
        "drawing": shown, "entry_count": shown.entries.count(), "now": timezone.now(),
        "error": error}, status=400 if error else 200)


@staff_required("crm.manage_promotions")
@require_POST
def drawing_close(request, drawing_id):
    shown = selectors.drawing_for(store=request.store, drawing_id=drawing_id)
    try:
        services.drawing_close(drawing=shown, by=request.staff)
    except LoupeError as exc:
        return drawing(request, drawing_id, error=exc.message)
    messages.success(request, _("Entries are closed."))
    return redirect("crm:drawing", drawing_id=drawing_id)


@staff_required("crm.manage_promotions")
@require_POST
def drawing_draw(request, drawing_id):
    shown = selectors.drawing_for(store=request.store, drawing_id=drawing_id)
    try:
        done = services.drawing_draw(drawing=shown, by=request.staff)
    except LoupeError as exc:
        return drawing(request, drawing_id, error=exc.message)
    messages.success(request, _("The winner is %(name)s, drawn among %(count)d entries.")
                     % {"name": done.winner.name, "count": done.entry_count})
    return redirect("crm:drawing", drawing_id=drawing_id)


@staff_required("crm.manage_promotions")
def drawing_entrants(request, drawing_id):
    shown = selectors.drawing_for(store=request.store, drawing_id=drawing_id)
    return render(request, "crm/drawing_entrants.html", {
        "drawing": shown, "entries": selectors.drawing_entrants(drawing=shown)})


@staff_required("crm.manage_promotions")
def promotion_results(request):
    today = request.store.today()
    first = today.replace(day=1)
    for _month in range(RESULTS_MONTHS - 1):
        first = (first - datetime.timedelta(days=1)).replace(day=1)
    since = datetime.datetime.combine(first, datetime.time.min, tzinfo=request.store.tz)
    return render(request, "crm/promotion_results.html", {
        "rows": selectors.promotion_results(store=request.store, since=since), "since": first,
        "days": selectors.CAME_IN_DAYS})


def voucher_qr(voucher) -> str:
    """The QR code a scanner at the counter reads: the code as printed."""
    return qr_svg(voucher.shown_code, title=f"Voucher {voucher.shown_code}", size_px=160)
