"""Photos of pieces: taken on the tablet, shown only to the store's staff."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.access import staff_required
from core.errors import LoupeError
from core.photos import photo_response
from crm import selectors, services
from crm.forms import PiecePhotoForm


@staff_required("crm.change_customer")
def photo_add(request, customer_id):
    shown = selectors.customer_for(store=request.store, customer_id=customer_id)
    pieces = selectors.pieces_of(customer=shown)
    form = PiecePhotoForm(request.POST or None, request.FILES or None, pieces=pieces,
                          initial={"piece": request.GET.get("piece")})
    if request.method == "POST" and form.is_valid():
        try:
            services.piece_photo_add(customer=shown, by=request.staff, **form.photo_kwargs())
        except LoupeError as exc:
            exc.add_to_form(form)
        else:
            messages.success(request, _("Photo kept."))
            return redirect("crm:customer", customer_id=shown.pk)
    return render(request, "crm/photo_add.html", {"form": form, "customer": shown})


@staff_required("crm.view_customer")
def photo(request, photo_id):
    """The photo's file, for this store's staff only (another store's photo is a 404)."""
    return photo_response(selectors.piece_photo_for(store=request.store, photo_id=photo_id))
