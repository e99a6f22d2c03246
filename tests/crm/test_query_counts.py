"""Pages cost the same number of queries for 5 customers as for 200, and the floor pages stay
within the query budget (issue 19): who is asking (login, staff member, store, permissions)
is one query and the session comes from the cache, so a floor page makes at most 8."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from crm.models import Assignment, Channel, InteractionKind, PiecePhoto
from followups.models import Snippet
from tests.factories import (
    AppointmentFactory,
    ConsentFactory,
    CustomerFactory,
    EnvelopeFactory,
    MessageFactory,
    OccasionFactory,
    TaskFactory,
)

pytestmark = pytest.mark.django_db

# The floor's budget, who is asking included; the assertions below hold at 5 and at 200.
FLOOR_BUDGET = 8
LIST_QUERIES = FLOOR_BUDGET
# My clients also shows the associate's calls due today, their replies and their goals.
HOME_QUERIES = FLOOR_BUDGET
# Who is asking, then a name search's stages (crm.search): surnames, first names, and for a
# typo the store's names alike, their customers (twice at most) and those customers' rows.
SEARCH_QUERIES = 7
# The customer page: who is asking; the profile with its lists and every room's panel
# (assignments, appointments, repairs, follow-ups) in one query.
PAGE_QUERIES = 2


def _fill(store, salesperson, n):
    now = timezone.now()
    customers = CustomerFactory.create_batch(n, store=store, first_name="Olivia",
                                             assigned_to=salesperson, last_visit_at=now)
    preference = store.preferences.first()
    for customer in customers:
        customer.preferences.add(preference)
        OccasionFactory(customer=customer)
    return customers


def _queries(client, url, params=None):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


@pytest.mark.parametrize("rows", [5, 200])
@pytest.mark.parametrize("name", ["crm:customers", "crm:here", "crm:follow-up", "crm:home"])
def test_customer_lists_do_not_grow_with_the_customers(sales_client, store, salesperson,
                                                       django_assert_max_num_queries,
                                                       rows, name):
    _fill(store, salesperson, rows)
    with django_assert_max_num_queries(HOME_QUERIES if name == "crm:home" else LIST_QUERIES):
        response = sales_client.get(reverse(name), {"name": "Oli"} if name != "crm:home" else {})
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [5, 200])
@pytest.mark.parametrize("query", ["Olivia", "Olivia Olivia", "Olivai", "1555", "@mail.example"])
def test_search_does_not_grow_with_the_customers(sales_client, store, salesperson,
                                                 django_assert_max_num_queries, rows, query):
    _fill(store, salesperson, rows)
    with django_assert_max_num_queries(SEARCH_QUERIES):
        response = sales_client.get(reverse("crm:search"), {"q": query})
    assert len(response.context["results"]) == min(rows, 20)


def _history(customer, store, salesperson, rows):
    """`rows` of everything the page lists, so a query per row would show."""
    now = timezone.now()
    for n in range(rows):
        OccasionFactory(customer=customer, month=1 + n % 12, day=1 + n % 28, kind="other")
        ConsentFactory(customer=customer, recorded_by=salesperson, channel=Channel.SMS,
                       address=str(customer.phone))
        customer.interactions.create(kind="note", summary=f"Note {n}", staff=salesperson,
                                     occurred_at=now)
        customer.interactions.create(kind=InteractionKind.REPLY, summary=f"Yes {n}",
                                     occurred_at=now)
        wish = customer.wish_items.create(description=f"Piece {n}", added_by=salesperson)
        bought = customer.purchases.create(store=store, purchased_on=timezone.localdate(),
                                           amount=10, associate=salesperson)
        for piece in ({"wish_item": wish}, {"purchase": bought}):
            PiecePhoto.objects.create(store=store, customer=customer, image=f"p/{n}.jpg",
                                      width=4, height=3, taken_by=salesperson, created_at=now,
                                      **piece)
        TaskFactory(customer=customer, occasion=None, occurs_on=None, kind="call",
                    note=f"Call {n}")
        MessageFactory(customer=customer, occasion=None, occurs_on=None, written_by=salesperson)
        AppointmentFactory(customer=customer, associate=salesperson,
                           starts_at=now + datetime.timedelta(days=1 + n))
        EnvelopeFactory(customer=customer, taken_in_by=salesperson)
        Assignment.objects.create(customer=customer, associate=salesperson, set_by=salesperson,
                                  started_at=now - datetime.timedelta(days=n + 1),
                                  ended_at=now - datetime.timedelta(days=n))
        Snippet.objects.create(store=store, title=f"Open {n}", body="Until 6 today")


@pytest.mark.parametrize("rows", [5, 60])
def test_the_customer_page_does_not_grow_with_their_history(sales_client, store, salesperson,
                                                            django_assert_max_num_queries,
                                                            rows):
    customer = CustomerFactory(store=store, assigned_to=salesperson)
    customer.preferences.set(store.preferences.all()[:3])
    _history(customer, store, salesperson, rows)
    with django_assert_max_num_queries(PAGE_QUERIES):
        response = sales_client.get(reverse("crm:customer", kwargs={"customer_id": customer.pk}))
    assert response.status_code == 200
    assert PAGE_QUERIES <= FLOOR_BUDGET
    page = response.content.decode()
    assert f"Piece {rows - 1}" in page and f"Call {rows - 1}" in page


def test_who_is_asking_is_one_query(sales_client, django_assert_num_queries):
    """The walk-in form reads nothing but who is asking and the store's preference list."""
    with django_assert_num_queries(2):
        assert sales_client.get(reverse("crm:walk-in")).status_code == 200


def test_a_revoked_permission_shows_on_the_next_request(sales_client, salesperson):
    """Nothing about who is asking is kept between requests."""
    assert sales_client.get(reverse("crm:walk-in")).status_code == 200
    salesperson.user.groups.clear()
    assert sales_client.get(reverse("crm:walk-in")).status_code == 403


def test_a_departure_shows_on_the_next_request(sales_client, salesperson, store):
    assert sales_client.get(reverse("crm:home")).status_code == 200
    salesperson.departed_on = store.today()
    salesperson.save(update_fields=["departed_on"])
    assert sales_client.get(reverse("crm:home")).status_code == 403
