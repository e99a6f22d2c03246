"""My clients' calls panel: the associate's calls due by today and today's texts from their
clients, read by compiled queries (followups.selectors.calls_due_panel) that must show what
the ORM's querysets show, for an associate and for a manager carrying the orphaned clients."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from crm.models import Interaction, InteractionKind
from followups import selectors
from followups.models import TaskKind
from tests.factories import CustomerFactory, StaffMemberFactory, TaskFactory

pytestmark = pytest.mark.django_db


def _reply(customer, *, at, words):
    return Interaction.objects.create(customer=customer, kind=InteractionKind.REPLY,
                                      summary=words, occurred_at=at)


@pytest.fixture
def book(store, salesperson, manager):
    """Sally's clients with calls due, overdue, later, done and waiting replies; a colleague's
    client; an orphaned client (their associate has left)."""
    today = store.today()
    day = datetime.timedelta(days=1)
    ann = CustomerFactory(store=store, assigned_to=salesperson, first_name="Ann",
                          last_name="Able")
    bea = CustomerFactory(store=store, assigned_to=salesperson, first_name="Bea",
                          last_name="Best")
    colleague = StaffMemberFactory(store=store, display_name="Carl Colleague")
    departed = StaffMemberFactory(store=store, display_name="Dora Departed",
                                  departed_on=today - 10 * day)
    cal = CustomerFactory(store=store, assigned_to=colleague, first_name="Cal")
    ona = CustomerFactory(store=store, assigned_to=departed, first_name="Ona",
                          last_name="Orphan")
    return {
        "due": TaskFactory(customer=ann, due_on=today),
        "overdue": TaskFactory(customer=bea, due_on=today - 3 * day,
                               occurs_on=today + 11 * day),
        "by_hand": TaskFactory(customer=bea, kind=TaskKind.CALL, occasion=None, occurs_on=None,
                               reason="Ask about the resized ring", due_on=today),
        "later": TaskFactory(customer=ann, due_on=today + day, occurs_on=today + 20 * day),
        "done": TaskFactory(customer=ann, due_on=today, occurs_on=today + 30 * day,
                            done_at=timezone.now()),
        "reply": TaskFactory(customer=ann, kind=TaskKind.REPLY, occasion=None, occurs_on=None,
                             due_on=today),
        "colleague": TaskFactory(customer=cal, due_on=today),
        "orphan": TaskFactory(customer=ona, due_on=today, assignee=departed),
        "text_today": _reply(ann, at=timezone.now(), words="See you Saturday"),
        "text_yesterday": _reply(bea, at=timezone.now() - 2 * day, words="Thanks!"),
        "text_colleague": _reply(cal, at=timezone.now(), words="Call me"),
        "text_orphan": _reply(ona, at=timezone.now(), words="Is anyone there?"),
    }


def _shown(panel):
    return ([(t.pk, t.customer.full_name, t.occasion.title if t.occasion else t.reason)
             for t in panel["calls"]],
            [(r.pk, r.customer.full_name, r.summary) for r in panel["replies"]])


def _by_orm(staff, now):
    return _shown({"calls": selectors.calls_to_make(staff=staff, today=staff.store.today(now)),
                   "replies": selectors.replies_today(staff=staff, now=now)})


def test_an_associate_sees_their_own_calls_due_by_today_and_todays_texts(salesperson, book):
    calls, replies = _shown(selectors.calls_due_panel(staff=salesperson, now=timezone.now()))
    assert [pk for pk, _, _ in calls] == [book["overdue"].pk, book["due"].pk,
                                          book["by_hand"].pk]
    assert calls[2][2] == "Ask about the resized ring"
    assert replies == [(book["text_today"].pk, "Ann Able", "See you Saturday")]


def test_a_manager_also_carries_the_orphaned_clients(manager, book):
    calls, replies = _shown(selectors.calls_due_panel(staff=manager, now=timezone.now()))
    assert [pk for pk, _, _ in calls] == [book["orphan"].pk]
    assert [pk for pk, _, _ in replies] == [book["text_orphan"].pk]


@pytest.mark.parametrize("days", [0, 1, 4])
def test_the_compiled_panel_shows_what_the_querysets_show(salesperson, manager, book, days):
    """The same reads, once the SQL is prepared, on other days (other arguments)."""
    now = timezone.now() + datetime.timedelta(days=days)
    for staff in (salesperson, manager):
        for _ in range(2):  # the second read runs the prepared statement
            assert _shown(selectors.calls_due_panel(staff=staff, now=now)) == \
                _by_orm(staff, now)


def test_my_clients_shows_the_panel(sales_client, book):
    page = sales_client.get(reverse("crm:home")).content.decode()
    assert "Calls to make today" in page
    assert "Ask about the resized ring" in page
    assert "See you Saturday" in page
    assert "Call me" not in page and "Is anyone there?" not in page


def test_a_task_with_neither_occasion_nor_reason_shows_what_kind_it_is(sales_client, store,
                                                                      salesperson):
    """A thank-you note planned after a sale has no occasion and no words of its own: the
    panel says what it is instead of leaving the row's end blank."""
    emma = CustomerFactory(store=store, assigned_to=salesperson, first_name="Emma",
                           last_name="Perez")
    TaskFactory(customer=emma, kind=TaskKind.THANK_YOU, occasion=None, occurs_on=None,
                reason="", due_on=store.today())
    page = sales_client.get(reverse("crm:home")).content.decode()
    assert "Emma Perez</a> · Thank-you note</li>" in page
