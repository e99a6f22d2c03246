"""What the outbox asks of events, registered with followups (which never imports events):
the event's words and RSVP link in a campaign's message, whether it may still go out, and a
texted YES or NO as an RSVP."""

from events import services
from followups.services import (
    register_message_context,
    register_send_check,
    register_text_reply,
)

register_message_context(services.message_context)
register_send_check(services.message_send_check)
register_text_reply(services.rsvp_by_text)
