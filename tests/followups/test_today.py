"""Today, the associate's start page: replies waiting, appointments, tasks due and the day's
occasions, in working order, in a number of queries that does not grow."""

import datetime

import pytest
from django.urls import reverse

from followups.models import TaskKind
from tests.factories import (
    AppointmentFactory,
    CustomerFactory,
    OccasionFactory,
    TaskFactory,
    WishItemFactory,
)

# Monday Nov 30 2026, 10:00 in Chicago (the test store's clock).
MONDAY_10 = datetime.datetime(2026, 11, 30, 16, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 30)
URL = reverse("followups:today")
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MONDAY_10, tick=False)]


def _day(store, salesperson, n):
    for i in range(n):
        customer = CustomerFactory(store=store, assigned_to=salesperson, last_name=f"Row{i}")
        WishItemFactory(customer=customer)
        TaskFactory(customer=customer, kind=TaskKind.REPLY, occasion=None, occurs_on=None,
                    due_on=TODAY, note=f"Question {i}")
        TaskFactory(customer=customer, occasion=None, occurs_on=None, due_on=TODAY,
                    kind=TaskKind.THANK_YOU, note="For the pearls")
        AppointmentFactory(customer=customer, associate=salesperson,
                           starts_at=datetime.datetime(2026, 11, 30, 17 + i % 6, 5 * i,
                                                       tzinfo=datetime.UTC),
                           ends_at=datetime.datetime(2026, 11, 30, 17 + i % 6, 5 * i + 4,
                                                     tzinfo=datetime.UTC))
        OccasionFactory(customer=customer, kind="anniversary", month=11, day=30)


def test_today_is_in_working_order(sales_client, store, salesperson):
    _day(store, salesperson, 1)
    page = sales_client.get(URL).content.decode()
    order = [page.index(words) for words in ("Replies waiting", "Question 0", "To do",
                                             "For the pearls", "Appointments today",
                                             "11:00", "Their day today")]
    assert order == sorted(order)
    assert page.rindex("· Anniversary") > order[-1]  # the occasion, under its heading


@pytest.mark.parametrize("rows", [2, 12])
def test_today_does_not_grow_with_the_day(sales_client, store, salesperson, rows,
                                          django_assert_max_num_queries):
    _day(store, salesperson, rows)
    with django_assert_max_num_queries(16):
        response = sales_client.get(URL)
    assert response.content.decode().count("Question ") == rows


def test_another_associates_day_is_not_shown(sales_client, store, manager):
    customer = CustomerFactory(store=store, assigned_to=manager, last_name="Elsewhere")
    TaskFactory(customer=customer, kind=TaskKind.REPLY, occasion=None, occurs_on=None,
                due_on=TODAY, note="Hello?")
    AppointmentFactory(customer=customer, associate=manager)
    assert "Elsewhere" not in sales_client.get(URL).content.decode()


def test_a_reply_that_needs_no_answer_can_be_ticked_off(sales_client, store, salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson, first_name="Ava")
    waiting = TaskFactory(customer=customer, kind=TaskKind.REPLY, occasion=None,
                          occurs_on=None, due_on=TODAY, note="Thanks!")
    response = sales_client.post(reverse("followups:call-done",
                                         kwargs={"calltask_id": waiting.pk}),
                                 {"outcome": "No answer needed"}, follow=True)
    assert "Reply waiting for Ava" in response.content.decode()
    assert "Nobody is waiting for an answer." in response.content.decode()
