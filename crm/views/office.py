"""The manager's office: merge, history, export, the preference list (imports: imports.py)."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.access import staff_required
from core.errors import LoupeError
from crm import selectors, services
from crm.forms import DataExportForm, EraseForm, MergeForm, PreferenceForm
from crm.services.privacy import customer_data_export, customer_erase


@staff_required("crm.merge_customer")
def merge(request, customer_id):
    """Merge this profile into another one (found by search or as a likely duplicate)."""
    merged = selectors.customer_for(store=request.store, customer_id=customer_id)
    query = request.GET.get("q", "")
    candidates = selectors.merge_candidates(customer=merged, query=query)
    form = MergeForm(request.POST or None, candidates=candidates, store=request.store)
    if request.method == "POST" and form.is_valid():
        try:
            survivor = services.customer_merge(survivor=form.cleaned_data["survivor"],
                                               merged=merged, by=request.staff)
        except LoupeError as exc:
            exc.add_to_form(form)
        else:
            messages.success(request, _("Profiles merged."))
            return redirect("crm:customer", customer_id=survivor.pk)
    return render(request, "crm/merge.html",
                  {"form": form, "customer": merged, "query": query})


@staff_required("crm.view_history")
def history(request, customer_id):
    shown = selectors.customer_for(store=request.store, customer_id=customer_id)
    return render(request, "crm/history.html",
                  {"customer": shown, "entries": selectors.customer_history(customer=shown)})


@staff_required("crm.export_customer")
def export_customers(request):
    """GET explains; POST downloads the CSV (every export is recorded)."""
    if request.method != "POST":
        return render(request, "crm/export.html",
                      {"count": selectors.customer_list(store=request.store).count()})
    csv_text = services.customers_export(store=request.store, by=request.staff)
    response = HttpResponse(csv_text, content_type="text/csv; charset=utf-8")
    stamp = request.store.today().isoformat()
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.csv"'
    return response


@staff_required("crm.manage_preferences")
def preferences(request):
    form = PreferenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_save(store=request.store, by=request.staff,
                                     **form.cleaned_data)
        except LoupeError as exc:
            exc.add_to_form(form)
        else:
            return redirect("crm:preferences")
    return render(request, "crm/preferences.html",
                  {"form": form, "preferences": selectors.preferences_of(store=request.store)})


@staff_required("crm.manage_preferences")
def preference_edit(request, preference_id):
    preference = selectors.preference_for(store=request.store, preference_id=preference_id)
    form = PreferenceForm(request.POST or None, initial={
        "name": preference.name, "position": preference.position, "active": preference.active})
    if request.method == "POST" and form.is_valid():
        try:
            services.preference_save(store=request.store, by=request.staff,
                                     preference=preference, **form.cleaned_data)
        except LoupeError as exc:
            exc.add_to_form(form)
        else:
            return redirect("crm:preferences")
    return render(request, "crm/preference_edit.html", {"form": form, "preference": preference})


def _privacy_page(request, customer, *, export_form=None, erase_form=None, status=200):
    return render(request, "crm/privacy.html", {
        "customer": customer, "export_form": export_form or DataExportForm(),
        "erase_form": erase_form or EraseForm(customer=customer)}, status=status)


@staff_required("crm.erase_customer")
def privacy(request, customer_id):
    """A privacy request: export everything held, or erase. Each is a POST confirmed here."""
    shown = selectors.customer_for(store=request.store, customer_id=customer_id)
    return _privacy_page(request, shown)


@staff_required("crm.erase_customer")
@require_POST
def data_export(request, customer_id):
    shown = selectors.customer_for(store=request.store, customer_id=customer_id)
    form = DataExportForm(request.POST)
    if form.is_valid():
        try:
            archive = customer_data_export(customer=shown, by=request.staff)
        except LoupeError as exc:
            exc.add_to_form(form)
        else:
            response = HttpResponse(archive, content_type="application/zip")
            response["Content-Disposition"] = (
                f'attachment; filename="customer-{shown.pk}-data.zip"')
            return response
    return _privacy_page(request, shown, export_form=form, status=400)


@staff_required("crm.erase_customer")
@require_POST
def erase(request, customer_id):
    shown = selectors.customer_for(store=request.store, customer_id=customer_id)
    form = EraseForm(request.POST, customer=shown)
    if not form.is_valid():
        return _privacy_page(request, shown, erase_form=form, status=400)
    customer_erase(customer=shown, by=request.staff)
    messages.success(request, _("The customer's personal data was erased."))
    return redirect("crm:customer", customer_id=shown.pk)
