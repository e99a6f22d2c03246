from django.apps import AppConfig


class FollowupsConfig(AppConfig):
    name = "followups"
    verbose_name = "Follow-ups"

    def ready(self):
        # The deploy check registers itself; the receiver connects anymail's tracking signal.
        from followups import checks, receivers  # noqa: F401
