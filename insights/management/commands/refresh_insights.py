from django.core.management.base import BaseCommand

from insights.services import rollups_refresh


class Command(BaseCommand):
    help = ("Bring the dashboard's roll-ups up to now: each customer's last contact (only "
            "those touched since the last run) and orphans at each past month's end (Celery "
            "beat runs it hourly).")

    def handle(self, *args, **options):
        done = rollups_refresh()
        self.stdout.write(f"{done['last_contacts']} last contacts, "
                          f"{done['orphan_months']} month ends counted")
