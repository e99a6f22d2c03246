from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = "Follow-ups"

    def ready(self):
        # The deploy check registers itself; the receivers connect anymail's and crm's signals.
        from followups import checks, receivers  # noqa: F401
