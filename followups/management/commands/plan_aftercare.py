from django.core.management.base import BaseCommand

from followups.aftercare import plan_aftercare


class Command(BaseCommand):
    help = "Plan aftercare messages from purchases for every store (Celery beat runs it hourly)."

    def handle(self, *args, **options):
        for result in plan_aftercare():
            skipped = ", ".join(f"{why}: {n}" for why, n in result.skipped.items()) or "none"
            self.stdout.write(f"{result.store}: {result.planned} messages planned "
                              f"(skipped: {skipped})")
