"""Thin Celery wrappers: each takes ids, the services re-read and lock what they change."""

import datetime

from celery import shared_task
from django.utils import timezone

from core.queueing import publish
from followups import aftercare, planner, sender


@shared_task(acks_late=True)
def send_message(message_id: int) -> str:
    return sender.message_send(message_id=message_id)


@shared_task(acks_late=True)
def dispatch_due_messages() -> int:
    return sender.messages_dispatch_due()


@shared_task(acks_late=True)
def plan_followups() -> int:
    """The hourly run, cut into chunks (a store's day each), one task per chunk, so every
    worker process takes a share; returns how many were queued. A chunk the broker did not
    take is planned by the next run (its days are still in the window)."""
    now = timezone.now()
    chunks = planner.plan_chunks(now=now)
    for chunk in chunks:
        if not publish(plan_followups_chunk, chunk.store_id, chunk.first.isoformat(),
                       chunk.last.isoformat(), now.isoformat()):
            break
    return len(chunks)


@shared_task(acks_late=True)
def plan_followups_chunk(store_id: int, first: str, last: str, now: str) -> int:
    chunk = planner.Chunk(store_id=store_id, first=datetime.date.fromisoformat(first),
                          last=datetime.date.fromisoformat(last))
    result = planner.plan_chunk(chunk=chunk, now=datetime.datetime.fromisoformat(now))
    if result.messages:
        sender.messages_dispatch_due()
    return result.messages + result.calls


@shared_task(acks_late=True)
def flag_stuck_messages() -> int:
    return sender.messages_flag_stuck()


@shared_task(acks_late=True)
def plan_aftercare() -> int:
    return sum(r.planned for r in aftercare.plan_aftercare())
