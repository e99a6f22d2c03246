"""The goal panel's figures, read by SQL compiled once per process, are each associate's own
for the year asked: the same as the queryset read afresh, whoever asked before."""

import datetime
from decimal import Decimal

import pytest

from insights.selectors import Period, _progress_read, goal_progress
from tests.factories import AppointmentFactory, StaffMemberFactory
from tests.insights.conftest import at, buy, created_by

pytestmark = pytest.mark.django_db


def _afresh(store, associate, year) -> dict:
    period = Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    start, end = period.moments(store.tz)
    return _progress_read(store_id=store.pk, associate_id=associate.pk,
                          user_id=associate.user_id, first_day=period.start,
                          last_day=period.end, start=start, end=end).get()


def test_each_associate_and_year_gets_their_own_figures(store, salesperson, make_customer):
    tom = StaffMemberFactory(store=store, display_name="Tom Brooks")
    mine, theirs = make_customer(first_name="Mina"), make_customer(first_name="Theo")
    buy(mine, datetime.date(2026, 3, 2), 12500, salesperson)
    buy(theirs, datetime.date(2026, 4, 2), 700, tom)
    buy(theirs, datetime.date(2025, 4, 2), 300, tom)
    created_by(mine, salesperson, at(2026, 2, 1))
    starts = at(2025, 12, 31, 23)  # the store's last evening of 2025
    AppointmentFactory(customer=theirs, associate=tom, starts_at=starts,
                       ends_at=starts + datetime.timedelta(hours=1), status="done")
    expected = {(salesperson, 2026): (Decimal(12500), 1, 0), (tom, 2026): (Decimal(700), 0, 0),
                (tom, 2025): (Decimal(300), 0, 1), (salesperson, 2025): (Decimal(0), 0, 0)}
    for _ in range(2):
        for (who, year), figures in expected.items():
            progress = goal_progress(store=store, associate=who, year=year)
            assert (progress["sales"], progress["new_profiles"],
                    progress["appointments"]) == figures, (who, year)
            afresh = _afresh(store, who, year)
            assert (afresh["sold"] or Decimal(0), afresh["profiles"],
                    afresh["visits"]) == figures
