"""HERE, FOLLOW-UP and POTENTIAL are the associate's own worklists: each row says why and when,
what is due first at the top, and anyone's customers are one tap away."""

import datetime
import uuid
import zoneinfo

import pytest
from django.urls import reverse

from crm import worklists
from crm.models import Channel, OccasionKind, Source, WalkIn
from tests.factories import ConsentFactory, CustomerFactory, OccasionFactory, StaffMemberFactory

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
# Monday, Nov 30, 2026, 10:00 in the store (Chicago); reminders go 14 days ahead.
NOW = datetime.datetime(2026, 11, 30, 10, 0, tzinfo=CHICAGO)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]


def on(month, day, hour=15):
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=CHICAGO)


# (first name, last visit, occasion (kind, month, day) or None, consent channel or None,
#  why the row is there). The table is in the order the list must show: dates in the next
# two weeks soonest first, then those who asked to hear from us, the latest visit first.
FOLLOW_UP_CASES = [
    ("Pia", on(9, 1), (OccasionKind.PARTNER_BIRTHDAY, 11, 30), None,
     "Partner's birthday on Nov 30 (today)"),
    ("Bea", on(10, 5), (OccasionKind.BIRTHDAY, 12, 1), Channel.EMAIL,
     "Birthday on Dec 1 (tomorrow)"),
    ("Ann", on(11, 1), (OccasionKind.ANNIVERSARY, 12, 14), None,
     "Anniversary on Dec 14 (in 14 days)"),
    ("Eli", on(11, 25), None, Channel.EMAIL, "Visited Nov 25 and asked for reminders by email"),
    ("Cal", on(11, 20), None, Channel.PHONE, "Visited Nov 20 and asked for a call"),
    ("Dot", on(11, 10), (OccasionKind.BIRTHDAY, 12, 20), Channel.EMAIL,
     "Visited Nov 10 and asked for reminders by email"),
    ("Tex", on(10, 2), None, Channel.SMS, "Visited Oct 2 and asked for reminders by text"),
]


@pytest.fixture
def follow_ups(store, salesperson):
    for name, visited, occasion, channel, _why in FOLLOW_UP_CASES:
        customer = CustomerFactory(store=store, first_name=name, assigned_to=salesperson,
                                   last_visit_at=visited)
        if occasion:
            kind, month, day = occasion
            OccasionFactory(customer=customer, kind=kind, month=month, day=day)
        if channel:
            ConsentFactory(customer=customer, channel=channel, created_at=visited)
    tom = StaffMemberFactory(store=store, display_name="Tom Brooks")
    toms = CustomerFactory(store=store, first_name="Tia", assigned_to=tom,
                           last_visit_at=on(11, 2))
    OccasionFactory(customer=toms, month=12, day=3)
    # Never visited: not a follow-up, whatever their date.
    OccasionFactory(customer=CustomerFactory(store=store, first_name="Nev",
                                             assigned_to=salesperson), month=12, day=1)


def _rows(client, url_name, **params):
    page = client.get(reverse(url_name), params).context["page"]
    return [(c.first_name, c.why.text) for c in page]


def test_follow_up_says_why_and_puts_what_is_due_first(sales_client, follow_ups):
    assert _rows(sales_client, "crm:follow-up") == [(name, why) for name, *_, why
                                                      in FOLLOW_UP_CASES]


def test_anyones_follow_ups_are_one_tap_away(sales_client, follow_ups):
    rows = _rows(sales_client, "crm:follow-up", who="anyone")
    assert [name for name, _ in rows][:4] == ["Pia", "Bea", "Tia", "Ann"]
    assert ("Tia", "Birthday on Dec 3 (in 3 days)") in rows
    page = sales_client.get(reverse("crm:follow-up")).content.decode()
    assert "Visited Nov 20 and asked for a call" in page
    assert f'href="{reverse("crm:follow-up")}?who=anyone"' in page


def test_here_lists_todays_visitors_latest_first_with_what_they_looked_at(
        sales_client, store, salesperson):
    early = CustomerFactory(store=store, first_name="Early", assigned_to=salesperson,
                            last_visit_at=on(11, 30, 9))
    WalkIn.objects.create(key=uuid.uuid4(), customer=early, logged_by=salesperson,
                          looked_at="Sapphire halo ring", created_at=on(11, 30, 9))
    CustomerFactory(store=store, first_name="Late", assigned_to=salesperson,
                    last_visit_at=NOW - datetime.timedelta(minutes=5))
    CustomerFactory(store=store, first_name="Yesterday", assigned_to=salesperson,
                    last_visit_at=on(11, 29, 17))
    assert _rows(sales_client, "crm:here") == [
        ("Late", "Walked in at 09:55"),
        ("Early", "Walked in at 09:00; looked at Sapphire halo ring"),
    ]


def test_potential_says_where_they_signed_up_and_when_newest_first(sales_client, store,
                                                                   salesperson):
    from crm.models import Customer

    for name, source, days in [("Old", Source.DRAWING, 21), ("New", Source.WEBSITE, 2)]:
        customer = CustomerFactory(store=store, first_name=name, source=source,
                                   assigned_to=salesperson)
        Customer.objects.filter(pk=customer.pk).update(
            created_at=NOW - datetime.timedelta(days=days))
    CustomerFactory(store=store, first_name="Walked", source=Source.WALK_IN,
                    assigned_to=salesperson)
    assert _rows(sales_client, "crm:potential") == [
        ("New", "Signed up on the website for the voucher 2\xa0days ago and never visited"),
        ("Old", "Signed up for the drawing 3\xa0weeks ago and never visited"),
    ]


def test_a_worklist_shows_only_my_customers_unless_i_ask(sales_client, store, salesperson):
    CustomerFactory(store=store, first_name="Mine", assigned_to=salesperson,
                    source=Source.DRAWING)
    CustomerFactory(store=store, first_name="Nobodys", source=Source.DRAWING)
    mine = [n for n, _ in _rows(sales_client, "crm:potential")]
    anyone = sorted(n for n, _ in _rows(sales_client, "crm:potential", who="anyone"))
    assert (mine, anyone) == (["Mine"], ["Mine", "Nobodys"])


def test_follow_up_counts_what_it_lists_page_after_page(sales_client, store, salesperson):
    """The count comes with the page (one query): it is the list's own recount, and the pages
    together are the list, each row once, in the list's order."""
    from crm import selectors
    from crm.views.floor import PAGE_SIZE

    for n in range(PAGE_SIZE + 3):
        customer = CustomerFactory(store=store, first_name=f"C{n:02d}", assigned_to=salesperson,
                                   last_visit_at=on(11, 1 + n % 28))
        if n % 2:
            OccasionFactory(customer=customer, month=12, day=1 + n % 14)
        else:
            ConsentFactory(customer=customer, channel=Channel.EMAIL, created_at=on(11, 1))
    CustomerFactory(store=store, first_name="Quiet", assigned_to=salesperson,
                    last_visit_at=on(11, 2))
    recount = selectors.customers_follow_up(store=store, lead_days=14).filter(
        assigned_to=salesperson)
    pages = [sales_client.get(reverse("crm:follow-up"), {"page": n}).context["page"]
             for n in (1, 2)]
    assert [p.paginator.count for p in pages] == [recount.count()] * 2 == [PAGE_SIZE + 3] * 2
    assert [len(p) for p in pages] == [PAGE_SIZE, 3]
    listed = [c.pk for p in pages for c in p]
    assert sorted(listed) == sorted(recount.values_list("pk", flat=True))
    assert listed == [c.pk for c in worklists.follow_up(store=store, staff=salesperson,
                                                        lead_days=14)]


def _follow_up_pages(client, monkeypatch, *, compiled: bool, **params):
    monkeypatch.setattr(worklists, "COMPILED_ROWS", 250 if compiled else 0)
    page = client.get(reverse("crm:follow-up"), params).context["page"]
    return [(c.pk, c.why.text, c.occasion_on) for c in page], page.paginator.count


@pytest.mark.parametrize("page", [1, 2])
def test_follow_ups_first_pages_read_compiled_show_what_the_queryset_shows(
        sales_client, store, other_store, salesperson, monkeypatch, django_assert_num_queries,
        page):
    """The associate's own list, unfiltered, is read by a compiled query (worklists
    COMPILED_ROWS): the same rows, reasons, dates and count as the ORM's read, and only this
    store's and this associate's."""
    from crm.views.floor import PAGE_SIZE

    for n in range(PAGE_SIZE + 7):
        customer = CustomerFactory(store=store, first_name=f"C{n:02d}", assigned_to=salesperson,
                                   last_visit_at=on(11, 1 + n % 28))
        if n % 3:
            OccasionFactory(customer=customer, month=12, day=1 + n % 14)
        if n % 2 or not n % 3:  # some with both: listed once, by their date
            ConsentFactory(customer=customer, channel=Channel.EMAIL, created_at=on(11, 1))
    OccasionFactory(customer=CustomerFactory(store=other_store, last_visit_at=on(11, 3)),
                    month=12, day=2)
    OccasionFactory(customer=CustomerFactory(store=store, last_visit_at=on(11, 3)),
                    month=12, day=2)

    orm, orm_count = _follow_up_pages(sales_client, monkeypatch, compiled=False, page=page)
    compiled, count = _follow_up_pages(sales_client, monkeypatch, compiled=True, page=page)
    assert (compiled, count) == (orm, orm_count)
    assert len(compiled) == (PAGE_SIZE if page == 1 else 7) and count == PAGE_SIZE + 7
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as queries:
        sales_client.get(reverse("crm:follow-up"), {"page": page})
    sent = [q["sql"] for q in queries.captured_queries]
    assert not any("array_position" in sql for sql in sent)  # the page's query, as text
    assert any(sql.startswith("EXECUTE loupe_compiled_") for sql in sent)


def test_a_follow_up_read_compiled_one_day_is_right_on_a_day_with_a_longer_window(
        sales_client, store, salesperson, monkeypatch, time_machine):
    """The window's days are array parameters: the query compiled on Nov 30 (15 days) reads
    right on Feb 20, 2027, whose window carries Feb 29 beside Feb 28 (16 days)."""
    leap = CustomerFactory(store=store, first_name="Leap", assigned_to=salesperson,
                           last_visit_at=on(11, 2))
    OccasionFactory(customer=leap, kind=OccasionKind.BIRTHDAY, month=2, day=29)
    soon = CustomerFactory(store=store, first_name="Soon", assigned_to=salesperson,
                           last_visit_at=on(11, 3))
    OccasionFactory(customer=soon, kind=OccasionKind.BIRTHDAY, month=12, day=2)
    first, _ = _follow_up_pages(sales_client, monkeypatch, compiled=True)
    assert [why for _, why, _ in first] == ["Birthday on Dec 2 (in 2 days)"]

    time_machine.move_to(datetime.datetime(2027, 2, 20, 10, 0, tzinfo=CHICAGO))
    later, _ = _follow_up_pages(sales_client, monkeypatch, compiled=True)
    orm, _ = _follow_up_pages(sales_client, monkeypatch, compiled=False)
    assert later == orm == [(leap.pk, "Birthday on Feb 28 (in 8 days)",
                             datetime.date(2027, 2, 28))]
