"""The demo store's dashboard has something to show."""

import datetime

import pytest

from insights import selectors
from insights.models import Goal
from sampledata.demo import load_demo

# December 1st: a month of the chart just begun, where the captures used to fall short.
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(
    datetime.datetime(2026, 12, 1, 14, 0, tzinfo=datetime.UTC), tick=True)]


def test_the_demo_dashboard_has_customers_over_the_year_lapsed_clients_and_goals():
    store = load_demo(customers=80)
    today = store.today()
    base = selectors.customer_base(store=store, today=today)
    months_with_new = [row for row in base["rows"] if row["new"]]
    assert len(months_with_new) >= 6
    assert base["lapsed_now"] > 0
    assert store.yearly_growth_target == 60
    assert Goal.objects.filter(store=store, year=today.year).count() == 2
    # Nobody was captured after their first visit or their first associate.
    for customer in store.customers.prefetch_related("assignments"):
        if customer.last_visit_at:
            assert customer.created_at <= customer.last_visit_at
        for assignment in customer.assignments.all():
            assert customer.created_at <= assignment.started_at
