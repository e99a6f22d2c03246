"""Many workers, one database (issue 19): the planner's chunks and the outbox shared by
1 and then WORKERS processes at once, each with its own connection, as Celery's worker
processes would share them.

For each count: the first planning run of every store's window (one chunk per store and day,
handed out by a process pool as Celery hands out tasks), then the sending of one store's
morning (the messages for the window's last day of the smaller store; the rest are moved out
of reach) through `messages_send_due`, by the same processes. Email and texts go to the
in-memory backends, counted per process. The clock is frozen at noon on the flagship's clock
(inside sending hours). What was written is deleted afterwards (bench.datasets.undo_writes).
"""

import datetime
import multiprocessing
import time

WORKERS = 4


def _noon():
    from django.utils import timezone

    from bench.inprocess import _store

    store = _store()
    today = store.today()
    return timezone.make_aware(datetime.datetime.combine(today, datetime.time(12)), store.tz)


def _start(moment) -> None:
    """A worker process: its own connection, the frozen clock, in-memory email and texts."""
    import time_machine
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "followups.sms.LocmemBackend"
    time_machine.travel(moment, tick=True).start()


def _plan(args) -> tuple[int, int]:
    from followups.planner import plan_chunk

    chunk, now = args
    result = plan_chunk(chunk=chunk, now=now)
    return result.messages, result.calls


def _send(_n) -> dict:
    from django.core import mail

    from followups import sms
    from followups.sender import messages_send_due

    mail.outbox = []
    sms.outbox.clear()
    outcomes = messages_send_due(batch=20)
    return {**outcomes, "emails": len(mail.outbox), "texts": len(sms.outbox)}


def _keep_one_morning(now) -> int:
    """Only the smaller store's messages for the window's last day stay due."""
    from followups.models import Message
    from staff.selectors import stores_in_order

    store = stores_in_order().last()
    last = Message.objects.filter(store=store, status="planned").order_by("-occurs_on") \
        .values_list("occurs_on", flat=True).first()
    Message.objects.filter(status="planned", created_at=now).exclude(
        store=store, occurs_on=last).update(due_at=now + datetime.timedelta(days=365))
    return Message.objects.due(now).count()


def _round(count: int, now) -> dict:
    from django.db import connections

    from followups.models import Message
    from followups.planner import plan_chunks

    chunks = plan_chunks(now=now)
    connections.close_all()
    with multiprocessing.get_context("fork").Pool(count, _start, (now,)) as pool:
        pool.map(abs, range(count))  # every process started and connected before timing
        started = time.perf_counter()
        planned = pool.map(_plan, [(chunk, now) for chunk in chunks], chunksize=1)
        plan_seconds = time.perf_counter() - started
        due = _keep_one_morning(now)
        connections.close_all()
        started = time.perf_counter()
        sent = pool.map(_send, range(count), chunksize=1)
        send_seconds = time.perf_counter() - started
    messages = Message.objects.filter(created_at=now)
    totals = {key: sum(s.get(key, 0) for s in sent) for key in ("sent", "emails", "texts")}
    rows_sent = messages.filter(status="sent").count()
    # Each message planned once (the outbox's unique constraints stand behind this) and each
    # one sent went out once: one email or text per row marked sent.
    once = (sum(m for m, _ in planned) == messages.count()
            and totals["sent"] == rows_sent == totals["emails"] + totals["texts"])
    if not once:
        raise SystemExit(f"{count} workers: planned {planned}, sent {sent}, rows sent "
                         f"{rows_sent}, messages {messages.count()}")
    return {"plan_seconds": round(plan_seconds, 2), "messages": messages.count(),
            "calls": sum(c for _, c in planned), "chunks": len(chunks),
            "send_seconds": round(send_seconds, 2), "due": due, "sent": rows_sent,
            "sent_per_s": round(rows_sent / send_seconds, 1)}


def many_workers(size: str) -> dict:
    from bench import datasets

    now = _noon()
    found = {}
    for count in (1, WORKERS):
        marks = datasets.write_marks(size)
        try:
            found[count] = _round(count, now)
        finally:
            datasets.undo_writes(size, marks)
    one, many = found[1], found[WORKERS]
    return {"workers": WORKERS, "messages": one["messages"], "chunks": one["chunks"],
            "plan_1_s": one["plan_seconds"], f"plan_{WORKERS}_s": many["plan_seconds"],
            "sent": one["sent"], "send_1_s": one["send_seconds"],
            f"send_{WORKERS}_s": many["send_seconds"],
            "same_messages": one["messages"] == many["messages"]
            and one["sent"] == many["sent"]}
