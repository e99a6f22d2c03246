from django.core.management.base import BaseCommand

from followups.sender import messages_dispatch_due, messages_send_due


class Command(BaseCommand):
    help = ("Queue every planned message that has come due (Celery beat runs it each minute); "
            "with --send-here, send them in this process instead, batch by batch, beside any "
            "number of other processes doing the same.")

    def add_arguments(self, parser):
        parser.add_argument("--send-here", action="store_true",
                            help="Send in this process until nothing due is left.")

    def handle(self, *args, send_here=False, **options):
        if not send_here:
            self.stdout.write(f"{messages_dispatch_due()} messages queued for sending")
            return
        outcomes = messages_send_due()
        done = ", ".join(f"{outcome} {n}" for outcome, n in sorted(outcomes.items()))
        self.stdout.write(f"Sent here: {done or 'nothing was due'}")
