"""Writes for appointments: book, cancel, record how it went, the customer's own cancel or
move request, and the store's booking hours.

Booking locks the associate's row first, so two bookings for one associate are decided one
after the other; the overlap check then gives the clear message, and PostgreSQL's exclusion
constraint (`appointment_no_double_booking`) holds even for a writer that skips the lock.
"""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from appointments.models import (
    Appointment,
    AppointmentOutcome,
    AppointmentPurpose,
    AppointmentStatus,
    BookingHours,
    ClosedDay,
)
from core.audit import log_action
from core.errors import LoupeError
from crm.models import Channel, ConsentMethod, InteractionKind, Purpose, Source
from crm.selectors import customer_duplicates
from crm.services import consent_record, customer_create, interaction_add
from crm.wording import consent_words
from followups import services as followups_services
from staff.selectors import sellers_of_store

NO_DOUBLE_BOOKING = "appointment_no_double_booking"


def booking_hours_for(*, store) -> BookingHours:
    found, _ = BookingHours.objects.get_or_create(store=store)
    return found


def local_start(*, store, day: datetime.date, at: datetime.time) -> datetime.datetime:
    """The moment `at` on `day` on the store's clock; a time the clocks skip (a spring-forward
    night) is refused rather than moved."""
    start = datetime.datetime.combine(day, at, tzinfo=store.tz)
    round_trip = start.astimezone(datetime.UTC).astimezone(store.tz)
    if round_trip.replace(tzinfo=None) != start.replace(tzinfo=None):
        raise LoupeError(f"{at:%H:%M} does not exist on {day:%b} {day.day}: the clocks "
                         f"change that night. Pick another time.", field="time")
    return start


def _check_hours(*, store, starts_at, ends_at) -> None:
    hours = booking_hours_for(store=store)
    start, end = starts_at.astimezone(store.tz), ends_at.astimezone(store.tz)
    day = start.date()
    if not hours.is_open_on(day):
        raise LoupeError(f"The store takes no appointments on {day:%A}s.", field="day")
    closed = ClosedDay.objects.filter(store=store, day=day).first()
    if closed is not None:
        why = f" ({closed.reason})" if closed.reason else ""
        raise LoupeError(f"The store is closed on {day:%b} {day.day}{why}.", field="day")
    if start.time() < hours.opens_at or end.date() != day or end.time() > hours.closes_at:
        raise LoupeError(f"Appointments are between {hours.opens_at:%H:%M} and "
                         f"{hours.closes_at:%H:%M}: this one would run "
                         f"{start:%H:%M}–{end:%H:%M}.", field="time")


def _check_free(*, associate, starts_at, ends_at, store) -> None:
    clash = (Appointment.objects.holding_time().filter(associate=associate)
             .overlapping(starts_at, ends_at).select_related("customer").first())
    if clash is not None:
        start = timezone.localtime(clash.starts_at, store.tz)
        end = timezone.localtime(clash.ends_at, store.tz)
        raise LoupeError(f"{associate.display_name} already has {clash.customer.full_name} "
                         f"from {start:%H:%M} to {end:%H:%M}: pick another time or "
                         f"associate.", field="time")


def _slot(*, store, associate, day, at, minutes, now):
    """Check a time for a booking or a move (length, associate, past, hours, closed days, the
    associate's other bookings) under the lock on the associate's row that puts two bookings
    for one associate one after the other. Returns (associate, starts_at, ends_at) in UTC."""
    if not 5 <= minutes <= 8 * 60:
        raise LoupeError("Pick a length.", field="minutes")
    if associate.store_id != store.pk:
        raise LoupeError("Pick an associate of this store.", field="associate")
    associate = sellers_of_store(store=store).select_for_update().filter(
        pk=associate.pk).first()
    if associate is None:
        raise LoupeError("Pick an active associate of this store.", field="associate")
    # In UTC before adding the length: arithmetic on the store's zone is wall-clock time, and
    # an hour booked across a clock change would last two hours, or none.
    starts_at = local_start(store=store, day=day, at=at).astimezone(datetime.UTC)
    ends_at = starts_at + datetime.timedelta(minutes=minutes)
    if starts_at <= now:
        raise LoupeError("That time has passed: pick a later one.", field="time")
    _check_hours(store=store, starts_at=starts_at, ends_at=ends_at)
    _check_free(associate=associate, starts_at=starts_at, ends_at=ends_at, store=store)
    return associate, starts_at, ends_at


def _create(*, fields: dict) -> Appointment:
    """Insert the booking; a booking that raced past the lock meets the exclusion
    constraint, and gets the same clear message."""
    try:
        with transaction.atomic():
            return Appointment.objects.create(**fields)
    except IntegrityError as error:
        if NO_DOUBLE_BOOKING in str(error):
            raise LoupeError(f"{fields['associate'].display_name} was just booked at that "
                             f"time: pick another.", field="time") from error
        raise


@transaction.atomic
def appointment_book(*, customer, associate, day: datetime.date, at: datetime.time,
                     minutes: int, purpose: str, by, note: str = "", task=None,
                     now=None) -> tuple[Appointment, list[str]]:
    """Book a customer with an associate. Refused in the past, outside booking hours, on a
    closed day, or over another booking of the associate. Booked from a task, it closes the
    task. Plans the confirmation and the reminder (where the customer allows them).
    Returns the appointment and the addresses that get no confirmation (no consent)."""
    now = now or timezone.now()
    store = customer.store
    if purpose not in AppointmentPurpose.values:
        raise LoupeError("Pick what the visit is for.", field="purpose")
    associate, starts_at, ends_at = _slot(store=store, associate=associate, day=day, at=at,
                                          minutes=minutes, now=now)
    appointment = _create(fields={
        "store": store, "customer": customer, "associate": associate, "starts_at": starts_at,
        "ends_at": ends_at, "purpose": purpose, "note": note.strip()[:500], "task": task,
        "booked_by": by, "created_at": now, "updated_at": now})
    interaction_add(customer=customer, kind=InteractionKind.NOTE, by=by, at=now,
                    summary=f"Appointment booked: {appointment.get_purpose_display()} on "
                            f"{appointment.when()} with {associate.display_name}")
    if task is not None:
        followups_services.task_done(task=task, by=by,
                                     outcome=f"Booked for {appointment.when()}")
    _, refused = followups_services.appointment_notices_plan(appointment=appointment, now=now)
    log_action(by=by, action="appointments.booked",
               obj=appointment, store=store, at=now,
               data={"associate": associate.pk, "starts_at": starts_at.isoformat()})
    return appointment, refused


# How a new customer booked by phone or email may have found the store (an import is not).
NEW_CUSTOMER_SOURCES = [Source.WALK_IN, Source.WEBSITE, Source.REFERRAL, Source.DRAWING,
                        Source.REPAIR]


@transaction.atomic
def appointment_book_new_customer(*, store, first_name: str, last_name: str, phone: str,
                                  email: str, source: str, notices_agreed: bool, by,
                                  **booking) -> tuple[Appointment, list[str]]:
    """Book someone the store has no profile for yet (they called or wrote): a prospect is
    created through `customer_create` (source, normalising and assignment as everywhere),
    consent to appointment notices is recorded for each address only when they agreed to
    the words shown, and the visit is booked. All or nothing: a refused time creates no
    profile. Someone already on file is refused with their name, to be booked from their
    page rather than twice."""
    if not (phone.strip() or email.strip()):
        raise LoupeError("A phone number or an email is needed to reach them about the "
                         "visit.", field="phone")
    if source not in NEW_CUSTOMER_SOURCES:
        raise LoupeError("Pick how they found us.", field="source")
    known = customer_duplicates(store=store, email=email, phone=phone).first()
    if known is not None:
        raise LoupeError(f"{known.full_name} already has this phone or email: book from "
                         f"their page.", field="phone" if phone.strip() else "email")
    customer = customer_create(store=store, by=by, source=source, first_name=first_name,
                               last_name=last_name, email=email, phone=phone)
    for channel, address in [(Channel.EMAIL, customer.email),
                             (Channel.SMS, str(customer.phone or ""))]:
        if notices_agreed and address:
            consent_record(customer=customer, channel=channel, address=address,
                           purpose=Purpose.REPAIR_NOTICES, granted=True,
                           method=ConsentMethod.STAFF, by=by,
                           words=consent_words(store=store, channel=channel,
                                               purpose=Purpose.REPAIR_NOTICES,
                                               address=address))
    return appointment_book(customer=customer, by=by, **booking)


@transaction.atomic
def appointment_move(*, appointment: Appointment, associate, day: datetime.date,
                     at: datetime.time, minutes: int, by, now=None) -> tuple[Appointment,
                                                                             list[str]]:
    """The store moves a booked visit to another time (or associate), with every check of a
    booking. The old booking is marked moved (its time is free again, what it still had
    planned is held back); the new one carries the visit on, and the customer gets a "moved"
    notice (with the calendar file that updates their entry) and a reminder the day before,
    where their consent allows. Locks the booking, so a double tap moves it once; the second
    is told it already moved. Returns the new booking and the addresses with no notice."""
    now = now or timezone.now()
    old = Appointment.objects.select_for_update().select_related(
        "store", "customer", "associate").get(pk=appointment.pk)
    if old.status == AppointmentStatus.MOVED:
        raise LoupeError("This appointment was already moved: open its new time.")
    if old.status != AppointmentStatus.BOOKED or old.starts_at <= now:
        raise LoupeError("Only a visit still to come can be moved.")
    # Free the old time first, so a move by half an hour does not clash with itself; an
    # error below rolls this back with everything else.
    old.status, old.updated_at = AppointmentStatus.MOVED, now
    old.save(update_fields=["status", "updated_at"])
    store = old.store
    associate, starts_at, ends_at = _slot(store=store, associate=associate, day=day, at=at,
                                          minutes=minutes, now=now)
    if (associate.pk, starts_at, ends_at) == (old.associate_id, old.starts_at, old.ends_at):
        raise LoupeError("That is the time it already has: pick another.", field="time")
    new = _create(fields={
        "store": store, "customer": old.customer, "associate": associate,
        "starts_at": starts_at, "ends_at": ends_at, "purpose": old.purpose, "note": old.note,
        "booked_by": by, "created_at": now, "updated_at": now})
    old.moved_to = new
    old.save(update_fields=["moved_to"])
    followups_services.appointment_notices_withdraw(
        appointment=old, reason=f"The appointment was moved to {new.when()}.", at=now)
    interaction_add(customer=old.customer, kind=InteractionKind.NOTE, by=by, at=now,
                    summary=f"Appointment of {old.when()} moved to {new.when()} with "
                            f"{associate.display_name}")
    _, refused = followups_services.appointment_notices_plan(appointment=new, now=now)
    log_action(by=by, action="appointments.moved", obj=new, store=store, at=now,
               data={"from": old.pk, "associate": associate.pk,
                     "starts_at": starts_at.isoformat()})
    return new, refused


@transaction.atomic
def appointment_cancel(*, appointment: Appointment, by, why: str = "") -> Appointment:
    """Cancel (twice is once): the time is free again, planned messages are held back, and
    the timeline says who cancelled. `by` None is the customer through their link."""
    appointment = Appointment.objects.select_for_update().select_related(
        "store", "customer").get(pk=appointment.pk)
    if appointment.status == AppointmentStatus.CANCELLED:
        return appointment
    if appointment.status != AppointmentStatus.BOOKED:
        raise LoupeError("This appointment has already taken place.")
    now = timezone.now()
    appointment.status, appointment.updated_at = AppointmentStatus.CANCELLED, now
    appointment.save(update_fields=["status", "updated_at"])
    who = "by the customer" if by is None else f"by {by.display_name}"
    followups_services.appointment_notices_withdraw(
        appointment=appointment, reason=f"The appointment was cancelled {who}.", at=now)
    interaction_add(customer=appointment.customer, kind=InteractionKind.NOTE, by=by, at=now,
                    summary=f"Appointment on {appointment.when()} cancelled {who}"
                            + (f": {why}" if why else ""))
    if by is None:
        followups_services.task_create(
            customer=appointment.customer, kind="call", by=None,
            due_on=appointment.store.today(now),
            assignee=appointment.associate if appointment.associate.is_active else None,
            note=f"Cancelled their appointment of {appointment.when()}: call to rebook?")
    log_action(by=by, action="appointments.cancelled",
               obj=appointment, store=appointment.store, at=now)
    return appointment


@transaction.atomic
def appointment_move_request(*, appointment: Appointment, wish: str) -> Appointment:
    """The customer asks, through their link, for another time: their words go to the
    associate as a call to make today (the appointment stays until the associate moves it)."""
    appointment = Appointment.objects.select_for_update().select_related(
        "store", "customer", "associate").get(pk=appointment.pk)
    wish = " ".join(wish.split())[:400]
    if not wish:
        raise LoupeError("Tell us which days or times suit you.", field="wish")
    if appointment.status != AppointmentStatus.BOOKED:
        raise LoupeError("This appointment is no longer booked.")
    if appointment.move_request == wish:
        return appointment  # the same form sent twice
    now = timezone.now()
    appointment.move_request, appointment.updated_at = wish, now
    appointment.save(update_fields=["move_request", "updated_at"])
    followups_services.task_create(
        customer=appointment.customer, kind="call", by=None, due_on=appointment.store.today(now),
        assignee=appointment.associate if appointment.associate.is_active else None,
        note=f"Asks to move {appointment.when()}: {wish}")
    interaction_add(customer=appointment.customer, kind=InteractionKind.REPLY, at=now,
                    summary=f"Asked to move the appointment of {appointment.when()}: {wish}")
    log_action(by=None, action="appointments.move_requested", obj=appointment,
               store=appointment.store, at=now)
    return appointment


@transaction.atomic
def appointment_record(*, appointment: Appointment, status: str, by, outcome: str = "",
                       note: str = "") -> Appointment:
    """After the time: they came (and bought, will return, or not) or did not show. Both go
    on the timeline."""
    appointment = Appointment.objects.select_for_update().select_related(
        "store", "customer").get(pk=appointment.pk)
    now = timezone.now()
    if status not in (AppointmentStatus.DONE, AppointmentStatus.NO_SHOW):
        raise LoupeError("Say whether they came.", field="status")
    if appointment.status == AppointmentStatus.CANCELLED:
        raise LoupeError("This appointment was cancelled.")
    if appointment.starts_at > now:
        raise LoupeError("The appointment has not begun yet.", field="status")
    if status == AppointmentStatus.DONE and outcome not in AppointmentOutcome.values:
        raise LoupeError("Say how it went.", field="outcome")
    appointment.status = status
    appointment.outcome = outcome if status == AppointmentStatus.DONE else ""
    appointment.outcome_note, appointment.updated_at = note.strip()[:500], now
    appointment.save(update_fields=["status", "outcome", "outcome_note", "updated_at"])
    if status == AppointmentStatus.NO_SHOW:
        summary = f"Did not come to the appointment of {appointment.when()}"
        kind = InteractionKind.NOTE
    else:
        summary = (f"Came in for the appointment of {appointment.when()}: "
                   f"{appointment.get_outcome_display().lower()}")
        kind = InteractionKind.VISIT
    interaction_add(customer=appointment.customer, kind=kind, by=by, at=now,
                    summary=f"{summary} ({appointment.outcome_note})"
                    if appointment.outcome_note else summary)
    log_action(by=by, action="appointments.recorded", obj=appointment,
               store=appointment.store, at=now, data={"status": status, "outcome": outcome})
    return appointment


@transaction.atomic
def booking_hours_set(*, store, opens_at: datetime.time, closes_at: datetime.time,
                      closed_weekdays: list[int], by) -> BookingHours:
    if opens_at >= closes_at:
        raise LoupeError("The store must open before it closes.", field="closes_at")
    hours = booking_hours_for(store=store)
    hours.opens_at, hours.closes_at = opens_at, closes_at
    hours.closed_weekdays = sorted({int(d) for d in closed_weekdays if 0 <= int(d) <= 6})
    hours.save(update_fields=["opens_at", "closes_at", "closed_weekdays"])
    log_action(by=by, action="appointments.hours_changed", obj=hours, store=store,
               data={"opens_at": str(opens_at), "closes_at": str(closes_at),
                     "closed_weekdays": hours.closed_weekdays})
    return hours
