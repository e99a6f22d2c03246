"""Previewing a template on a real customer, without saving or sending anything."""

import dataclasses

from django.utils import timezone

from appointments.selectors import sample_appointment
from core.errors import LoupeError
from crm.models import Channel, Purpose, SignUp, Source
from followups import compose, rendering, selectors, services
from followups.models import APPOINTMENT_KINDS, Message, MessageTemplate, TemplateKind


@dataclasses.dataclass(frozen=True)
class Preview:
    customer: object
    subject: str
    body: str
    segments: int | None


def render_preview(*, template: MessageTemplate, subject: str, body: str,
                   email: str = "") -> Preview:
    rendering.check(subject, field="subject")
    rendering.check(body, field="body")
    rendering.check_required(body, kind=template.kind)
    customer = selectors.preview_customer(store=template.store, email=email)
    if customer is None:
        raise LoupeError("No customer with that email address in this store."
                         if email else "No customer with an occasion to preview on yet.",
                         field="preview_customer")
    now = timezone.now()
    occasion = customer.occasions.order_by("month", "day").first()
    purpose = {TemplateKind.REPAIR_READY: Purpose.REPAIR_NOTICES,
               TemplateKind.APPOINTMENT_CONFIRMATION: Purpose.REPAIR_NOTICES,
               TemplateKind.APPOINTMENT_REMINDER: Purpose.REPAIR_NOTICES,
               TemplateKind.APPOINTMENT_MOVED: Purpose.REPAIR_NOTICES,
               TemplateKind.EVENT_INVITATION: Purpose.EVENTS,
               TemplateKind.EVENT_REMINDER: Purpose.EVENTS,
               TemplateKind.EVENT_CANCELLED: Purpose.EVENTS}.get(
        template.kind, Purpose.OCCASION_REMINDERS)
    message = Message(store=template.store, customer=customer, channel=template.channel,
                      purpose=purpose, kind=template.kind, occasion=occasion,
                      occurs_on=occasion.next_date(template.store.today(now)) if occasion
                      else None, due_at=now,
                      to=customer.email if template.channel == Channel.EMAIL
                      else str(customer.phone or ""))
    if message.is_sign_up_confirmation:
        message.sign_up = _sample_sign_up(customer, store=template.store)
    if template.kind in APPOINTMENT_KINDS and customer.assigned_to is not None:
        message.appointment = sample_appointment(customer=customer, now=now)
    messaging = services.messaging_settings_for(store=template.store)
    draft = MessageTemplate(store=template.store, kind=template.kind, channel=template.channel,
                            subject=subject, body=body)
    shown_subject, shown_body = compose.render(message, messaging, template=draft)
    segments = rendering.sms_segments(shown_body) if template.channel == Channel.SMS else None
    return Preview(customer=customer, subject=shown_subject, body=shown_body, segments=segments)


def _sample_sign_up(customer, *, store) -> SignUp:
    """An unsaved sign-up in the customer's name: its link in the preview confirms nothing."""
    return SignUp(store=store, source=Source.WEBSITE, first_name=customer.first_name,
                  last_name=customer.last_name, email=customer.email or "name@example.com")
