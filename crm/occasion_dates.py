"""The one rule for when a yearly occasion falls: Feb 29 falls on Feb 28 in a common year.

Every caller uses it: the model (`Occasion.on_year`, `Occasion.next_date`), the FOLLOW-UP list
(`crm.selectors.customers_follow_up`) and the planner's SQL (`followups.planner`), which joins
occasions on the (month, day) pairs of `window()`. A window is built from real calendar dates,
so one that crosses New Year's needs nothing special.
"""

import calendar
import datetime
from typing import NamedTuple

# How many days ahead of an occasion its reminder goes out, unless the store says otherwise
# (followups.MessagingSettings.lead_days; its default is this).
DEFAULT_LEAD_DAYS = 14


def on_year(month: int, day: int, year: int) -> datetime.date:
    """The date an occasion on (month, day) falls on in `year`."""
    if (month, day) == (2, 29) and not calendar.isleap(year):
        day = 28
    return datetime.date(year, month, day)


def next_date(month: int, day: int, today: datetime.date) -> datetime.date:
    """The next time an occasion on (month, day) falls, on or after `today`."""
    this_year = on_year(month, day, today.year)
    return this_year if this_year >= today else on_year(month, day, today.year + 1)


class OccasionDay(NamedTuple):
    """An occasion stored as (month, day) falls on `date`."""

    month: int
    day: int
    date: datetime.date


def window(*, first: datetime.date, last: datetime.date) -> list[OccasionDay]:
    """Every (month, day) an occasion may be stored with that falls between `first` and `last`
    (both included), each with the date it falls on: Feb 28 of a common year carries Feb 29
    as well."""
    days = []
    date = first
    while date <= last:
        days.append(OccasionDay(date.month, date.day, date))
        if (date.month, date.day) != (2, 29) and on_year(2, 29, date.year) == date:
            days.append(OccasionDay(2, 29, date))
        date += datetime.timedelta(days=1)
    return days


def keyed(days: list[OccasionDay]) -> tuple[list[int], list[datetime.date]]:
    """A window as two lists for SQL, in its order: each (month, day) as month * 100 + day,
    and the date it falls on."""
    return [day.month * 100 + day.day for day in days], [day.date for day in days]
