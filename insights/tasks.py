"""Thin Celery wrappers around insights' services."""

from celery import shared_task

from insights import services


@shared_task(acks_late=True)
def refresh_rollups() -> dict:
    return services.rollups_refresh()
