"""Thin Celery wrappers: each takes ids, the services re-read and lock what they change."""

from celery import shared_task

from followups import aftercare, planner, sender


@shared_task(acks_late=True)
def send_message(message_id: int) -> str:
    return sender.message_send(message_id=message_id)


@shared_task(acks_late=True)
def dispatch_due_messages() -> int:
    return sender.messages_dispatch_due()


@shared_task(acks_late=True)
def plan_followups() -> int:
    return sum(r.messages + r.calls for r in planner.plan_followups())


@shared_task(acks_late=True)
def flag_stuck_messages() -> int:
    return sender.messages_flag_stuck()


@shared_task(acks_late=True)
def plan_aftercare() -> int:
    return sum(r.planned for r in aftercare.plan_aftercare())
