"""The repair counter's narrow view of a customer: contact details, repairs and repair-notice
consent, and the correction of those contact details; nothing else of the profile."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.access import staff_required
from core.errors import LoupeError
from crm import selectors, services
from crm.forms import ContactForm
from crm.views.floor import _ask_again


@staff_required("crm.view_contact")
def contact(request, customer_id):
    shown = selectors.customer_at_the_counter(store=request.store, customer_id=customer_id)
    return render(request, "crm/contact.html", {"customer": shown})


@staff_required("crm.change_contact")
def contact_edit(request, customer_id):
    shown = selectors.customer_at_the_counter(store=request.store, customer_id=customer_id)
    form = ContactForm(request.POST or None, store=request.store,
                       initial=ContactForm.initial_for(shown))
    before = shown.addresses
    if request.method == "POST" and form.is_valid():
        try:
            services.customer_update(customer=shown, by=request.staff, **{
                name: form.cleaned_data[name] for name in ContactForm.CONTACT_FIELDS})
        except LoupeError as exc:
            exc.add_to_form(form)
        else:
            messages.success(request, _("Contact details saved."))
            new = [address for address in shown.addresses if address not in before]
            if new:
                return _ask_again(request, shown, new[0])
            return redirect("crm:contact", customer_id=shown.pk)
    return render(request, "crm/contact_edit.html", {"form": form, "customer": shown})
