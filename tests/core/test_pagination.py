"""A worklist's page and its count come from one query, and they are the pages Django's
paginator gives: every page, a page past the end, a page that is not a number."""

import pytest
from django.core.paginator import Paginator

from core.pagination import OnePassPaginator, counted
from crm.models import Customer
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _shown(page):
    return ([c.pk for c in page], page.number, page.paginator.count,
            page.paginator.num_pages, page.has_next(), page.has_previous())


@pytest.mark.parametrize("rows", [0, 1, 7, 9])
@pytest.mark.parametrize("number", [None, "", "1", "2", "3", "4", "0", "-1", "abc", 2])
def test_one_pass_pages_are_djangos_pages(store, rows, number):
    CustomerFactory.create_batch(rows, store=store)
    customers = Customer.objects.filter(store=store).order_by("first_name", "pk")
    expected = Paginator(customers, 3).get_page(number)
    assert _shown(OnePassPaginator(counted(customers), 3).get_page(number)) == _shown(expected)


def test_a_page_is_one_query(store, django_assert_num_queries):
    CustomerFactory.create_batch(5, store=store)
    customers = counted(Customer.objects.filter(store=store).order_by("pk"))
    with django_assert_num_queries(1):
        page = OnePassPaginator(customers, 2).get_page("2")
        assert (len(page), page.paginator.count, page.paginator.num_pages) == (2, 5, 3)
