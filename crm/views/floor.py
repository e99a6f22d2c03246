"""The salesperson's day: my clients, walk-ins, search, the customer page and the lists."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.access import staff_required
from core.errors import LoupeError
from core.pagination import OnePassPaginator
from crm import occasion_dates, selectors, services, worklists
from crm.filters import CustomerFilter
from crm.forms import ConsentAnswersForm, CustomerForm, NoteForm, PurchaseForm, WalkInForm
from crm.models import Purpose
from crm.services.walk_ins import SAME_PERSON_CODE, new_walk_in_key
from crm.wording import occasion_ask, reminder_words, sms_words_parts

PAGE_SIZE = 50


@staff_required("crm.view_customer")
def home(request):
    """My clients: the logged-in associate's customers, by name."""
    paginator = Paginator(selectors.client_rows(staff_member=request.staff), PAGE_SIZE)
    paginator.count = selectors.client_count(staff_member=request.staff)
    page = paginator.get_page(request.GET.get("page"))
    rows = None
    if paginator.count:  # the first pages by a compiled read; an empty book has no rows
        rows = selectors.client_rows_at(staff_member=request.staff, limit=PAGE_SIZE,
                                        offset=page.start_index() - 1)
    if rows is None:
        rows = [selectors.ClientRow(*row) for row in page.object_list]
    page.object_list = rows
    return render(request, "crm/home.jinja", {"page": page})


def _customer_list(request, customers, *, title, explain, why=None, anyone=None, listed=None):
    """A list of customers; `listed` for a worklist that reads its own pages (FOLLOW-UP):
    given the filtered customers, the list to page, counted in the same query as its page."""
    filters = CustomerFilter(request.GET or None, queryset=customers, store=request.store)
    if listed is not None:
        paginator = OnePassPaginator(listed(filters.qs), PAGE_SIZE)
    else:
        paginator = Paginator(filters.qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    if why is not None:
        for shown in page.object_list:
            shown.why = why(shown)
    template = ("crm/partials/_customer_rows.html" if request.htmx
                else "crm/customer_list.html")
    return render(request, template, {"filters": filters, "page": page, "title": title,
                                      "explain": explain, "anyone": anyone,
                                      "worklist": why is not None})


def _anyone(request) -> bool:
    """A worklist shows the associate's own customers unless they ask for anyone's (or pick
    an associate in the filter)."""
    return request.GET.get("who") == "anyone" or bool(request.GET.get("assigned_to"))


@staff_required("crm.view_customer")
def customers(request):
    return _customer_list(request, selectors.customer_list(store=request.store),
                          title=_("All customers"), explain="")


@staff_required("crm.view_customer")
def here(request):
    store, anyone = request.store, _anyone(request)
    return _customer_list(request, worklists.here(store=store, staff=request.staff,
                                                  anyone=anyone),
                          title=_("Here today"), explain=_("Visited today, the latest first."),
                          why=lambda c: worklists.why_here(c, store=store), anyone=anyone)


@staff_required("crm.view_customer")
def follow_up(request):
    store, anyone, now = request.store, _anyone(request), timezone.now()
    today, lead_days = store.today(now), _lead_days(store)
    worklist = worklists.follow_up(store=store, staff=request.staff, anyone=anyone,
                                   lead_days=lead_days, now=now)
    # Unfiltered, the list is the worklist itself (its first pages read by a compiled query).
    filtered = any(request.GET.get(name) for name in CustomerFilter.base_filters)
    return _customer_list(
        request, worklist.customers,
        title=_("Follow up"),
        explain=_("Visited, and asked for reminders or have a date in the next %(days)s days: "
                  "the soonest date first, then the latest visits.") % {"days": lead_days},
        why=lambda c: worklists.why_follow_up(c, store=store, today=today), anyone=anyone,
        listed=worklist.narrowed if filtered else lambda _filtered: worklist)


def _lead_days(store) -> int:
    """The store's reminder lead (its messaging settings, read through the store so crm
    names no other app); a store that has none yet uses the default."""
    settings = getattr(store, "messaging_settings", None)
    return settings.lead_days if settings else occasion_dates.DEFAULT_LEAD_DAYS


@staff_required("crm.view_customer")
def potential(request):
    store, anyone, now = request.store, _anyone(request), timezone.now()
    return _customer_list(request, worklists.potential(store=store, staff=request.staff,
                                                       anyone=anyone),
                          title=_("Potential"),
                          explain=_("Signed up on the website or at the drawing, never "
                                    "visited: the newest first."),
                          why=lambda c: worklists.why_potential(c, store=store, now=now),
                          anyone=anyone)


@staff_required("crm.view_contact")
@require_GET
def search(request):
    query = request.GET.get("q", "")
    results = selectors.customer_search(store=request.store, query=query)
    template = "crm/_search_results.jinja" if request.htmx else "crm/search.jinja"
    return render(request, template, {"query": query, "results": results})


def _walk_in_context(request, form, customer, on_file, same_person=()):
    phone = form["phone"].value() or ""
    return {"form": form, "customer": customer, "on_file": on_file, "same_person": same_person,
            "ask": occasion_ask(store=request.store),
            "sms_words": sms_words_parts(store=request.store, number=phone),
            "email_words": reminder_words(store=request.store, channel="email"),
            "phone_words": reminder_words(store=request.store, channel="phone")}


def _walk_in_customer(request):
    """The profile this visit is for: 'Open that profile' (keeping what was typed), the
    profile the form was opened for, or none (a new walk-in)."""
    customer_id = (request.POST.get("open_profile") or request.POST.get("customer")
                   or request.GET.get("customer"))
    return (selectors.customer_for(store=request.store, customer_id=customer_id)
            if customer_id else None)


@staff_required("crm.log_walk_in")
def walk_in(request):
    """One screen, one tap: a new profile, or 'this is them' (?customer=) to update one."""
    customer = _walk_in_customer(request)
    on_file = selectors.walk_in_on_file(customer=customer) if customer else None
    initial = WalkInForm.initial_for(customer, new_walk_in_key(), on_file)
    if request.POST.get("open_profile"):
        # Switching to the profile on file: what was typed stays, over what is on file.
        form = WalkInForm(store=request.store, customer=customer,
                          initial=initial | WalkInForm.typed(request.POST))
        return render(request, "crm/walk_in.html",
                      _walk_in_context(request, form, customer, on_file))
    form = WalkInForm(request.POST or None, store=request.store, customer=customer,
                      initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.customer_log_walk_in(
                store=request.store, by=request.staff, key=form.cleaned_data["key"],
                entry=form.entry(), customer=customer,
                different_person=request.POST.get("different_person") == "yes")
        except LoupeError as exc:
            if exc.code == SAME_PERSON_CODE:
                return _ask_same_person(request, form)
            exc.add_to_form(form)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": saved.full_name})
            return redirect("crm:customer", customer_id=saved.pk)
    return render(request, "crm/walk_in.html",
                  _walk_in_context(request, form, customer, on_file))


def _ask_same_person(request, form):
    """The phone or email typed is on file: show who has it and ask before a second
    profile; the form keeps everything typed."""
    matches = selectors.customer_duplicates(store=request.store,
                                            email=form.cleaned_data["email"],
                                            phone=form.cleaned_data["phone"])[:5]
    return render(request, "crm/walk_in.html",
                  _walk_in_context(request, form, None, None, same_person=matches))


@staff_required("crm.log_walk_in")
@require_GET
def duplicates(request):
    """While the phone or email is typed: the customers who already have it."""
    found = selectors.customer_duplicates(store=request.store,
                                          email=request.GET.get("email", ""),
                                          phone=request.GET.get("phone", ""))[:5]
    return render(request, "crm/partials/_duplicates.html", {"duplicates": found})


@staff_required("crm.view_contact")
def customer(request, customer_id):
    """The whole profile; the repair counter, which may see only contact details, repairs and
    repair-notice consent, is sent to its narrow view of the same customer."""
    if not request.user.has_perm("crm.view_customer"):
        return redirect("crm:contact", customer_id=customer_id)
    shown = selectors.customer_page(store=request.store, customer_id=customer_id)
    with timezone.override(shown.store.timezone):
        return render(request, "crm/customer.jinja", {"customer": shown})


@staff_required("crm.change_customer")
def edit(request, customer_id):
    shown = selectors.customer_for(store=request.store, customer_id=customer_id)
    form = CustomerForm(request.POST or None, store=request.store,
                        initial=CustomerForm.initial_for(shown))
    before = shown.addresses
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(customer=shown, by=request.staff, **form.cleaned_data)
        except LoupeError as exc:
            exc.add_to_form(form)
        else:
            messages.success(request, _("Profile saved."))
            new = [address for address in shown.addresses if address not in before]
            if new:
                return _ask_again(request, shown, new[0])
            return redirect("crm:customer", customer_id=shown.pk)
    return render(request, "crm/edit.html", {"form": form, "customer": shown})


def _ask_again(request, customer, address):
    """A new email or number has no consent: say so, and open the screen that records it."""
    messages.warning(request, _(
        "Consent for the old address does not carry over: ask %(name)s whether we may "
        "contact them at %(address)s and record it.") % {"name": customer.first_name,
                                                         "address": address})
    return redirect(f"{reverse('crm:consent', kwargs={'customer_id': customer.pk})}"
                    f"?{urlencode({'address': address})}")


def _address_asked(request, customer) -> str:
    """The posted address (the service refuses one not on the profile), else the one the link
    names if the profile has it, else the profile's first."""
    if request.method == "POST":
        return request.POST.get("address", "")
    named = request.GET.get("address")
    return named if named in customer.addresses else next(iter(customer.addresses), "")


@staff_required("crm.change_contact")
def consent(request, customer_id):
    """Ask again for one address of the profile and record what they said (the repair
    counter asks about repair notices only)."""
    shown = selectors.customer_for(store=request.store, customer_id=customer_id)
    address = _address_asked(request, shown)
    purposes = (None if request.user.has_perm("crm.change_customer")
                else {Purpose.REPAIR_NOTICES})
    form = ConsentAnswersForm(request.POST or None, customer=shown, address=address,
                              purposes=purposes, initial={
        "asked_by": request.staff, "asked_at": timezone.localtime(timezone=request.store.tz)})
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_record_answers(
                customer=shown, address=address, answers=form.answers(), by=request.staff,
                asked_by=form.cleaned_data["asked_by"], asked_at=form.cleaned_data["asked_at"])
        except LoupeError as exc:
            exc.add_to_form(form)
        else:
            messages.success(request, _("Consent recorded for %(address)s.") % {
                "address": address})
            return redirect("crm:customer", customer_id=shown.pk)
    return render(request, "crm/consent.html",
                  {"form": form, "customer": shown, "address": address})


@staff_required("crm.change_customer")
def note(request, customer_id):
    shown = selectors.customer_for(store=request.store, customer_id=customer_id)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_note_add(customer=shown, text=form.cleaned_data["text"],
                                       by=request.staff)
        except LoupeError as exc:
            exc.add_to_form(form)
        else:
            return redirect("crm:customer", customer_id=shown.pk)
    return render(request, "crm/note.html", {"form": form, "customer": shown})


@staff_required("crm.log_walk_in")
def purchase(request, customer_id):
    shown = selectors.customer_for(store=request.store, customer_id=customer_id)
    form = PurchaseForm(request.POST or None, initial={"purchased_on": request.store.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.purchase_record(customer=shown, by=request.staff, **form.cleaned_data)
        except LoupeError as exc:
            exc.add_to_form(form)
        else:
            messages.success(request, _("Purchase recorded."))
            return redirect("crm:customer", customer_id=shown.pk)
    return render(request, "crm/purchase.html", {"form": form, "customer": shown})
