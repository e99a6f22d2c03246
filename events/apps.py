from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Events and campaigns"

    def ready(self):
        # Followups cannot import events: events hands it what it needs to know about
        # campaign messages (their words, whether they may still go, a texted RSVP).
        from events import hooks  # noqa: F401
