"""Pages cost the same number of queries for 5 customers as for 200, and the floor pages stay
within the query budget (issue 19): who is asking (login, staff member, store, permissions)
is one query and the session comes from the cache, so a floor page makes at most 8."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import ConsentFactory, CustomerFactory, OccasionFactory

pytestmark = pytest.mark.django_db

# The floor's budget, who is asking included; the assertions below hold at 5 and at 200.
FLOOR_BUDGET = 8
LIST_QUERIES = FLOOR_BUDGET
# My clients also shows the associate's calls due today, their replies and their goals.
HOME_QUERIES = FLOOR_BUDGET
# Who is asking, then a name search's stages (crm.search): surnames, first names, and for a
# typo the store's names alike, their customers (twice at most) and those customers' rows.
SEARCH_QUERIES = 7
# Not yet within the budget: every panel of the profile is a query of its own.
PAGE_QUERIES = 14


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
@pytest.mark.parametrize("query", ["Olivia", "Olivai", "1555", "@mail.example"])
def test_search_does_not_grow_with_the_customers(sales_client, store, salesperson,
                                                 django_assert_max_num_queries, rows, query):
    _fill(store, salesperson, rows)
    with django_assert_max_num_queries(SEARCH_QUERIES):
        response = sales_client.get(reverse("crm:search"), {"q": query})
    assert len(response.context["results"]) == min(rows, 20)


@pytest.mark.parametrize("rows", [5, 200])
def test_the_customer_page_does_not_grow_with_their_history(sales_client, store, salesperson,
                                                            django_assert_max_num_queries,
                                                            rows):
    customer = CustomerFactory(store=store, assigned_to=salesperson)
    customer.preferences.set(store.preferences.all()[:3])
    for n in range(rows):
        OccasionFactory(customer=customer, month=1 + n % 12, day=1 + n % 28, kind="other")
        ConsentFactory(customer=customer, recorded_by=salesperson)
        customer.interactions.create(kind="note", summary=f"Note {n}", staff=salesperson,
                                     occurred_at=timezone.now())
        customer.wish_items.create(description=f"Piece {n}", added_by=salesperson)
        customer.purchases.create(store=store, purchased_on=timezone.localdate(), amount=10,
                                  associate=salesperson)
    # The conversation (texts out, texts in), open tasks, saved snippets and appointments
    # are one query each.
    with django_assert_max_num_queries(PAGE_QUERIES + 5):
        response = sales_client.get(reverse("crm:customer", kwargs={"customer_id": customer.pk}))
    assert response.status_code == 200


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
