"""Staff screens: the store's day and week, booking, cancelling, how it went, the hours."""

import datetime

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from appointments import selectors, services
from appointments.forms import (
    WEEKDAYS,
    BookingForm,
    BookingHoursForm,
    CancelForm,
    MoveForm,
    NewCustomerBookingForm,
    RecordForm,
)
from core.access import staff_required
from core.errors import LoupeError
from crm.selectors import customer_for
from followups import selectors as followups_selectors
from staff.selectors import sellers_of_store

BOOK = "appointments.book_appointment"


def _day(request, name="day") -> datetime.date:
    """The day asked for (?day=2026-12-05), today on the store's clock when none or bad."""
    try:
        return datetime.date.fromisoformat(request.GET.get(name, ""))
    except ValueError:
        return request.store.today()


def _associate(request):
    """The associate a calendar is narrowed to (?associate=id), None for the whole store."""
    wanted = request.GET.get("associate", "")
    if not wanted.isdigit():
        return None
    return sellers_of_store(store=request.store).filter(pk=wanted).first()


@staff_required(BOOK)
def calendar(request):
    day, associate = _day(request), _associate(request)
    shown = selectors.calendar_days(store=request.store, first=day, days=1,
                                    associate=associate)[0]
    return render(request, "appointments/day.html", {
        "shown": shown, "associate": associate,
        "sellers": sellers_of_store(store=request.store),
        "previous": day - datetime.timedelta(days=1), "next": day + datetime.timedelta(days=1)})


@staff_required(BOOK)
def week(request):
    day, associate = _day(request), _associate(request)
    monday = day - datetime.timedelta(days=day.weekday())
    return render(request, "appointments/week.html", {
        "days": selectors.calendar_days(store=request.store, first=monday, days=7,
                                        associate=associate),
        "associate": associate, "sellers": sellers_of_store(store=request.store),
        "monday": monday, "previous": monday - datetime.timedelta(days=7),
        "next": monday + datetime.timedelta(days=7), "today": request.store.today()})


@staff_required(BOOK)
def book(request, customer_id):
    customer = customer_for(store=request.store, customer_id=customer_id)
    task_id = request.GET.get("task", "")
    task = (followups_selectors.task_for(staff=request.staff, task_id=int(task_id))
            if task_id.isdigit() else None)
    if task is not None and task.customer_id != customer.pk:
        task = None
    sellers = sellers_of_store(store=request.store)
    initial = {"associate": customer.assigned_to if customer.assigned_to in sellers
               else request.staff, "day": request.store.today() + datetime.timedelta(days=1),
               "time": datetime.time(11)}
    form = BookingForm(request.POST or None, sellers=sellers, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment, refused = services.appointment_book(
                customer=customer, associate=data["associate"], day=data["day"],
                at=data["time"], minutes=data["minutes"], purpose=data["purpose"],
                note=data["note"], task=task, by=request.staff)
        except LoupeError as error:
            error.add_to_form(form)
        else:
            return _booked(request, appointment, refused)
    return render(request, "appointments/book.html",
                  {"form": form, "customer": customer, "task": task})


def _booked(request, appointment, refused):
    """Say what was booked, and where no confirmation goes; back to the day's calendar."""
    messages.success(request, f"{appointment.customer.full_name} is booked on "
                              f"{appointment.when()} with "
                              f"{appointment.associate.display_name}.")
    if refused:
        messages.info(request, "No message to " + ", ".join(refused) +
                      ": no consent to appointment notices there.")
    return redirect(f"{reverse('appointments:calendar')}"
                    f"?day={appointment.local_start.date()}")


@staff_required(BOOK)
def book_new_customer(request):
    """Book someone who called or wrote and has no profile yet (created as a prospect)."""
    sellers = sellers_of_store(store=request.store)
    initial = {"associate": request.staff if request.staff in sellers else None,
               "day": request.store.today() + datetime.timedelta(days=1),
               "time": datetime.time(11)}
    form = NewCustomerBookingForm(request.POST or None, sellers=sellers, initial=initial,
                                  store=request.store)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            appointment, refused = services.appointment_book_new_customer(
                store=request.store, by=request.staff, first_name=data["first_name"],
                last_name=data["last_name"], phone=data["phone"], email=data["email"],
                source=data["source"], notices_agreed=data["notices_agreed"],
                associate=data["associate"], day=data["day"], at=data["time"],
                minutes=data["minutes"], purpose=data["purpose"], note=data["note"])
        except LoupeError as error:
            error.add_to_form(form)
        else:
            return _booked(request, appointment, refused)
    return render(request, "appointments/book_new_customer.html", {"form": form})


@staff_required(BOOK)
def move(request, appointment_id):
    """Move a booked visit to another time or associate (the customer is told)."""
    shown = selectors.appointment_for(store=request.store, appointment_id=appointment_id)
    form = MoveForm(request.POST or None, sellers=sellers_of_store(store=request.store),
                    initial={"associate": shown.associate, "day": shown.local_start.date(),
                             "time": shown.local_start.time(), "minutes": shown.minutes})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved, refused = services.appointment_move(
                appointment=shown, associate=data["associate"], day=data["day"],
                at=data["time"], minutes=data["minutes"], by=request.staff)
        except LoupeError as error:
            error.add_to_form(form)
        else:
            return _booked(request, moved, refused)
    return render(request, "appointments/move.html", {"form": form, "appointment": shown})


@staff_required(BOOK)
def appointment(request, appointment_id):
    shown = selectors.appointment_for(store=request.store, appointment_id=appointment_id)
    return render(request, "appointments/appointment.html", {
        "appointment": shown, "cancel_form": CancelForm(), "record_form": RecordForm()})


@staff_required(BOOK)
@require_POST
def cancel(request, appointment_id):
    shown = selectors.appointment_for(store=request.store, appointment_id=appointment_id)
    form = CancelForm(request.POST)
    why = form.cleaned_data["why"] if form.is_valid() else ""
    try:
        services.appointment_cancel(appointment=shown, by=request.staff, why=why)
    except LoupeError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"Appointment of {shown.customer.full_name} cancelled.")
    return redirect("appointments:appointment", appointment_id=shown.pk)


@staff_required(BOOK)
def record(request, appointment_id):
    shown = selectors.appointment_for(store=request.store, appointment_id=appointment_id)
    form = RecordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.appointment_record(appointment=shown, by=request.staff,
                                        **form.cleaned_data)
        except LoupeError as error:
            error.add_to_form(form)
        else:
            messages.success(request, "Noted on the timeline.")
            return redirect("appointments:appointment", appointment_id=shown.pk)
    return render(request, "appointments/appointment.html", {
        "appointment": shown, "cancel_form": CancelForm(), "record_form": form})


@staff_required("staff.manage_staff")
def hours(request):
    current = selectors.booking_hours_of(store=request.store)
    form = BookingHoursForm(request.POST or None, initial={
        "opens_at": current.opens_at, "closes_at": current.closes_at,
        "closed_weekdays": current.closed_weekdays})
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_hours_set(store=request.store, by=request.staff,
                                       **form.cleaned_data)
        except LoupeError as error:
            error.add_to_form(form)
        else:
            messages.success(request, "Booking hours saved.")
            return redirect("appointments:calendar")
    return render(request, "appointments/hours.html", {"form": form, "weekdays": WEEKDAYS})
