"""The lists' short dates are what Django's date filter writes, every month, any day."""

import datetime

import pytest
from django.template.defaultfilters import date
from django.utils import translation

from core.days import month_day


@pytest.mark.parametrize("month", range(1, 13))
def test_a_short_date_is_djangos(month):
    for day in (1, 9, 28):
        when = datetime.date(2027, month, day)
        assert month_day(when) == date(when, "M j")
        assert month_day(when, year=True) == date(when, "M j, Y")
    moment = datetime.datetime(987, month, 3, 23, 59, tzinfo=datetime.UTC)
    assert month_day(moment, year=True) == date(moment, "M j, Y")


def test_a_short_date_speaks_the_active_language():
    when = datetime.date(2026, 5, 4)
    with translation.override("de"):
        assert month_day(when) == date(when, "M j")
