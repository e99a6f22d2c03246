"""Reads for the calendars, the Today page and the customer's link; scoped to the store."""

import dataclasses
import datetime

from django.conf import settings
from django.core.signing import BadSignature, TimestampSigner
from django.db import connection
from django.db.models import OuterRef
from django.shortcuts import get_object_or_404
from django.urls import reverse

from appointments.models import Appointment, AppointmentStatus, BookingHours, ClosedDay
from core.packed import FORWARD, Compiled, Packed
from crm.selectors import panel_read

LINK_SALT = "appointments.link"
# A cancelled visit is off; a moved one lives on in its new booking.
OFF_THE_CALENDAR = [AppointmentStatus.CANCELLED, AppointmentStatus.MOVED]
# A link keeps working for this long after it was sent (and never once the visit is over).
LINK_MAX_AGE = datetime.timedelta(days=120)


def _shaped(store):
    return (Appointment.objects.for_store(store)
            .select_related("customer", "associate", "store").order_by("starts_at", "id"))


def day_bounds(store, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """Midnight to midnight on the store's clock (23 or 25 hours on a clock-change day)."""
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=store.tz)
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(),
                                    tzinfo=store.tz)
    return start, end


@dataclasses.dataclass
class Day:
    day: datetime.date
    open: bool
    reason: str
    appointments: list


def calendar_days(*, store, first: datetime.date, days: int, associate=None) -> list[Day]:
    """Each day from `first` with its appointments (cancelled and moved ones left out) and whether
    the store takes bookings that day: two queries, however many appointments."""
    start, _ = day_bounds(store, first)
    _, end = day_bounds(store, first + datetime.timedelta(days=days - 1))
    rows = _shaped(store).filter(starts_at__gte=start, starts_at__lt=end).exclude(
        status__in=OFF_THE_CALENDAR)
    if associate is not None:
        rows = rows.filter(associate=associate)
    hours = BookingHours.objects.filter(store=store).first() or BookingHours(store=store)
    closed = dict(ClosedDay.objects.filter(
        store=store, day__gte=first, day__lt=first + datetime.timedelta(days=days))
        .values_list("day", "reason"))
    by_day: dict[datetime.date, list] = {}
    for appointment in rows:
        by_day.setdefault(appointment.local_start.date(), []).append(appointment)
    out = []
    for n in range(days):
        day = first + datetime.timedelta(days=n)
        why = closed.get(day)
        is_open = hours.is_open_on(day) and why is None
        out.append(Day(day=day, open=is_open, reason=why or ("" if is_open else "Closed"),
                       appointments=by_day.get(day, [])))
    return out


def appointments_today(*, staff, today: datetime.date):
    """The staff member's appointments today, cancelled and moved ones left out."""
    start, end = day_bounds(staff.store, today)
    return (_shaped(staff.store).filter(associate=staff, starts_at__gte=start,
                                        starts_at__lt=end)
            .exclude(status__in=OFF_THE_CALENDAR))


def visits_between(*, store, start: datetime.datetime, end: datetime.datetime):
    """The store's visits that start between the two moments and hold an associate's time
    (booked, came in or did not show; a cancelled or moved booking is not a visit), for the
    dashboard's figures."""
    return Appointment.objects.for_store(store).holding_time().filter(starts_at__gte=start,
                                                                      starts_at__lt=end)


def customer_appointments(*, customer):
    return (Appointment.objects.filter(customer=customer).select_related("associate", "store")
            .order_by("-starts_at", "-id"))


def _latest_read(*, customer_id):
    return customer_appointments(customer=customer_id)[:LATEST_SHOWN]


# The panel for a customer not read by the page's query: compiled once per process.
_LATEST = Compiled(_latest_read)
LATEST_SHOWN = 10


def customer_page_lists() -> dict[str, Packed]:
    """The panel's appointments as a list of the customer page's own query
    (crm.selectors.customer_page_panel, added by AppointmentsConfig.ready)."""
    return {"latest": Packed(_latest_read(customer_id=OuterRef("pk")),
                             associate=FORWARD, store=FORWARD)}


def customer_appointments_latest(*, customer) -> list[Appointment]:
    """The customer's latest appointments, for the panel on their page (read with the page
    on PostgreSQL: `customer_page_lists`)."""
    read = panel_read(customer, "appointments")
    if read is not None:
        return read["latest"]
    if connection.vendor != "postgresql":
        return list(_latest_read(customer_id=customer.pk))
    return _LATEST.instances(customer_id=customer.pk)


def appointment_for(*, store, appointment_id: int) -> Appointment:
    """One appointment of the store (another store's is a 404)."""
    return get_object_or_404(_shaped(store), pk=appointment_id)


def booking_hours_of(*, store) -> BookingHours:
    return BookingHours.objects.filter(store=store).first() or BookingHours(store=store)


def sample_appointment(*, customer, now) -> Appointment:
    """An unsaved visit tomorrow at 11:00 with the customer's associate, for a template's
    preview (its link opens nothing)."""
    store = customer.store
    start = datetime.datetime.combine(store.today(now) + datetime.timedelta(days=1),
                                      datetime.time(11), tzinfo=store.tz)
    return Appointment(pk=0, store=store, customer=customer, associate=customer.assigned_to,
                       starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                       purpose="anniversary", created_at=now, updated_at=now)


def manage_token(appointment: Appointment) -> str:
    return TimestampSigner(salt=LINK_SALT).sign(str(appointment.pk))


def manage_url(appointment: Appointment) -> str:
    path = reverse("appointments:manage", kwargs={"link": manage_token(appointment)})
    return f"{settings.SITE_URL}{path}"


def appointment_from_token(token: str) -> Appointment | None:
    """The appointment a customer's link names, or None for a link we did not sign, one
    too old, or one for an appointment that is gone. A link from before the store moved the
    visit opens the visit at its new time."""
    try:
        pk = int(TimestampSigner(salt=LINK_SALT).unsign(token, max_age=LINK_MAX_AGE))
    except (BadSignature, ValueError):
        return None
    shaped = Appointment.objects.select_related("store", "customer", "associate")
    found = shaped.filter(pk=pk).first()
    while found is not None and found.moved_to_id is not None:
        found = shaped.filter(pk=found.moved_to_id).first()
    return found
