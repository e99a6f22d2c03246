import datetime

from django.core.management.base import BaseCommand, CommandError

from followups.planner import plan_followups


class Command(BaseCommand):
    help = "Plan occasion reminders and calls for every store (Celery beat runs it hourly)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Plan as if today were YYYY-MM-DD.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Count what would be planned and who is skipped, and why.")

    def handle(self, *args, date=None, dry_run=False, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError as exc:
                raise CommandError(f"--date must be YYYY-MM-DD, not {date!r}.") from exc
        for result in plan_followups(today=today, dry_run=dry_run):
            if dry_run:
                self.stdout.write(f"{result.store} (dry run, nothing saved):")
                for outcome, count in result.outcomes.items():
                    self.stdout.write(f"  {outcome}: {count}")
            else:
                self.stdout.write(f"{result.store}: {result.messages} messages planned, "
                                  f"{result.calls} calls for associates")
