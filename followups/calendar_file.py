"""The .ics file attached to an appointment's confirmation and reminder (icalendar)."""

from django.conf import settings
from icalendar import Calendar, Event


def appointment_ics(appointment) -> bytes:
    """One event, in UTC (every calendar shows it on its own clock); the same UID for the
    confirmation, the reminder and every move of the visit (with a higher SEQUENCE after a
    move), so a calendar keeps one entry and shows the latest time."""
    calendar = Calendar()
    calendar.add("prodid", "-//Loupe//Appointments//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    store = appointment.store
    first_id, moves = appointment.calendar_identity()
    event.add("uid", f"appointment-{first_id}@{settings.SITE_URL.split('//')[-1]}")
    event.add("sequence", moves)
    event.add("dtstamp", appointment.created_at)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.ends_at)
    event.add("summary", f"{appointment.get_purpose_display()} at {store.name}")
    event.add("location", " ".join(store.address.split()))
    event.add("description", f"With {appointment.associate.display_name}. "
                             f"{store.name} {store.phone}".strip())
    calendar.add_component(event)
    return calendar.to_ical()
