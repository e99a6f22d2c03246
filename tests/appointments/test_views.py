"""The booking, appointment and calendar pages: bad input keeps what was typed, another store's
appointment is a 404, a GET writes nothing."""

import datetime

import pytest
from django.urls import reverse

from appointments.models import Appointment, AppointmentStatus, BookingHours
from followups.models import Task
from tests.factories import AppointmentFactory, CustomerFactory, TaskFactory

# Monday Nov 30 2026, 10:00 in Chicago (the test store's clock).
MONDAY_10 = datetime.datetime(2026, 11, 30, 16, tzinfo=datetime.UTC)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MONDAY_10, tick=False)]


def _form(associate, **fields):
    return {"associate": associate.pk, "day": "2026-12-02", "time": "11:00", "minutes": "60",
            "purpose": "bridal", "note": "Halo settings", **fields}


def test_booking_from_a_task_closes_it_and_shows_the_day(sales_client, store, salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson, first_name="Nora",
                               last_name="Lee")
    task = TaskFactory(customer=customer, assignee=salesperson)
    url = reverse("appointments:book", kwargs={"customer_id": customer.pk})
    assert sales_client.get(f"{url}?task={task.pk}").status_code == 200
    assert not Appointment.objects.exists()  # a GET writes nothing
    response = sales_client.post(f"{url}?task={task.pk}", _form(salesperson), follow=True)
    page = response.content.decode()
    assert "Nora Lee is booked on Wednesday, December 2 at 11:00 AM" in page
    assert "11:00–12:00" in page
    task.refresh_from_db()
    assert task.done_at is not None


def test_a_clash_keeps_what_was_typed_with_the_reason(sales_client, store, salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson)
    AppointmentFactory(customer=CustomerFactory(store=store, first_name="Omar"),
                       associate=salesperson,
                       starts_at=datetime.datetime(2026, 12, 2, 17, 30, tzinfo=datetime.UTC),
                       ends_at=datetime.datetime(2026, 12, 2, 18, 30, tzinfo=datetime.UTC))
    url = reverse("appointments:book", kwargs={"customer_id": customer.pk})
    response = sales_client.post(url, _form(salesperson))
    page = response.content.decode()
    assert response.status_code == 200
    assert "already has Omar" in page and "Halo settings" in page
    assert Appointment.objects.count() == 1


def test_a_bad_date_is_a_form_error_not_a_500(sales_client, store, salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson)
    url = reverse("appointments:book", kwargs={"customer_id": customer.pk})
    response = sales_client.post(url, _form(salesperson, day="2026-02-31"))
    assert response.status_code == 200
    assert not Appointment.objects.exists()


def test_a_task_of_another_customer_is_ignored(sales_client, store, salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson)
    others = TaskFactory(customer=CustomerFactory(store=store, assigned_to=salesperson),
                         assignee=salesperson)
    url = reverse("appointments:book", kwargs={"customer_id": customer.pk})
    sales_client.post(f"{url}?task={others.pk}", _form(salesperson))
    assert Appointment.objects.get().task is None
    assert Task.objects.get(pk=others.pk).done_at is None


def test_another_stores_manager_gets_404_and_changes_nothing(other_manager_client, store,
                                                            salesperson):
    appointment = AppointmentFactory(customer=CustomerFactory(store=store),
                                     associate=salesperson)
    for name in ("appointments:appointment", "appointments:record"):
        url = reverse(name, kwargs={"appointment_id": appointment.pk})
        assert other_manager_client.get(url).status_code == 404
    url = reverse("appointments:cancel", kwargs={"appointment_id": appointment.pk})
    assert other_manager_client.post(url).status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_the_calendar_narrows_to_one_associate(sales_client, store, salesperson, manager):
    AppointmentFactory(customer=CustomerFactory(store=store, last_name="Mine"),
                       associate=salesperson)
    AppointmentFactory(customer=CustomerFactory(store=store, last_name="Theirs"),
                       associate=manager)
    url = reverse("appointments:week")
    whole = sales_client.get(url).content.decode()
    assert "Mine" in whole and "Theirs" in whole
    mine = sales_client.get(url, {"associate": salesperson.pk}).content.decode()
    assert "Mine" in mine and "Theirs" not in mine
    assert sales_client.get(reverse("appointments:calendar"),
                            {"day": "not-a-day", "associate": "x"}).status_code == 200


@pytest.mark.parametrize("rows", [2, 20])
def test_the_week_does_not_grow_with_its_appointments(sales_client, store, salesperson, rows,
                                                      django_assert_max_num_queries):
    for n in range(rows):
        start = datetime.datetime(2026, 12, 1 + n % 5, 16 + n // 5, tzinfo=datetime.UTC)
        AppointmentFactory(customer=CustomerFactory(store=store), associate=salesperson,
                           starts_at=start, ends_at=start + datetime.timedelta(minutes=50))
    with django_assert_max_num_queries(12):
        response = sales_client.get(reverse("appointments:week"))
    assert response.content.decode().count("calendar-chip") == rows


def test_a_manager_sets_the_booking_hours_and_a_bad_order_is_refused(manager_client, store):
    url = reverse("appointments:hours")
    response = manager_client.post(url, {"opens_at": "18:00", "closes_at": "09:00"})
    assert "open before it closes" in response.content.decode()
    assert not BookingHours.objects.exists()
    manager_client.post(url, {"opens_at": "09:00", "closes_at": "19:00",
                              "closed_weekdays": ["0", "6"]})
    hours = BookingHours.objects.get(store=store)
    assert (hours.opens_at, hours.closes_at, hours.closed_weekdays) == (
        datetime.time(9), datetime.time(19), [0, 6])
