import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import staff_required
from core.errors import LoupeError
from core.photos import photo_response
from crm.selectors import customer_duplicates, customer_search
from followups.selectors import repair_ready_plan
from repairs import selectors, services
from repairs.forms import CancelForm, PhotoForm, StatusForm, TakeInForm
from repairs.models import Status
from repairs.qr import envelope_qr_svg

PAGE_SIZE = 50
REPORT_WEEKS = 8


@staff_required("repairs.view_envelope")
def home(request):
    now = timezone.now()
    shown = request.GET.get("show", "open")
    shown = shown if shown in selectors.LISTS else "open"
    envelopes = selectors.envelope_list(store=request.store, name=shown, now=now)
    page = Paginator(envelopes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "repairs/home.html", {
        "page": page, "shown": shown, "lists": selectors.LISTS, "today": request.store.today(now),
        "counts": selectors.envelope_list_counts(store=request.store, now=now),
    })


@staff_required("repairs.add_envelope")
def take_in(request):
    form = TakeInForm(request.POST or None, request.FILES or None, store=request.store)
    if request.method == "POST" and form.is_valid():
        try:
            envelope = services.envelope_take_in(store=request.store, by=request.staff,
                                                 **form.take_in_kwargs())
        except LoupeError as error:
            error.add_to_form(form)
        else:
            messages.success(request, _("Envelope #%(n)s taken in.") % {"n": envelope.number})
            return redirect("repairs:envelope", envelope_id=envelope.pk)
    return render(request, "repairs/take_in.html", _take_in_context(request, form))


def _take_in_context(request, form):
    """A refused take-in keeps the customer picked, and offers profiles already on file with
    the email or phone typed for a new customer."""
    chosen = form.cleaned_data.get("customer") if form.is_bound else None
    duplicates = []
    if form.is_bound and chosen is None:
        duplicates = customer_duplicates(store=request.store, email=form.data.get("email", ""),
                                         phone=form.data.get("phone", ""))
    return {"form": form, "chosen": chosen, "duplicates": duplicates,
            "ask_email_choice": form.has_error("email_choice") or form.data.get("email_choice")}


@staff_required("repairs.add_envelope")
def customer_lookup(request):
    """The take-in screen's customer finder (an htmx partial)."""
    found = customer_search(store=request.store, query=request.GET.get("q", ""), limit=8)
    return render(request, "repairs/partials/_customer_lookup.html", {"customers": found})


@staff_required("repairs.view_envelope")
def envelope(request, envelope_id):
    found = selectors.envelope_for(store=request.store, envelope_id=envelope_id)
    return render(request, "repairs/envelope.html", {
        "envelope": found, "form": StatusForm(), "today": request.store.today(),
    })


@staff_required("repairs.view_envelope")
def envelope_print(request, envelope_id):
    found = selectors.envelope_for(store=request.store, envelope_id=envelope_id)
    return render(request, "repairs/envelope_print.html",
                  {"envelope": found, "qr": envelope_qr_svg(found)})


@staff_required("repairs.change_envelope")
def envelope_photo_add(request, envelope_id):
    found = selectors.envelope_for(store=request.store, envelope_id=envelope_id)
    form = PhotoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.envelope_photo_add(envelope=found, by=request.staff,
                                        upload=form.cleaned_data["photo"],
                                        caption=form.cleaned_data["caption"])
        except LoupeError as error:
            error.add_to_form(form)
        else:
            return redirect("repairs:envelope", envelope_id=found.pk)
    return render(request, "repairs/photo_add.html", {"envelope": found, "form": form})


@staff_required("repairs.view_envelope")
def envelope_photo(request, envelope_id, photo_id):
    """The photo's file, for this store's staff only (another store's is a 404)."""
    return photo_response(selectors.envelope_photo_for(store=request.store,
                                                       envelope_id=envelope_id,
                                                       photo_id=photo_id))


@staff_required("repairs.change_envelope")
@require_POST
def envelope_status(request, envelope_id):
    found = selectors.envelope_for(store=request.store, envelope_id=envelope_id)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            moved = services.envelope_status_change(envelope=found, by=request.staff,
                                                    **form.cleaned_data)
        except LoupeError as error:
            error.add_to_form(form)
        else:
            if moved.status == Status.READY:
                _say_what_was_planned(request, moved)
            return redirect("repairs:envelope", envelope_id=found.pk)
    return render(request, "repairs/envelope.html",
                  {"envelope": found, "form": form, "today": request.store.today()})


def _say_what_was_planned(request, envelope):
    """Ready for pickup: tell the person at the counter what the customer will get, and when,
    from the outbox rows the move created."""
    plan = repair_ready_plan(envelope=envelope, now=timezone.now())
    said = " ".join(plan) or _("No ready notice was planned.")
    messages.success(request, _("Envelope #%(n)s is ready for pickup. %(plan)s")
                     % {"n": envelope.number, "plan": said})


@staff_required("repairs.change_envelope")
def envelope_cancel(request, envelope_id):
    """Cancelling cannot be undone: a step of its own that asks why."""
    found = selectors.envelope_for(store=request.store, envelope_id=envelope_id)
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.envelope_status_change(envelope=found, by=request.staff,
                                            to_status=Status.CANCELLED,
                                            note=form.cleaned_data["reason"])
        except LoupeError as error:
            error.add_to_form(form)
        else:
            messages.success(request, _("Envelope #%(n)s cancelled.") % {"n": found.number})
            return redirect("repairs:envelope", envelope_id=found.pk)
    return render(request, "repairs/envelope_cancel.html", {"envelope": found, "form": form})


@staff_required("repairs.view_capture_report")
def capture_report(request):
    since = _weeks_ago(request.store, REPORT_WEEKS)
    return render(request, "repairs/capture_report.html", {
        "rows": selectors.capture_report(store=request.store, since=since),
        "bounced": selectors.envelopes_bounced(store=request.store, since=since),
        "weeks": REPORT_WEEKS, "since": since,
    })


def _weeks_ago(store, weeks):
    """Midnight at the store on the Monday `weeks` weeks back (the report's first week)."""
    today = store.today()
    monday = today - datetime.timedelta(days=today.weekday() + 7 * (weeks - 1))
    return datetime.datetime.combine(monday, datetime.time(), tzinfo=store.tz)
