"""Each figure of the dashboard on a small data set, with the numbers worked out by hand."""

import datetime
from decimal import Decimal

import pytest

from crm.models import (
    AssignmentReason,
    Channel,
    ConsentMethod,
    Customer,
    Interaction,
    InteractionKind,
    Source,
    WalkIn,
)
from crm.selectors import consent_granted_now
from crm.services import client_assign
from followups.models import MessageStatus
from insights import selectors
from insights.selectors import Period
from insights.services import rollups_refresh
from staff.roles import Role
from tests.factories import (
    AppointmentFactory,
    CallTaskFactory,
    ConsentFactory,
    EnvelopeFactory,
    MessageFactory,
    OccasionFactory,
    StaffMemberFactory,
)
from tests.insights.conftest import MOMENT, TODAY, at, buy, created_by, reply, visit, walk_in

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MOMENT, tick=False)]


@pytest.fixture
def lapsing(store, other_store, make_customer):
    """Lapse period 12 months: the cutoff is June 15, 2025, 00:00 in the store.

    - Ann: last visit Jan 10, 2025 -> lapsed, in January 2026.
    - Ben: last visit Jul 1, 2025 -> not lapsed.
    - Cal: never visited, bought on Jun 15, 2025 (the cutoff day) -> not lapsed.
    - Dee: never visited, bought on Jun 14, 2025 -> lapsed, in June 2026.
    - Eve: visited Mar 1, 2024, replied Dec 1, 2025 -> not lapsed.
    - Fay: new on Jan 5, 2026 from the website, nothing since -> not lapsed, new this year.
    - Gus: another store's, long gone -> never counted.
    """
    ann = make_customer(first_name="Ann", lifetime_value=500)
    visit(ann, at(2025, 1, 10))
    ben = make_customer(first_name="Ben")
    visit(ben, at(2025, 7, 1))
    cal = make_customer(first_name="Cal")
    buy(cal, datetime.date(2025, 6, 15), 100)
    dee = make_customer(first_name="Dee", lifetime_value=900)
    buy(dee, datetime.date(2025, 6, 14), 900)
    eve = make_customer(first_name="Eve")
    visit(eve, at(2024, 3, 1))
    reply(eve, at(2025, 12, 1))
    make_customer(first_name="Fay", created=at(2026, 1, 5), source=Source.WEBSITE)
    make_customer(first_name="Gus", store=other_store)
    store.yearly_growth_target = 10
    store.save()
    rollups_refresh()
    return store


def test_lapsed_customers_are_those_with_nothing_since_the_cutoff(lapsing):
    lapsed = selectors.lapsed_customers(store=lapsing, today=TODAY)
    assert [c.first_name for c in lapsed] == ["Dee", "Ann"]  # most valuable first
    dee, ann = lapsed
    assert dee.last_contact == at(2025, 6, 14, 0, 0)
    assert ann.last_contact == at(2025, 1, 10)


def test_customer_base_counts_new_and_lapsed_per_month_and_this_years_growth(lapsing):
    base = selectors.customer_base(store=lapsing, today=TODAY)
    assert base["customers"] == 6 and base["lapsed_now"] == 2 and base["active"] == 4
    months = {row["month"]: row for row in base["rows"]}
    assert list(months)[0] == datetime.date(2025, 7, 1)
    assert list(months)[-1] == datetime.date(2026, 6, 1)
    assert months[datetime.date(2026, 1, 1)]["new"] == 1
    assert months[datetime.date(2026, 1, 1)]["by_source"] == {Source.WEBSITE: 1}
    assert months[datetime.date(2026, 1, 1)]["lapsed"] == 1  # Ann
    assert months[datetime.date(2026, 6, 1)]["lapsed"] == 1  # Dee
    assert sum(row["lapsed"] for row in base["rows"]) == 2
    assert (base["new_this_year"], base["lapsed_this_year"], base["net_this_year"]) == (1, 2, -1)
    # June 15 is day 166 of 365: 10 * 166 / 365 = 4.5 -> 5 due by now; -1 is behind.
    assert base["target_by_now"] == 5 and not base["on_track"]


def test_the_store_sets_the_lapse_period(lapsing):
    """Six months: the cutoff is Dec 15, 2025; only Fay (new in January) is not lapsed."""
    lapsing.lapsed_after_months = 6
    lapsed = selectors.lapsed_customers(store=lapsing, today=TODAY)
    assert [c.first_name for c in lapsed] == ["Dee", "Ann", "Ben", "Cal", "Eve"]
    lapsing.lapsed_after_months = 18  # Dec 15, 2024: everyone was in touch since
    assert not selectors.lapsed_customers(store=lapsing, today=TODAY).exists()


def test_top_30_percent_share_and_orphans_among_them(store, other_store, make_customer,
                                                     salesperson):
    """Ten buyers of 1000, 900, ..., 100 (5,500 in all): the top 3 (ceil of 30 % of 10)
    bought 2,700, 49.09 % of sales. The 900 one has no associate. Prospects and the other
    store's big buyer do not count."""
    for n, value in enumerate(range(1000, 0, -100)):
        make_customer(first_name=f"B{n}", lifetime_value=value,
                      assigned_to=None if value == 900 else salesperson)
    make_customer(first_name="Prospect", lifetime_value=0)
    make_customer(first_name="Whale", store=other_store, lifetime_value=1_000_000)
    top = selectors.top_customers(store=store)
    assert (top["buyers"], top["count"]) == (10, 3)
    assert top["sales"] == Decimal(5500) and top["top_sales"] == Decimal(2700)
    assert round(top["share"], 2) == Decimal("49.09")
    assert top["orphans"] == 1
    assert [c.first_name for c in top["people"]][:3] == ["B0", "B1", "B2"]
    behind = selectors.customers_behind(store=store, figure="top",
                                        period=Period.month_to_date(TODAY), today=TODAY)
    assert [c.first_name for c in behind] == ["B0", "B1", "B2"]


@pytest.fixture
def june(store, other_store, make_customer, salesperson, service_clerk):
    """June 1 to 15, 2026, for Sally Sales:

    - walk-ins: 4 in June (one more in May): 3 with a phone or email (75 %), 2 with consent
      for reminders on an address they still have (50 %);
    - calls due in June by today: 3 (one done on its day, late in the evening, on time; one
      done the day after, late; one open); one due today and open is not late yet, one due
      Jun 20 is not due yet; one due in May;
    - calls reached in June: 2; voicemails left: 1;
    - sales: 300 + 200 in June (one of 999 in May);
    - new profiles: 2 in June.
    Sam Service took in 2 repairs in June; one email bounced since (50 % work).
    """
    sally = salesperson
    customers = [make_customer(first_name=f"W{n}", assigned_to=sally) for n in range(4)]
    customers[3].email, customers[3].phone = "", ""
    customers[3].save()
    for customer in customers:
        walk_in(customer, sally, at(2026, 6, 3))
    walk_in(make_customer(first_name="May", assigned_to=sally), sally, at(2026, 5, 30))
    ConsentFactory(customer=customers[0])
    ConsentFactory(customer=customers[1], channel=Channel.SMS)
    # Consent for an email they no longer have does not count.
    ConsentFactory(customer=customers[2], address="old.address@mail.example")

    on_time = CallTaskFactory(customer=customers[0], due_on=datetime.date(2026, 6, 5),
                              done_at=at(2026, 6, 5, 22, 30), done_by=sally)
    late = CallTaskFactory(customer=customers[1], due_on=datetime.date(2026, 6, 5),
                           done_at=at(2026, 6, 6, 9), done_by=sally)
    CallTaskFactory(customer=customers[2], due_on=datetime.date(2026, 6, 10))
    CallTaskFactory(customer=customers[0], due_on=TODAY, occurs_on=datetime.date(2026, 7, 10))
    CallTaskFactory(customer=customers[2], due_on=datetime.date(2026, 6, 20),
                    occurs_on=datetime.date(2026, 7, 4))
    CallTaskFactory(customer=customers[3], due_on=datetime.date(2026, 5, 20),
                    occurs_on=datetime.date(2026, 6, 3))
    Interaction.objects.create(customer=customers[2], kind=InteractionKind.CALL, staff=sally,
                               summary="Left voicemail about birthday on Jun 10 (try 1)",
                               occurred_at=at(2026, 6, 9))
    buy(customers[0], datetime.date(2026, 6, 3), 300, sally)
    buy(customers[1], datetime.date(2026, 6, 14), 200, sally)
    buy(customers[1], datetime.date(2026, 5, 31), 999, sally)
    created_by(customers[0], sally, at(2026, 6, 3))
    created_by(customers[1], sally, at(2026, 6, 3))
    created_by(customers[2], sally, at(2026, 5, 3))

    kept = EnvelopeFactory(customer=customers[0], taken_in_by=service_clerk,
                           taken_in_at=at(2026, 6, 2))
    bounced = EnvelopeFactory(customer=customers[1], taken_in_by=service_clerk,
                              taken_in_at=at(2026, 6, 4))
    ConsentFactory(customer=customers[1], address=bounced.email, granted=False,
                   method=ConsentMethod.BOUNCE, created_at=at(2026, 6, 5))
    # Another store's walk-in by a colleague there never shows.
    there = StaffMemberFactory(store=other_store)
    walk_in(make_customer(store=other_store), there, at(2026, 6, 3))
    return {"customers": customers, "on_time": on_time, "late": late, "kept": kept}


def _row(rows, member):
    return next(r for r in rows if r["member"] == member)


def test_per_associate_figures_for_a_period(store, june, salesperson, service_clerk, manager):
    period = Period(datetime.date(2026, 6, 1), TODAY)
    rows = selectors.associate_figures(store=store, period=period, today=TODAY)
    sally = _row(rows, salesperson)
    assert (sally["walk_ins"], sally["reachable"], sally["consent"]) == (4, 3, 2)
    assert (sally["reachable_pct"], sally["consent_pct"]) == (75, 50)
    assert (sally["calls_due"], sally["on_time"], sally["on_time_pct"]) == (3, 1, 33)
    assert (sally["reached"], sally["voicemails"]) == (2, 1)
    assert (sally["sales"], sally["sales_amount"]) == (2, Decimal(500))
    assert sally["new_profiles"] == 2
    sam = _row(rows, service_clerk)
    assert (sam["take_ins"], sam["take_ins_email"], sam["take_ins_email_pct"]) == (2, 1, 50)
    maria = _row(rows, manager)
    assert all(maria[f] == 0 for f in selectors.FIGURES)
    assert {r["member"].store_id for r in rows} == {store.pk}


def test_the_customers_behind_each_figure(store, june, salesperson):
    period = Period(datetime.date(2026, 6, 1), TODAY)
    c = june["customers"]

    def behind(figure):
        found = selectors.customers_behind(store=store, figure=figure, period=period,
                                           today=TODAY, associate=salesperson)
        return {x.first_name for x in found}

    assert behind("walk_ins") == {"W0", "W1", "W2", "W3"}
    assert behind("reachable") == {"W0", "W1", "W2"}
    assert behind("consent") == {"W0", "W1"}
    assert behind("calls_due") == {"W0", "W1", "W2"}
    assert behind("on_time") == {c[0].first_name}
    assert behind("reached") == {"W0", "W1"}
    assert behind("voicemails") == {"W2"}
    assert behind("sales") == {"W0", "W1"}
    assert behind("new_profiles") == {"W0", "W1"}
    assert selectors.customers_behind(store=store, figure="lapsed", period=period,
                                      today=TODAY, associate=salesperson) is None
    assert selectors.customers_behind(store=store, figure="nonsense", period=period,
                                      today=TODAY) is None


def test_appointments_per_associate_count_the_visits_that_hold_their_time(
        store, make_customer, salesperson, manager):
    """In June: Sally has a visit done, a no-show and one still booked (3), one cancelled and
    one moved (not visits: the move's new booking is the visit); a visit in May and Maria's
    visit are not Sally's June figure."""
    june = [(at(2026, 6, 2, 15), "done"), (at(2026, 6, 3, 15), "no_show"),
            (at(2026, 6, 15, 15), "booked"), (at(2026, 6, 4, 15), "cancelled"),
            (at(2026, 6, 5, 15), "moved"), (at(2026, 5, 28, 15), "done")]
    people = [make_customer(first_name=f"A{n}") for n in range(len(june))]
    for person, (start, status) in zip(people, june, strict=True):
        AppointmentFactory(customer=person, associate=salesperson, starts_at=start,
                           ends_at=start + datetime.timedelta(hours=1), status=status)
    AppointmentFactory(customer=people[0], associate=manager, starts_at=at(2026, 6, 9, 15),
                       ends_at=at(2026, 6, 9, 16), status="done")
    period = Period(datetime.date(2026, 6, 1), TODAY)
    rows = selectors.associate_figures(store=store, period=period, today=TODAY)
    assert (_row(rows, salesperson)["appointments"], _row(rows, manager)["appointments"]) \
        == (3, 1)
    found = selectors.customers_behind(store=store, figure="appointments", period=period,
                                       today=TODAY, associate=salesperson)
    assert {c.first_name for c in found} == {"A0", "A1", "A2"}


@pytest.fixture
def april_reminders(store, make_customer, salesperson):
    """Reminders due in April 2026, counted per message:

    - planned 5: one suppressed (held back), one still planned, three sent;
    - of the three sent, two delivered;
    - replied within 30 days: one (a reply 5 days after sending);
    - came back within 30 days: one (a visit 10 days after); one visited 40 days after (no);
    - a sign-up's confirmation and a repair notice are not reminders.
    """
    people = [make_customer(first_name=f"R{n}", assigned_to=salesperson) for n in range(5)]
    sent_at = at(2026, 4, 2, 10)
    due = at(2026, 4, 2, 9)
    MessageFactory(customer=people[0], due_at=due, status=MessageStatus.SUPPRESSED,
                   reason="No consent.")
    MessageFactory(customer=people[1], due_at=at(2026, 4, 30, 9))
    MessageFactory(customer=people[2], due_at=due, status=MessageStatus.DELIVERED,
                   sent_at=sent_at)
    MessageFactory(customer=people[3], due_at=due, status=MessageStatus.DELIVERED,
                   sent_at=sent_at)
    MessageFactory(customer=people[4], due_at=due, status=MessageStatus.SENT, sent_at=sent_at)
    MessageFactory(customer=people[4], due_at=at(2026, 3, 31, 9), status=MessageStatus.SENT,
                   sent_at=at(2026, 3, 31, 10), occurs_on=datetime.date(2026, 4, 14))
    reply(people[2], at(2026, 4, 7))
    Interaction.objects.create(customer=people[3], kind=InteractionKind.VISIT, summary="In",
                               occurred_at=at(2026, 4, 12))
    Interaction.objects.create(customer=people[4], kind=InteractionKind.VISIT, summary="In",
                               occurred_at=at(2026, 5, 12))
    MessageFactory(customer=people[2], due_at=due, purpose="repairs", kind="repair_ready",
                   occasion=None, occurs_on=None, status=MessageStatus.SENT, sent_at=sent_at)
    return people


def test_follow_up_funnel(store, april_reminders):
    funnel = selectors.follow_up_funnel(
        store=store, period=Period(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30)))
    counts = {s["stage"]: s["n"] for s in funnel["stages"]}
    assert counts == {"planned": 5, "sent": 3, "delivered": 2, "replied": 1, "came_back": 1}
    assert funnel["held_back"] == 1
    assert {s["stage"]: s["pct"] for s in funnel["stages"]}["sent"] == 60


def test_a_purchase_within_30_days_also_counts_as_coming_back(store, april_reminders):
    buy(april_reminders[4], datetime.date(2026, 5, 1), 250)
    funnel = selectors.follow_up_funnel(
        store=store, period=Period(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30)))
    assert {s["stage"]: s["n"] for s in funnel["stages"]}["came_back"] == 2
    behind = selectors.customers_behind(
        store=store, figure="funnel_came_back",
        period=Period(datetime.date(2026, 4, 1), datetime.date(2026, 4, 30)), today=TODAY)
    assert {c.first_name for c in behind} == {"R3", "R4"}


def test_orphans_over_time_follow_the_assignment_history(store, make_customer, salesperson):
    """Xena was Dana's from Jan 2025; Dana left on Mar 10, 2026, so Xena is an orphan at the
    end of March on. Yuri has no history and no associate: an orphan in every month. Zoe was
    Sally's until Feb 1, 2026, then nobody's (history with no open row), then Sally's again
    on May 20, 2026."""
    from staff.services import staff_member_depart

    dana = StaffMemberFactory(store=store, role=Role.SALESPERSON)
    xena = make_customer(first_name="Xena", assigned_to=None)
    client_assign(customer=xena, associate=dana, reason=AssignmentReason.WALK_IN,
                  at=at(2025, 1, 2))
    make_customer(first_name="Yuri", assigned_to=None)
    zoe = make_customer(first_name="Zoe", assigned_to=None)
    client_assign(customer=zoe, associate=salesperson, reason=AssignmentReason.WALK_IN,
                  at=at(2025, 1, 2))
    zoe.assignments.update(ended_at=at(2026, 2, 1))
    type(zoe).objects.filter(pk=zoe.pk).update(assigned_to=None)
    client_assign(customer=zoe, associate=salesperson, reason=AssignmentReason.REASSIGNMENT,
                  at=at(2026, 5, 20))
    staff_member_depart(member=dana, departed_on=datetime.date(2026, 3, 10),
                        by=salesperson)
    counted = selectors.orphans_over_time(store=store, today=TODAY)
    rollups_refresh()
    kept = selectors.orphans_over_time(store=store, today=TODAY)
    assert kept == counted  # the roll-up keeps what a recount finds
    orphans = kept
    by_month = {p["month"]: p["n"] for p in orphans["points"]}
    assert by_month[datetime.date(2025, 7, 1)] == 1  # Yuri
    assert by_month[datetime.date(2026, 1, 1)] == 1
    assert by_month[datetime.date(2026, 2, 1)] == 2  # Yuri, Zoe
    assert by_month[datetime.date(2026, 3, 1)] == 3  # and Xena
    assert by_month[datetime.date(2026, 5, 1)] == 2  # Zoe is Sally's again
    assert orphans["now"] == 2


def test_the_dashboard_costs_the_same_queries_with_ten_times_the_data(
        store, manager_client, make_customer, salesperson, django_assert_max_num_queries):
    def grow(n):
        for k in range(n):
            customer = make_customer(first_name=f"G{n}-{k}", assigned_to=salesperson,
                                     lifetime_value=100 * (k + 1))
            visit(customer, at(2025, 1, 1 + k % 28))
            OccasionFactory(customer=customer, month=1 + k % 12, day=10)
            if k % 2:  # the others have lapsed
                walk_in(customer, salesperson, at(2026, 6, 1 + k % 14))
                buy(customer, datetime.date(2026, 6, 1 + k % 14), 50, salesperson)
            CallTaskFactory(customer=customer, due_on=datetime.date(2026, 6, 1 + k % 14))
            MessageFactory(customer=customer, due_at=at(2026, 6, 2), status=MessageStatus.SENT,
                           sent_at=at(2026, 6, 2))

    grow(3)
    with django_assert_max_num_queries(QUERIES):  # before the first roll-up
        assert manager_client.get("/dashboard/").status_code == 200
    grow(30)
    rollups_refresh()
    with django_assert_max_num_queries(QUERIES):
        response = manager_client.get("/dashboard/")
    assert response.status_code == 200
    assert b"G30-29" in response.content  # the most valuable client leads the top 30 %
    assert b"G30-28" in response.content  # the most valuable lapsed one leads that list


# Session, user, staff member, 2 for permissions; 4 for the customer base (the roll-up's
# time among them), 2 for orphans (5 before the roll-up reaches last month), 3 for the lapsed
# list (its occasions, its open reach-outs), 1 for goals, 3 for the top 30 % (the kept
# buyers, the top's figures, its first ten), 9 for the per-associate table, 1 for the funnel.
QUERIES = 32


def test_consent_read_on_the_walk_ins_customer_is_crms_rule_customer_by_customer(store, june):
    """The per-associate table checks consent on the customer each walk-in is joined to; it
    finds the walk-ins a look-up of each customer under crm's rule finds (W0 and W1 of June,
    not W2 whose consent is for an old address, nor W3 without any)."""
    walk_ins = WalkIn.objects.filter(customer__store=store)
    joined = set(walk_ins.filter(consent_granted_now(customer="customer__"))
                 .values_list("customer__first_name", flat=True))
    consenting = Customer.objects.filter(consent_granted_now())
    looked_up = {w.customer.first_name for w in walk_ins.select_related("customer")
                 if consenting.filter(pk=w.customer_id).exists()}
    assert joined == looked_up == {"W0", "W1"}
