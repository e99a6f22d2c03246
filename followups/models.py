from django.db import models


class FollowupsAccess(models.Model):
    """Holds the app's permissions until the outbox models arrive."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_followups", "Can see today's follow-ups"),
            ("manage_messaging", "Can edit messaging settings and templates"),
        ]

    def __str__(self):
        return "follow-ups"
