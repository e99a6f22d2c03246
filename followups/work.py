"""Writes for an associate's work list: tasks made by hand, done, snoozed, reassigned, a
voicemail that keeps a call open, and a client's open tasks following the client.

Re-exported by `followups.services` (the room's public door).
"""

import datetime
from collections import defaultdict

from django.db import connection, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from core.audit import log_action
from core.errors import LoupeError
from crm.models import Customer, InteractionKind
from crm.services import interaction_add
from followups.models import CallOutcome, Task, TaskKind

# What each kind of task puts on the timeline when it is done.
_DONE_SUMMARY = {
    TaskKind.CALL: "Called",
    TaskKind.TEXT: "Texted",
    TaskKind.EMAIL: "Emailed",
    TaskKind.VISIT: "Visit followed up",
    TaskKind.THANK_YOU: "Thank-you note sent",
    TaskKind.REACH_OUT: "Reached out",
    TaskKind.REPLY: "Answered their message",
}
_TIMELINE_KIND = {TaskKind.CALL: InteractionKind.CALL, TaskKind.VISIT: InteractionKind.VISIT,
                  TaskKind.REACH_OUT: InteractionKind.CALL}


def _looker_after(customer: Customer):
    """Who a customer's task goes to: their associate, or nobody (the managers) for an
    orphaned client (no associate, or one who has left)."""
    associate = customer.assigned_to
    return associate if associate is not None and associate.is_active else None


@transaction.atomic
def task_create(*, customer: Customer, kind: str, due_on: datetime.date, by, note: str = "",
                assignee=None) -> Task:
    """Add a task for a customer, for their associate unless another one is named (an
    orphaned client's go to the managers). A date before today is refused."""
    if kind not in TaskKind.values or kind == TaskKind.REPLY:
        raise LoupeError("Pick what there is to do.", field="kind")
    now = timezone.now()
    if due_on < customer.store.today(now):
        raise LoupeError("Pick today or a later day.", field="due_on")
    if assignee is not None and (assignee.store_id != customer.store_id
                                 or not assignee.is_active):
        raise LoupeError("Pick an associate of this store.", field="assignee")
    task = Task.objects.create(
        store_id=customer.store_id, customer=customer, kind=kind, note=note.strip()[:500],
        due_on=due_on, assignee=assignee or _looker_after(customer), created_by=by,
        created_at=now)
    log_action(by=by, action="followups.task_added", obj=task,
               store=customer.store, at=now, data={"kind": kind, "due_on": due_on.isoformat()})
    return task


def _call_about(task: Task) -> str:
    """What a call is about, for the timeline: its occasion (gone if it was removed since),
    else its note."""
    if task.occurs_on is None:
        return task.note or "their follow-up"
    about = task.occasion.title.lower() if task.occasion else "their date"
    return f"{about} on {task.occurs_on:%b %d}"


@transaction.atomic
def task_done(*, task: Task, by, outcome: str = "") -> Task:
    """Tick off a task (twice is the same as once) and put it on the customer's timeline."""
    task = Task.objects.select_for_update(of=("self",)).select_related("occasion").get(
        pk=task.pk)
    if task.done_at is not None:
        return task
    now = timezone.now()
    task.done_at, task.done_by, task.outcome = now, by, outcome[:200]
    task.attempts, task.last_try_at = task.attempts + 1, now
    task.save(update_fields=["done_at", "done_by", "outcome", "attempts", "last_try_at"])
    summary = (f"Called about {_call_about(task)}" if task.is_call
               else f"{_DONE_SUMMARY[task.kind]}" + (f" ({task.note})" if task.note else ""))
    interaction_add(customer=task.customer, kind=_TIMELINE_KIND.get(task.kind,
                                                                    InteractionKind.NOTE),
                    summary=f"{summary}: {outcome}" if outcome else summary, by=by, at=now)
    log_action(by=by, action="followups.call_done" if task.is_call
               else "followups.task_done", obj=task, store=task.store, at=now)
    return task


@transaction.atomic
def task_left_voicemail(*, task: Task, by, tries_seen: int, note: str = "") -> Task:
    """Count a try that reached voicemail; the task stays open for another try.

    `tries_seen` is the count the associate's screen showed: a double tap (or a second
    screen) that already counted this try finds a higher count and adds nothing.
    """
    task = (Task.objects.select_for_update(of=("self",)).select_related("occasion")
            .get(pk=task.pk))
    if task.done_at is not None or task.attempts != tries_seen:
        return task
    now = timezone.now()
    task.attempts, task.last_try_at = task.attempts + 1, now
    task.outcome = CallOutcome.VOICEMAIL.label if not note else \
        f"{CallOutcome.VOICEMAIL.label}: {note}"[:200]
    task.save(update_fields=["attempts", "last_try_at", "outcome"])
    summary = f"Left voicemail about {_call_about(task)} (try {task.attempts})"
    interaction_add(customer=task.customer, kind=InteractionKind.CALL,
                    summary=f"{summary}: {note}" if note else summary, by=by, at=now)
    log_action(by=by, action="followups.call_voicemail", obj=task, store=task.store,
               at=now, data={"tries": task.attempts})
    return task


@transaction.atomic
def task_snooze(*, task: Task, until: datetime.date, by) -> Task:
    """Put a task off to a later day; it leaves today's list and comes back on that day."""
    task = Task.objects.select_for_update().select_related("store").get(pk=task.pk)
    if task.done_at is not None:
        raise LoupeError("This task is already done.")
    now = timezone.now()
    if until <= task.store.today(now):
        raise LoupeError("Snooze to a day after today.", field="until")
    if task.snoozed_from is None:
        task.snoozed_from = task.due_on
    task.due_on = until
    task.save(update_fields=["due_on", "snoozed_from"])
    log_action(by=by, action="followups.task_snoozed", obj=task, store=task.store,
               at=now, data={"until": until.isoformat()})
    return task


@transaction.atomic
def task_reassign(*, task: Task, assignee, by) -> Task:
    """Hand one task to another associate of the store (a manager's call)."""
    task = Task.objects.select_for_update().select_related("store").get(pk=task.pk)
    if task.done_at is not None:
        raise LoupeError("This task is already done.")
    if assignee.store_id != task.store_id or not assignee.can_sell:
        raise LoupeError("Pick an active associate of this store.", field="assignee")
    before = task.assignee_id
    task.assignee = assignee
    task.save(update_fields=["assignee"])
    log_action(by=by, action="followups.task_reassigned", obj=task, store=task.store,
               data={"from": before, "to": assignee.pk})
    return task


def tasks_follow_clients(*, moves, at) -> int:
    """The open tasks of clients who changed hands go to their new associate (called inside
    the transaction that moved them: crm's `clients_assigned`). A task someone else was
    given by hand stays with them; the previous associate's, and the managers' (an orphan's,
    or a departed associate's), follow the client. One UPDATE, whatever the number of
    clients. Returns how many moved."""
    if not moves:
        return 0
    if connection.vendor == "postgresql":
        return _tasks_follow_clients_at_once(moves)
    groups: dict[tuple[int | None, int | None], list[int]] = defaultdict(list)
    for customer_id, from_id, to_id in moves:
        groups[(from_id, to_id)].append(customer_id)
    if not groups:
        return 0
    managers = Q(assignee__isnull=True) | Q(assignee__departed_on__isnull=False)
    following, receiver = Q(), []
    for (from_id, to_id), customer_ids in groups.items():
        theirs = managers | Q(assignee_id=from_id) if from_id is not None else managers
        following |= Q(theirs, customer_id__in=customer_ids)
        receiver.append(When(customer_id__in=customer_ids, then=Value(to_id)))
    ids = Task.objects.open().filter(following).values("pk")
    return Task.objects.filter(pk__in=ids).update(
        assignee_id=Case(*receiver, default=F("assignee_id"),
                         output_field=models.BigIntegerField()))


# The same rule as the ORM's OR of (from, to) groups above, in one statement whose size does
# not grow with the number of associates (a file of receipts credits hundreds at once).
_FOLLOW = """
    UPDATE {task} t SET assignee_id = m.to_id
      FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[]) AS m(customer_id, from_id, to_id)
     WHERE t.customer_id = m.customer_id AND t.done_at IS NULL
       AND (t.assignee_id IS NULL OR t.assignee_id = m.from_id
            OR t.assignee_id IN (SELECT id FROM {staff} WHERE departed_on IS NOT NULL))
"""


def _tasks_follow_clients_at_once(moves) -> int:
    staff = Task._meta.get_field("assignee").related_model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(_FOLLOW.format(task=Task._meta.db_table, staff=staff),
                       [list(column) for column in zip(*moves, strict=True)])
        return cursor.rowcount
