from django.core.management.base import BaseCommand

from followups.sender import SENDING_TIMEOUT, messages_flag_stuck


class Command(BaseCommand):
    help = (f"Mark messages still 'sending' {SENDING_TIMEOUT.seconds // 60} minutes after their "
            "claim as needing a look on the message log; never sends them again (Celery beat "
            "runs it every five minutes).")

    def handle(self, *args, **options):
        self.stdout.write(f"{messages_flag_stuck()} stuck messages marked for a look")
