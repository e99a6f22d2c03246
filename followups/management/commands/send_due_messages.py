from django.core.management.base import BaseCommand

from followups.sender import messages_dispatch_due


class Command(BaseCommand):
    help = "Queue every planned message that has come due (Celery beat runs it each minute)."

    def handle(self, *args, **options):
        self.stdout.write(f"{messages_dispatch_due()} messages queued for sending")
