"""Many workers, one database: the planner's chunks and the outbox shared by worker processes
(here threads, each with its own connection), each message planned once and sent once."""

import datetime
import queue
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection

from crm.models import Channel
from followups import planner, sms, tasks
from followups.models import CallTask, Message, MessageStatus
from followups.services import messaging_settings_for

# Nov 26, 2026, 10:00 in Chicago (the test store's timezone): inside sending hours.
MORNING = datetime.datetime(2026, 11, 26, 16, 0, tzinfo=datetime.UTC)
WORKERS = 4


def _in_threads(work, count=WORKERS) -> list[Exception]:
    """Run `work()` in `count` threads released together, each on its own connection."""
    start, errors = threading.Barrier(count), []

    def run():
        try:
            start.wait()
            work()
        except Exception as exc:  # noqa: BLE001 - surfaced by the caller's assertion
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


def test_the_chunks_cover_each_day_of_every_stores_window_once(store, other_store):
    chunks = planner.plan_chunks(now=MORNING)

    for each in (store, other_store):
        lead = messaging_settings_for(store=each).lead_days
        days = [c.first + datetime.timedelta(days=n) for c in chunks if c.store_id == each.pk
                for n in range((c.last - c.first).days + 1)]
        today = each.today(MORNING)
        assert days == [today + datetime.timedelta(days=n) for n in range(1, lead + 1)]


def test_the_hourly_task_queues_one_task_per_chunk(store, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks, "publish", lambda task, *args: queued.append((task, args)) or True)

    with time_machine.travel(MORNING, tick=False):
        assert tasks.plan_followups() == len(queued) == len(planner.plan_chunks(now=MORNING))

    assert {task for task, _ in queued} == {tasks.plan_followups_chunk}
    assert queued[0][1] == (store.pk, "2026-11-27", "2026-11-27", MORNING.isoformat())


@pytest.mark.django_db(transaction=True)
def test_four_workers_plan_and_send_each_message_once(store, make_customer):
    # Occasions on every day of the window, each customer asking for email, texts and calls.
    for n in range(40):
        make_customer(on=datetime.date(2026, 11, 27) + datetime.timedelta(days=n % 14),
                      channels=[Channel.EMAIL, Channel.SMS, Channel.PHONE])
    # Every chunk is delivered twice, as a broker does after a lost acknowledgement.
    chunks: queue.Queue = queue.Queue()
    for chunk in planner.plan_chunks(now=MORNING) * 2:
        chunks.put(chunk)
    planned, sent = [], []

    def plan():
        while True:
            try:
                chunk = chunks.get_nowait()
            except queue.Empty:
                return
            planned.append(planner.plan_chunk(chunk=chunk, now=MORNING).messages)

    def send():
        from followups.sender import messages_send_due

        sent.append(messages_send_due(batch=3))

    with time_machine.travel(MORNING, tick=True):
        assert not _in_threads(plan)
        assert not _in_threads(send)

    assert sum(planned) == Message.objects.count() == 80
    assert CallTask.objects.count() == 40
    assert Message.objects.filter(status=MessageStatus.SENT).count() == 80
    assert sum(outcomes.get("sent", 0) for outcomes in sent) == 80
    # One email and one text per message sent: none went out twice.
    assert len(mail.outbox) == Message.objects.filter(channel=Channel.EMAIL).count() == 40
    assert len(sms.outbox) == Message.objects.filter(channel=Channel.SMS).count() == 40
