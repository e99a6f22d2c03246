"""Who sees what: the manager's dashboard, an associate's own row and goals, the reach-out."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from crm.models import Interaction, InteractionKind
from followups.models import REACH_OUT, CallTask
from followups.services import call_task_done, reach_out_task_create
from insights.models import Goal
from insights.services import goal_set, rollups_refresh
from tests.factories import PASSWORD, AppointmentFactory, CustomerFactory, StaffMemberFactory
from tests.insights.conftest import MOMENT, at, buy, created_by, visit, walk_in

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MOMENT, tick=False)]


@pytest.fixture
def lapsed_client(store, make_customer, salesperson):
    """Lara bought 4,200 in 2024 and has not been seen since January 2025."""
    lara = make_customer(first_name="Lara", last_name="Lapsed", assigned_to=salesperson,
                         lifetime_value=4200)
    visit(lara, at(2025, 1, 10))
    rollups_refresh()
    return lara


def test_a_manager_lands_on_the_dashboard_after_logging_in(client, manager):
    response = client.post(reverse("login"), {"username": "maria", "password": PASSWORD},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("insights:dashboard")
    assert b"Customer base" in response.content
    # The staff page is still one tap away.
    assert reverse("staff:home").encode() in response.content


def test_the_dashboard_lists_a_lapsed_client_with_their_associate(manager_client,
                                                                  lapsed_client):
    response = manager_client.get(reverse("insights:dashboard"))
    lapsed = response.content.decode().split('id="lapsed"')[1].split("</section>")[0]
    assert "Lara Lapsed" in lapsed and "Sally Sales" in lapsed and "$4,200" in lapsed
    assert reverse("insights:reach-out", args=[lapsed_client.pk]) in lapsed


def test_another_stores_figures_never_appear(other_manager_client, lapsed_client, salesperson):
    walk_in(lapsed_client, salesperson, at(2026, 6, 3))
    response = other_manager_client.get(reverse("insights:dashboard"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Lara" not in body and "Sally Sales" not in body
    behind = other_manager_client.get(reverse("insights:customers", args=["lapsed"]))
    assert "Lara" not in behind.content.decode()
    mine = other_manager_client.get(
        reverse("insights:customers", args=["walk_ins"]) + f"?associate={salesperson.pk}")
    assert mine.status_code == 404


def test_service_staff_see_no_dashboard(service_client):
    assert service_client.get(reverse("insights:dashboard")).status_code == 403
    assert service_client.get(reverse("insights:my-year")).status_code == 403


def test_reach_out_gives_the_associate_a_call_due_today_once(manager_client, manager,
                                                            salesperson, lapsed_client):
    url = reverse("insights:reach-out", args=[lapsed_client.pk])
    response = manager_client.post(url, follow=True)
    assert "Sally Sales has a call to reach out to Lara Lapsed today" in \
        response.content.decode()
    manager_client.post(url)  # a second tap
    task = CallTask.objects.get(customer=lapsed_client)
    assert (task.assignee, task.due_on, task.occasion, task.reason) == \
        (salesperson, datetime.date(2026, 6, 15), None, REACH_OUT)
    # Now the dashboard says it was asked, instead of offering it again.
    body = manager_client.get(reverse("insights:dashboard")).content.decode()
    assert "Reach-out asked" in body and url not in body


def test_reach_out_for_an_orphan_goes_to_the_managers_list(manager, lapsed_client):
    lapsed_client.assigned_to = None
    lapsed_client.save()
    task, created = reach_out_task_create(customer=lapsed_client, by=manager)
    assert created and task.assignee is None
    again, created = reach_out_task_create(customer=lapsed_client, by=manager)
    assert again == task and not created


def test_reach_out_is_a_post_for_a_manager_of_the_store(client, sales_client, lapsed_client,
                                                        other_manager):
    url = reverse("insights:reach-out", args=[lapsed_client.pk])
    assert sales_client.post(url).status_code == 403
    client.force_login(other_manager.user)
    assert client.post(url).status_code == 404
    assert not CallTask.objects.exists()


def test_the_reach_out_call_is_on_the_associates_today_and_home(client, salesperson, manager,
                                                                lapsed_client):
    reach_out_task_create(customer=lapsed_client, by=manager)
    client.force_login(salesperson.user)
    for page in ("followups:today", "crm:home"):
        body = client.get(reverse(page)).content.decode()
        assert "Lara Lapsed" in body and REACH_OUT in body, page
    task = CallTask.objects.get()
    call_task_done(task=task, by=salesperson, outcome="Coming in Saturday")
    call = Interaction.objects.get(customer=lapsed_client, kind=InteractionKind.CALL)
    assert call.summary == f"Reached out ({REACH_OUT}): Coming in Saturday"
    assert "Lara Lapsed" not in client.get(reverse("followups:today")).content.decode()


def test_a_salesperson_sees_only_their_own_row_and_goals(client, store, salesperson,
                                                         make_customer):
    tom = StaffMemberFactory(store=store, display_name="Tom Brooks")
    goal_set(associate=tom, year=2026, sales_amount=Decimal(90000), new_profiles=80, by=tom)
    goal_set(associate=salesperson, year=2026, sales_amount=Decimal(50000), new_profiles=40,
             by=salesperson)
    mine = make_customer(first_name="Mina", assigned_to=salesperson)
    theirs = make_customer(first_name="Theo", assigned_to=tom)
    walk_in(mine, salesperson, at(2026, 6, 2))
    walk_in(theirs, tom, at(2026, 6, 2))
    buy(mine, datetime.date(2026, 3, 2), 12500, salesperson)
    created_by(mine, salesperson, at(2026, 2, 1))
    client.force_login(salesperson.user)
    body = client.get(reverse("insights:my-year")).content.decode()
    assert "Sally Sales" in body and "Tom Brooks" not in body
    assert "$12,500 of $50,000" in body and "1 of 40" in body
    assert "90,000" not in body
    # Asking for Tom's figure gives Sally her own.
    behind = client.get(reverse("insights:customers", args=["walk_ins"])
                        + f"?associate={tom.pk}&start=2026-06-01&end=2026-06-15")
    assert "Mina" in behind.content.decode() and "Theo" not in behind.content.decode()
    assert client.get(reverse("insights:customers", args=["lapsed"])).status_code == 404
    assert client.get(reverse("insights:goal-edit", args=[tom.pk])).status_code == 404


def test_goals_are_set_by_a_manager_or_the_associate(client, manager_client, manager,
                                                     salesperson):
    url = reverse("insights:goal-edit", args=[salesperson.pk])
    response = manager_client.post(url, {"year": 2026, "sales_amount": "60000",
                                         "new_profiles": "50"})
    assert response.status_code == 302
    goal = Goal.objects.get(associate=salesperson, year=2026)
    assert (goal.sales_amount, goal.new_profiles, goal.set_by) == (Decimal(60000), 50, manager)
    client.force_login(salesperson.user)
    client.post(url, {"year": 2026, "sales_amount": "65000", "new_profiles": "50"})
    goal.refresh_from_db()
    assert (goal.sales_amount, goal.set_by) == (Decimal(65000), salesperson)
    assert Goal.objects.count() == 1


def test_an_appointments_goal_shows_the_visits_booked_this_year(client, store, salesperson,
                                                                 make_customer):
    client.force_login(salesperson.user)
    url = reverse("insights:goal-edit", args=[salesperson.pk])
    client.post(url, {"year": 2026, "sales_amount": "1000", "new_profiles": "5",
                      "appointments": "24"})
    assert Goal.objects.get(associate=salesperson).appointments == 24
    for n, (start, status) in enumerate([(at(2026, 3, 2, 15), "done"),
                                         (at(2026, 4, 2, 15), "cancelled"),
                                         (at(2025, 12, 2, 15), "done")]):
        AppointmentFactory(customer=make_customer(first_name=f"V{n}"), associate=salesperson,
                           starts_at=start, ends_at=start + datetime.timedelta(hours=1),
                           status=status)
    body = client.get(reverse("insights:my-year")).content.decode()
    assert "1 of 24" in body  # this year's visit; not the cancelled one, not last year's
    refused = client.post(url, {"year": 2026, "sales_amount": "1000", "new_profiles": "5",
                                "appointments": "-1"})
    assert refused.status_code == 200 and 'value="-1"' in refused.content.decode()
    assert Goal.objects.get(associate=salesperson).appointments == 24


def test_a_bad_goal_is_refused_and_what_was_typed_stays(client, salesperson):
    client.force_login(salesperson.user)
    response = client.post(reverse("insights:goal-edit", args=[salesperson.pk]),
                           {"year": 2026, "sales_amount": "-5", "new_profiles": "12"})
    assert response.status_code == 200
    assert 'value="12"' in response.content.decode()
    assert not Goal.objects.exists()


def test_a_bad_period_falls_back_to_this_month_and_says_why(manager_client):
    response = manager_client.get(reverse("insights:dashboard")
                                  + "?start=2026-06-10&end=2026-06-01")
    assert response.status_code == 200
    body = response.content.decode()
    assert "The period must end on or after its first day." in body
    assert "Jun 1, 2026" in body or "June 1, 2026" in body


def test_an_unknown_figure_is_a_404(manager_client):
    assert manager_client.get(reverse("insights:customers", args=["nonsense"])) \
        .status_code == 404


def test_the_store_sets_its_lapse_period_and_target(manager_client, store):
    response = manager_client.post(reverse("staff:store-policy"), {
        "lapsed_after_months": "18", "yearly_growth_target": "120"})
    assert response.status_code == 302
    store.refresh_from_db()
    assert (store.lapsed_after_months, store.yearly_growth_target) == (18, 120)
    refused = manager_client.post(reverse("staff:store-policy"), {
        "lapsed_after_months": "0", "yearly_growth_target": "120"})
    assert refused.status_code == 200
    store.refresh_from_db()
    assert store.lapsed_after_months == 18


def test_an_orphan_in_the_top_30_percent_is_flagged(manager_client, store):
    CustomerFactory(store=store, first_name="Olga", last_name="Orphan", lifetime_value=9000)
    body = manager_client.get(reverse("insights:dashboard")).content.decode()
    top = body.split('id="top-customers"')[1].split("</section>")[0]
    assert "Olga Orphan" in top and "1 has no associate" in top


def test_each_associates_row_shows_their_goal_and_links_their_figures_for_the_period(
        manager_client, manager, store, salesperson, make_customer):
    tom = StaffMemberFactory(store=store, display_name="Tom Brooks")
    goal_set(associate=tom, year=2026, sales_amount=Decimal(90000), new_profiles=80,
             appointments=12, by=manager)
    walk_in(make_customer(first_name="Theo", assigned_to=tom), tom, at(2026, 6, 2))
    body = manager_client.get(reverse("insights:dashboard")
                              + "?start=2026-06-01&end=2026-06-15").content.decode()
    row = body[body.index(f'data-associate="{tom.pk}"'):]
    row = row[:row.index("</tr>")]
    assert "$90,000 · 80 profiles · 12 appointments" in row
    walk_ins = (reverse("insights:customers", args=["walk_ins"])
                + f"?associate={tom.pk}&amp;start=2026-06-01&amp;end=2026-06-15")
    assert f'<a href="{walk_ins}" data-figure="walk_ins">1</a>' in row
    sally = body[body.index(f'data-associate="{salesperson.pk}"'):]
    assert " profiles" not in sally[:sally.index("</tr>")]  # no goal set for her
