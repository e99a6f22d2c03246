"""Thin Celery wrappers: each takes ids, the services re-read and lock what they change."""

from celery import shared_task

from events import services


@shared_task(acks_late=True)
def expand_campaign(campaign_id: int) -> int:
    return services.campaign_expand(campaign_id=campaign_id).messages


@shared_task(acks_late=True)
def advance_campaigns() -> dict:
    return services.campaigns_advance()
