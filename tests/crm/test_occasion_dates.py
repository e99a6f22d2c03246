"""One rule for when an occasion falls, used by the model, the FOLLOW-UP list and the planner."""

import datetime

import pytest
from django.urls import reverse, reverse_lazy
from django.utils import timezone

from crm import occasion_dates
from crm.models import Occasion
from followups import planner
from followups.services import messaging_settings_for
from tests.factories import CustomerFactory, OccasionFactory

D = datetime.date


def _dates(days):
    return {(month, day): date for month, day, date in days}


def test_feb_29_falls_on_feb_29_in_a_leap_year_and_on_feb_28_otherwise():
    assert occasion_dates.on_year(2, 29, 2028) == D(2028, 2, 29)
    assert occasion_dates.on_year(2, 29, 2027) == D(2027, 2, 28)
    assert occasion_dates.on_year(2, 28, 2027) == D(2027, 2, 28)
    assert occasion_dates.next_date(2, 29, D(2027, 3, 1)) == D(2028, 2, 29)
    assert occasion_dates.next_date(2, 29, D(2028, 3, 1)) == D(2029, 2, 28)


def test_the_model_answers_with_the_rule():
    leap = Occasion(month=2, day=29)
    assert leap.on_year(2027) == D(2027, 2, 28)
    assert leap.next_date(D(2027, 2, 28)) == D(2027, 2, 28)
    assert leap.next_date(D(2027, 3, 1)) == D(2028, 2, 29)


def test_a_common_years_window_carries_feb_29_on_feb_28():
    days = occasion_dates.window(first=D(2027, 2, 27), last=D(2027, 3, 1))
    assert days == [(2, 27, D(2027, 2, 27)), (2, 28, D(2027, 2, 28)), (2, 29, D(2027, 2, 28)),
                    (3, 1, D(2027, 3, 1))]


def test_a_leap_years_window_has_feb_29_once_on_its_own_day():
    days = occasion_dates.window(first=D(2028, 2, 27), last=D(2028, 3, 1))
    assert days == [(2, 27, D(2028, 2, 27)), (2, 28, D(2028, 2, 28)), (2, 29, D(2028, 2, 29)),
                    (3, 1, D(2028, 3, 1))]


def test_a_window_across_new_year_maps_january_to_the_next_year():
    dates = _dates(occasion_dates.window(first=D(2026, 12, 30), last=D(2027, 1, 2)))
    assert dates == {(12, 30): D(2026, 12, 30), (12, 31): D(2026, 12, 31),
                     (1, 1): D(2027, 1, 1), (1, 2): D(2027, 1, 2)}


def test_the_planners_window_is_the_rules_window_after_today():
    assert planner.window(today=D(2027, 2, 14), lead_days=14) == occasion_dates.window(
        first=D(2027, 2, 15), last=D(2027, 2, 28))
    assert _dates(planner.window(today=D(2026, 12, 31), lead_days=3)) == {
        (1, 1): D(2027, 1, 1), (1, 2): D(2027, 1, 2), (1, 3): D(2027, 1, 3)}


# Anyone's customers: the list defaults to the associate's own, and these have none.
FOLLOW_UP_ANYONE = reverse_lazy("crm:follow-up")


def _follow_up_names(client):
    response = client.get(f"{FOLLOW_UP_ANYONE}?who=anyone")
    return sorted(c.first_name for c in response.context["page"])


@pytest.mark.django_db
@pytest.mark.time_machine(datetime.datetime(2026, 12, 22, 16, 0, tzinfo=datetime.UTC),
                          tick=False)
def test_the_follow_up_list_follows_the_stores_lead_time_across_new_year(sales_client, store):
    visited = timezone.now() - datetime.timedelta(days=40)
    for name, (month, day) in {"Eve": (12, 31), "Jan": (1, 5), "Late": (1, 20)}.items():
        OccasionFactory(customer=CustomerFactory(store=store, first_name=name,
                                                 last_visit_at=visited), month=month, day=day)

    assert _follow_up_names(sales_client) == ["Eve", "Jan"]  # 14 days ahead: through Jan 5

    settings = messaging_settings_for(store=store)
    settings.lead_days = 30
    settings.save(update_fields=["lead_days"])
    response = sales_client.get(f"{FOLLOW_UP_ANYONE}?who=anyone")
    assert sorted(c.first_name for c in response.context["page"]) == ["Eve", "Jan", "Late"]
    assert "next 30 days" in response.content.decode()

    settings.lead_days = 9  # through Dec 31
    settings.save(update_fields=["lead_days"])
    assert _follow_up_names(sales_client) == ["Eve"]


@pytest.mark.django_db
@pytest.mark.time_machine(datetime.datetime(2028, 2, 20, 16, 0, tzinfo=datetime.UTC), tick=False)
def test_in_a_leap_year_the_list_counts_feb_29_as_a_day_of_its_own(
        client, salesperson, store):
    client.force_login(salesperson.user)
    visited = timezone.now() - datetime.timedelta(days=100)
    leap = CustomerFactory(store=store, first_name="Leap", last_visit_at=visited)
    OccasionFactory(customer=leap, month=2, day=29)
    march = CustomerFactory(store=store, first_name="March", last_visit_at=visited)
    OccasionFactory(customer=march, month=3, day=6)  # 15 days ahead in a leap year
    settings = messaging_settings_for(store=store)
    settings.lead_days = 14
    settings.save(update_fields=["lead_days"])

    assert _follow_up_names(client) == ["Leap"]


@pytest.mark.django_db
def test_a_store_without_messaging_settings_uses_the_default_lead_time(sales_client, store):
    from followups.models import MessagingSettings

    MessagingSettings.objects.filter(store=store).delete()
    response = sales_client.get(reverse("crm:follow-up"))

    assert response.status_code == 200
    assert f"next {occasion_dates.DEFAULT_LEAD_DAYS} days" in response.content.decode()
    assert not MessagingSettings.objects.filter(store=store).exists()  # a GET writes nothing
