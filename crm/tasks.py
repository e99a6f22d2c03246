"""Thin Celery wrappers: they take ids, re-read state and send."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from crm.models import Customer


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_capture_confirmation(customer_id: int, email: str) -> bool:
    """The double opt-in email (transactional): one link that records email consent."""
    from crm.services.capture import confirmation_token

    customer = Customer.objects.select_related("store").filter(pk=customer_id).first()
    if customer is None or email not in (customer.email, customer.secondary_email):
        return False
    token = confirmation_token(customer_id=customer.pk, email=email)
    link = f"{settings.SITE_URL}{reverse('crm:capture-confirm')}?t={token}"
    context = {"customer": customer, "store": customer.store, "link": link}
    send_mail(
        subject=f"Please confirm your email for {customer.store.name}",
        message=render_to_string("crm/email/capture_confirm.txt", context),
        from_email=None, recipient_list=[email],
    )
    return True
