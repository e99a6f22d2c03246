"""Booking: no associate twice at once (the service and PostgreSQL's own constraint), store
hours and closed days, the store's clock across daylight saving, and a booking that closes
the task it came from."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from appointments import selectors, services
from appointments.models import Appointment, AppointmentStatus, BookingHours, ClosedDay
from core.errors import LoupeError
from crm.models import Interaction
from staff.roles import Role
from tests.factories import (
    AppointmentFactory,
    CustomerFactory,
    StaffMemberFactory,
    StoreFactory,
    TaskFactory,
)

# Monday Nov 30 2026, 10:00 in Chicago (the test store's clock).
MONDAY_10 = datetime.datetime(2026, 11, 30, 16, tzinfo=datetime.UTC)
WEDNESDAY = datetime.date(2026, 12, 2)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MONDAY_10, tick=False)]


def _book(customer, associate, *, day=WEDNESDAY, at=datetime.time(11), minutes=60, **kw):
    return services.appointment_book(customer=customer, associate=associate, day=day, at=at,
                                     minutes=minutes, purpose=kw.pop("purpose", "bridal"),
                                     by=kw.pop("by", associate), **kw)[0]


@pytest.fixture
def customer(store, salesperson):
    return CustomerFactory(store=store, assigned_to=salesperson, first_name="Nora")


def test_a_booking_is_on_the_stores_clock_and_on_the_timeline(customer, salesperson):
    appointment = _book(customer, salesperson)
    assert appointment.starts_at == datetime.datetime(2026, 12, 2, 17, tzinfo=datetime.UTC)
    assert appointment.minutes == 60
    assert appointment.when() == "Wednesday, December 2 at 11:00 AM"
    assert Interaction.objects.filter(customer=customer, summary__startswith=(
        "Appointment booked: Bridal on Wednesday, December 2 at 11:00 AM")).exists()


def test_an_overlapping_booking_of_the_same_associate_is_refused(store, customer, salesperson):
    _book(customer, salesperson, at=datetime.time(11), minutes=60)
    other = CustomerFactory(store=store, first_name="Omar")
    with pytest.raises(LoupeError, match="already has Nora .* from 11:00 to 12:00"):
        _book(other, salesperson, at=datetime.time(11, 30), minutes=30)
    assert Appointment.objects.count() == 1


def test_back_to_back_and_another_associate_at_the_same_time_are_fine(
        store, customer, salesperson):
    _book(customer, salesperson, at=datetime.time(11), minutes=60)
    _book(CustomerFactory(store=store), salesperson, at=datetime.time(12), minutes=30)
    colleague = StaffMemberFactory(store=store, role=Role.SALESPERSON)
    _book(CustomerFactory(store=store), colleague, at=datetime.time(11), minutes=60)
    assert Appointment.objects.count() == 3


def test_a_cancelled_appointment_frees_the_time(store, customer, salesperson):
    first = _book(customer, salesperson)
    services.appointment_cancel(appointment=first, by=salesperson)
    second = _book(CustomerFactory(store=store), salesperson)
    assert second.status == AppointmentStatus.BOOKED


def test_the_database_refuses_a_double_booking_that_skipped_the_service(customer, salesperson):
    first = _book(customer, salesperson)
    with pytest.raises(IntegrityError, match="appointment_no_double_booking"), \
            transaction.atomic():
        AppointmentFactory(customer=customer, associate=salesperson,
                           starts_at=first.starts_at + datetime.timedelta(minutes=15),
                           ends_at=first.ends_at + datetime.timedelta(minutes=15))


@pytest.mark.parametrize(("day", "at", "minutes", "words"), [
    (WEDNESDAY, datetime.time(9, 30), 60, "between 10:00 and 18:00"),
    (WEDNESDAY, datetime.time(17, 30), 60, "would run 17:30–18:30"),
    (datetime.date(2026, 12, 6), datetime.time(11), 60, "no appointments on Sundays"),
    (datetime.date(2026, 11, 30), datetime.time(10), 30, "has passed"),
    (datetime.date(2026, 11, 27), datetime.time(11), 30, "has passed"),
])
def test_outside_hours_closed_days_and_the_past_are_refused(customer, salesperson, day, at,
                                                            minutes, words):
    with pytest.raises(LoupeError, match=words):
        _book(customer, salesperson, day=day, at=at, minutes=minutes)
    assert not Appointment.objects.exists()


def test_a_holiday_is_closed_and_hours_can_change(store, customer, salesperson):
    ClosedDay.objects.create(store=store, day=WEDNESDAY, reason="Inventory")
    with pytest.raises(LoupeError, match=r"closed on Dec 2 \(Inventory\)"):
        _book(customer, salesperson)
    services.booking_hours_set(store=store, opens_at=datetime.time(8),
                               closes_at=datetime.time(21), closed_weekdays=[],
                               by=salesperson)
    assert _book(customer, salesperson, day=datetime.date(2026, 12, 6),
                 at=datetime.time(20)).minutes == 60


def test_across_the_spring_clock_change_ten_oclock_stays_ten_oclock(
        store, salesperson):
    BookingHours.objects.create(store=store, closed_weekdays=[])
    before = datetime.datetime(2027, 3, 13, 16, tzinfo=datetime.UTC)  # Saturday
    customer = CustomerFactory(store=store, assigned_to=salesperson)
    saturday = _book(customer, salesperson, day=datetime.date(2027, 3, 13),
                     at=datetime.time(10), now=before - datetime.timedelta(days=30))
    sunday = _book(customer, salesperson, day=datetime.date(2027, 3, 14),
                   at=datetime.time(10), now=before - datetime.timedelta(days=30))
    # CST (UTC-6) on Saturday, CDT (UTC-5) from Sunday: 10:00 stays 10:00 on the wall.
    assert saturday.starts_at.astimezone(datetime.UTC).hour == 16
    assert sunday.starts_at.astimezone(datetime.UTC).hour == 15
    assert sunday.local_start.hour == 10


def test_a_time_the_clocks_skip_is_refused(store, salesperson, customer):
    BookingHours.objects.create(store=store, opens_at=datetime.time(0, 0),
                                closes_at=datetime.time(23), closed_weekdays=[])
    with pytest.raises(LoupeError, match="does not exist on Mar 14"):
        _book(customer, salesperson, day=datetime.date(2027, 3, 14), at=datetime.time(2, 30))


def test_the_calendar_day_of_a_clock_change_holds_its_25_hours(store, salesperson, customer):
    BookingHours.objects.create(store=store, opens_at=datetime.time(0, 0),
                                closes_at=datetime.time(23, 59), closed_weekdays=[])
    fall_back = datetime.date(2027, 11, 7)
    late = _book(customer, salesperson, day=fall_back, at=datetime.time(22), minutes=60)
    start, end = selectors.day_bounds(store, fall_back)
    assert end.astimezone(datetime.UTC) - start.astimezone(datetime.UTC) == \
        datetime.timedelta(hours=25)
    [day] = selectors.calendar_days(store=store, first=fall_back, days=1)
    assert day.appointments == [late]
    [next_day] = selectors.calendar_days(store=store, first=datetime.date(2027, 11, 8), days=1)
    assert next_day.appointments == []


def test_an_hour_across_the_autumn_clock_change_lasts_an_hour(store, salesperson, customer):
    BookingHours.objects.create(store=store, opens_at=datetime.time(0, 0),
                                closes_at=datetime.time(23, 59), closed_weekdays=[])
    # 00:30 CDT is 05:30 UTC; two real hours later the clocks say 01:30 CST (07:30 UTC), not
    # the 02:30 that adding two hours to the wall clock would give.
    appointment = _book(customer, salesperson, day=datetime.date(2027, 11, 7),
                        at=datetime.time(0, 30), minutes=120)
    appointment.refresh_from_db()
    assert appointment.starts_at == datetime.datetime(2027, 11, 7, 5, 30, tzinfo=datetime.UTC)
    assert appointment.ends_at == datetime.datetime(2027, 11, 7, 7, 30, tzinfo=datetime.UTC)
    assert appointment.local_end.strftime("%H:%M %Z") == "01:30 CST"


def test_a_store_in_new_york_books_on_its_own_clock(db):
    new_york = StoreFactory(timezone="America/New_York")
    associate = StaffMemberFactory(store=new_york, role=Role.SALESPERSON)
    appointment = _book(CustomerFactory(store=new_york), associate)
    assert appointment.starts_at == datetime.datetime(2026, 12, 2, 16, tzinfo=datetime.UTC)


def test_booking_from_a_task_closes_it(customer, salesperson):
    task = TaskFactory(customer=customer, assignee=salesperson)
    appointment = _book(customer, salesperson, task=task)
    task.refresh_from_db()
    assert task.done_at is not None
    assert task.outcome == "Booked for Wednesday, December 2 at 11:00 AM"
    assert appointment.task == task


def test_an_associate_of_another_store_cannot_be_booked(customer, other_manager):
    with pytest.raises(LoupeError, match="associate of this store"):
        _book(customer, other_manager)


def test_no_shows_and_outcomes_go_on_the_timeline(customer, salesperson):
    appointment = _book(customer, salesperson, day=datetime.date(2026, 12, 1))
    with pytest.raises(LoupeError, match="not begun"):
        services.appointment_record(appointment=appointment, status="no_show", by=salesperson)
    later = datetime.datetime(2026, 12, 1, 18, tzinfo=datetime.UTC)
    import time_machine

    with time_machine.travel(later, tick=False):
        services.appointment_record(appointment=appointment, status="done",
                                    outcome="will_return", note="Loved the halo",
                                    by=salesperson)
        other = _book(customer, salesperson, day=datetime.date(2026, 12, 3))
    with time_machine.travel(datetime.datetime(2026, 12, 3, 18, tzinfo=datetime.UTC),
                             tick=False):
        services.appointment_record(appointment=other, status="no_show", by=salesperson)
    summaries = set(Interaction.objects.filter(customer=customer)
                    .values_list("summary", flat=True))
    assert ("Came in for the appointment of Tuesday, December 1 at 11:00 AM: will return "
            "(Loved the halo)") in summaries
    assert "Did not come to the appointment of Thursday, December 3 at 11:00 AM" in summaries
