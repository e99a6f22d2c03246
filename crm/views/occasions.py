"""The dates on a profile: correct one, or remove it (history and sent reminders stay)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.access import staff_required
from core.errors import LoupeError
from crm import selectors, services
from crm.forms import OccasionForm


@staff_required("crm.change_customer")
def occasion_edit(request, customer_id, occasion_id):
    occasion = selectors.occasion_for(store=request.store, customer_id=customer_id,
                                      occasion_id=occasion_id)
    form = OccasionForm(request.POST or None, occasion=occasion, today=request.store.today(),
                        initial=OccasionForm.initial_for(occasion))
    if request.method == "POST" and form.is_valid():
        try:
            services.occasion_change(occasion=occasion, by=request.staff, **form.cleaned_data)
        except LoupeError as exc:
            exc.add_to_form(form)
        else:
            messages.success(request, _("%(occasion)s saved.") % {"occasion": occasion.title})
            return redirect("crm:customer", customer_id=occasion.customer_id)
    return render(request, "crm/occasion_edit.html",
                  {"form": form, "occasion": occasion, "customer": occasion.customer})


@staff_required("crm.change_customer")
def occasion_remove(request, customer_id, occasion_id):
    """GET asks; POST removes."""
    occasion = selectors.occasion_for(store=request.store, customer_id=customer_id,
                                      occasion_id=occasion_id)
    if request.method == "POST":
        services.occasion_remove(occasion=occasion, by=request.staff)
        messages.success(request, _("%(occasion)s removed.") % {"occasion": occasion.title})
        return redirect("crm:customer", customer_id=occasion.customer_id)
    return render(request, "crm/occasion_remove.html",
                  {"occasion": occasion, "customer": occasion.customer})
