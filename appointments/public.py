"""The customer's own link (from the confirmation and the reminder): no login, the signed
token is the key. GET shows the appointment; only a POST cancels it or asks to move it."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from appointments import selectors, services
from appointments.forms import MoveRequestForm
from core.errors import LoupeError


@require_http_methods(["GET", "HEAD", "POST"])
def manage(request, link):
    appointment = selectors.appointment_from_token(link)
    if appointment is None:
        return render(request, "appointments/link_invalid.html", status=400)
    form = MoveRequestForm(request.POST if request.POST.get("action") == "move" else None)
    done = ""
    over = appointment.starts_at <= timezone.now()
    if request.method == "POST" and not over and appointment.is_booked:
        try:
            if request.POST.get("action") == "cancel":
                services.appointment_cancel(appointment=appointment, by=None)
                done = "cancelled"
            elif form.is_valid():
                services.appointment_move_request(appointment=appointment,
                                                  wish=form.cleaned_data["wish"])
                done = "move"
        except LoupeError as error:
            error.add_to_form(form)
        appointment.refresh_from_db()
    return render(request, "appointments/manage.html",
                  {"appointment": appointment, "form": form, "done": done, "over": over})
