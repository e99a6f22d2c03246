"""Tasks: made by hand, snoozed, voicemail tries, reassigned, following the client, and an
orphaned client's going to the managers."""

import datetime

import pytest
from django.urls import reverse

from core.errors import LoupeError
from crm.models import AssignmentReason, Customer, Interaction
from crm.services import Move, client_assign, clients_reassign
from followups import selectors, services
from followups.models import Task, TaskKind
from staff.roles import Role
from tests.factories import CustomerFactory, StaffMemberFactory, TaskFactory

NOON = datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC)
TODAY = datetime.date(2026, 11, 30)  # the store's (New York) date at NOON
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOON, tick=False)]


def _hand_task(customer, assignee, **fields):
    fields.setdefault("kind", TaskKind.THANK_YOU)
    return TaskFactory(customer=customer, assignee=assignee, occasion=None, occurs_on=None,
                       due_on=TODAY, **fields)


def test_a_task_made_by_hand_goes_to_the_clients_associate(store, salesperson, manager):
    customer = CustomerFactory(store=store, assigned_to=salesperson)
    task = services.task_create(customer=customer, kind=TaskKind.THANK_YOU, due_on=TODAY,
                                note="For the pearls", by=manager)
    assert (task.assignee, task.kind, task.note, task.created_by) == (
        salesperson, "thank_you", "For the pearls", manager)
    assert list(selectors.tasks_due(staff=salesperson, today=TODAY)) == [task]


def test_a_task_for_yesterday_is_refused_and_nothing_is_saved(store, salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson)
    with pytest.raises(LoupeError, match="today or a later day"):
        services.task_create(customer=customer, kind=TaskKind.CALL, by=salesperson,
                             due_on=TODAY - datetime.timedelta(days=1))
    assert not Task.objects.exists()


def test_snoozing_moves_the_task_off_today_and_it_comes_back_on_its_day(store, salesperson):
    task = _hand_task(CustomerFactory(store=store, assigned_to=salesperson), salesperson)
    friday = TODAY + datetime.timedelta(days=4)
    services.task_snooze(task=task, until=friday, by=salesperson)
    task.refresh_from_db()
    assert (task.due_on, task.snoozed_from) == (friday, TODAY)
    assert list(selectors.tasks_due(staff=salesperson, today=TODAY)) == []
    assert list(selectors.tasks_due(staff=salesperson, today=friday)) == [task]


def test_snoozing_to_today_is_refused(store, salesperson):
    task = _hand_task(CustomerFactory(store=store, assigned_to=salesperson), salesperson)
    with pytest.raises(LoupeError, match="after today"):
        services.task_snooze(task=task, until=TODAY, by=salesperson)
    task.refresh_from_db()
    assert (task.due_on, task.snoozed_from) == (TODAY, None)


def test_the_snooze_page_keeps_a_bad_date_with_the_message(sales_client, store, salesperson):
    task = _hand_task(CustomerFactory(store=store, assigned_to=salesperson), salesperson)
    response = sales_client.post(reverse("followups:task-snooze", kwargs={"task_id": task.pk}),
                                 {"until": TODAY.isoformat()})
    assert response.status_code == 200
    assert "Snooze to a day after today." in response.content.decode()
    task.refresh_from_db()
    assert task.due_on == TODAY


def test_voicemail_keeps_the_task_open_and_counts_each_try_once(store, salesperson):
    task = _hand_task(CustomerFactory(store=store, assigned_to=salesperson), salesperson,
                      kind=TaskKind.CALL, note="Ask about the resizing")
    services.task_left_voicemail(task=task, by=salesperson, tries_seen=0)
    services.task_left_voicemail(task=task, by=salesperson, tries_seen=0)  # a double tap
    services.task_left_voicemail(task=task, by=salesperson, tries_seen=1)
    task.refresh_from_db()
    assert (task.attempts, task.done_at) == (2, None)
    assert list(selectors.tasks_due(staff=salesperson, today=TODAY)) == [task]
    summaries = list(Interaction.objects.filter(customer=task.customer)
                     .values_list("summary", flat=True).order_by("id"))
    assert summaries == ["Left voicemail about Ask about the resizing (try 1)",
                         "Left voicemail about Ask about the resizing (try 2)"]


def test_done_twice_is_done_once_with_one_timeline_entry(store, salesperson):
    task = _hand_task(CustomerFactory(store=store, assigned_to=salesperson), salesperson)
    services.task_done(task=task, by=salesperson, outcome="Card posted")
    services.task_done(task=task, by=salesperson, outcome="Again")
    task.refresh_from_db()
    assert task.outcome == "Card posted"
    assert Interaction.objects.filter(customer=task.customer,
                                      summary="Thank-you note sent: Card posted").count() == 1


def test_open_tasks_follow_the_client_to_the_new_associate(store, salesperson, manager):
    sarah = StaffMemberFactory(store=store, role=Role.SALESPERSON, display_name="Sarah")
    carl = StaffMemberFactory(store=store, role=Role.SALESPERSON, display_name="Carl")
    customer = CustomerFactory(store=store, assigned_to=salesperson)
    theirs = _hand_task(customer, salesperson)
    given_to_carl = _hand_task(customer, carl, kind=TaskKind.VISIT)
    done = _hand_task(customer, salesperson)
    services.task_done(task=done, by=salesperson)
    client_assign(customer=customer, associate=sarah, by=manager,
                  reason=AssignmentReason.REASSIGNMENT)
    assert {t.pk: t.assignee_id for t in Task.objects.all()} == {
        theirs.pk: sarah.pk, given_to_carl.pk: carl.pk, done.pk: salesperson.pk}


def test_an_orphans_task_goes_to_the_managers_until_reassigned_then_follows(
        store, salesperson, manager):
    orphan = CustomerFactory(store=store, assigned_to=None)
    task = services.task_create(customer=orphan, kind=TaskKind.REACH_OUT, due_on=TODAY,
                                by=manager)
    assert task.assignee is None
    assert list(selectors.tasks_due(staff=manager, today=TODAY)) == [task]
    assert list(selectors.tasks_due(staff=salesperson, today=TODAY)) == []
    clients_reassign(store=store, by=manager, moves=[
        Move(customer_id=orphan.pk, shown_associate_id=None, associate_id=salesperson.pk)])
    task.refresh_from_db()
    assert task.assignee == salesperson
    assert list(selectors.tasks_due(staff=salesperson, today=TODAY)) == [task]


def test_a_departed_associates_tasks_show_on_the_managers_today(store, manager):
    leaving = StaffMemberFactory(store=store, role=Role.SALESPERSON, display_name="Lee")
    task = _hand_task(CustomerFactory(store=store, assigned_to=leaving), leaving)
    leaving.departed_on = TODAY
    leaving.save(update_fields=["departed_on"])
    assert list(selectors.tasks_due(staff=manager, today=TODAY)) == [task]


def test_reassigning_many_clients_moves_their_tasks_in_constant_queries(
        store, salesperson, manager, django_assert_max_num_queries):
    customers = [CustomerFactory(store=store, assigned_to=None) for _ in range(6)]
    for customer in customers:
        _hand_task(customer, None)
    moves = [Move(customer_id=c.pk, shown_associate_id=None, associate_id=salesperson.pk)
             for c in customers]
    with django_assert_max_num_queries(14):
        clients_reassign(store=store, by=manager, moves=moves)
    assert set(Task.objects.values_list("assignee_id", flat=True)) == {salesperson.pk}


def test_a_manager_gives_a_task_to_another_associate(manager_client, store, salesperson,
                                                     manager):
    task = _hand_task(CustomerFactory(store=store, assigned_to=None), None)
    url = reverse("followups:task-reassign", kwargs={"task_id": task.pk})
    assert manager_client.post(url, {"assignee": salesperson.pk}).status_code == 302
    task.refresh_from_db()
    assert task.assignee == salesperson


def test_a_salesperson_cannot_reach_a_colleagues_task(sales_client, store):
    colleague = StaffMemberFactory(store=store, role=Role.SALESPERSON)
    task = _hand_task(CustomerFactory(store=store, assigned_to=colleague), colleague)
    url = reverse("followups:task-snooze", kwargs={"task_id": task.pk})
    assert sales_client.post(url, {"until": "2026-12-04"}).status_code == 404
    task.refresh_from_db()
    assert task.due_on == TODAY


def test_another_stores_manager_gets_404_for_a_task(other_manager_client, store, salesperson):
    task = _hand_task(CustomerFactory(store=store, assigned_to=salesperson), salesperson)
    for name in ("followups:task-snooze", "followups:task-reassign"):
        assert other_manager_client.get(reverse(name, kwargs={"task_id": task.pk})
                                        ).status_code == 404


def test_adding_a_task_from_the_customer_page_keeps_the_note_on_a_bad_date(
        sales_client, store, salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson)
    url = reverse("followups:task-add", kwargs={"customer_id": customer.pk})
    response = sales_client.post(url, {"kind": "visit", "due_on": "2026-11-01",
                                       "note": "Bring the catalogue"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "today or a later day" in page and "Bring the catalogue" in page
    assert not Task.objects.exists()
    assert sales_client.post(url, {"kind": "visit", "due_on": "2026-12-01",
                                   "note": "Bring the catalogue"}).status_code == 302
    assert Task.objects.get().note == "Bring the catalogue"


@pytest.mark.parametrize("vendor", ["postgresql", "sqlite"])
def test_many_clients_changing_hands_take_the_same_tasks_on_postgresql_and_the_laptop(
        store, manager, monkeypatch, vendor):
    """PostgreSQL moves the clients and their tasks in one statement each (arrays); SQLite
    (make run) through the ORM, one group of clients at a time. Both run here on PostgreSQL,
    the ORM path by telling it the database is SQLite, and must move the same rows."""
    from django.db import connection

    ann, bea, cid = (StaffMemberFactory(store=store, role=Role.SALESPERSON, display_name=name)
                     for name in ("Ann", "Bea", "Cid"))
    lee = StaffMemberFactory(store=store, role=Role.SALESPERSON, display_name="Lee",
                             departed_on=TODAY - datetime.timedelta(days=9))
    anns, lees, orphan = (CustomerFactory(store=store, assigned_to=who)
                          for who in (ann, lee, None))
    tasks = {
        "ann's own": _hand_task(anns, ann),
        "given to cid": _hand_task(anns, cid),
        "the managers'": _hand_task(anns, None),
        "left by lee": _hand_task(anns, lee),
        "done": _hand_task(anns, ann, done_at=NOON),
        "lee's client's": _hand_task(lees, lee),
        "the orphan's": _hand_task(orphan, None),
        "ann's, for the orphan": _hand_task(orphan, ann),
    }
    monkeypatch.setattr(connection, "vendor", vendor)

    clients_reassign(store=store, by=manager, moves=[
        Move(customer_id=anns.pk, shown_associate_id=ann.pk, associate_id=bea.pk),
        Move(customer_id=lees.pk, shown_associate_id=lee.pk, associate_id=bea.pk),
        Move(customer_id=orphan.pk, shown_associate_id=None, associate_id=cid.pk)])

    assert {name: Task.objects.get(pk=task.pk).assignee for name, task in tasks.items()} == {
        "ann's own": bea, "given to cid": cid, "the managers'": bea, "left by lee": bea,
        "done": ann, "lee's client's": bea, "the orphan's": cid, "ann's, for the orphan": ann}
    assert dict(Customer.objects.filter(pk__in=[anns.pk, lees.pk, orphan.pk])
                .values_list("pk", "assigned_to")) == {
        anns.pk: bea.pk, lees.pk: bea.pk, orphan.pk: cid.pk}
