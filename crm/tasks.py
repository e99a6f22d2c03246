"""Thin Celery wrappers: each takes ids; the services re-read and claim what they change."""

from celery import shared_task

from crm.services import imports


@shared_task(acks_late=True)
def import_run(import_id: int) -> str:
    return imports.import_process(import_id=import_id)
