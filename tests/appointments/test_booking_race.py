"""Two associates' tablets booking the same associate for the same hour at the same moment."""

import datetime
import threading

import pytest
from django.db import connection

from appointments.models import Appointment
from appointments.services import appointment_book
from core.errors import LoupeError
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_bookings_racing_for_one_hour_book_one(store, salesperson, manager):
    day = store.today() + datetime.timedelta(days=2)
    day += datetime.timedelta(days=1) if day.weekday() == 6 else datetime.timedelta()
    customers = [CustomerFactory(store=store), CustomerFactory(store=store)]
    start = threading.Barrier(2)
    booked, refused, errors = [], [], []

    def book(customer):
        try:
            start.wait()
            booked.append(appointment_book(customer=customer, associate=salesperson, day=day,
                                           at=datetime.time(14), minutes=60, purpose="bridal",
                                           by=manager)[0])
        except LoupeError as error:
            refused.append(error.message)
        except Exception as exc:  # noqa: BLE001 - the assertion below reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(c,)) for c in customers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    assert len(booked) == 1 and len(refused) == 1
    assert "already has" in refused[0]
    assert Appointment.objects.count() == 1
