from django.conf import settings
from django.core.management.base import BaseCommand

from sampledata import demo


class Command(BaseCommand):
    help = "Load the demo store (once) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=300)

    def handle(self, *args, customers, **options):
        if demo.demo_exists():
            self.stdout.write("The demo store is already loaded.")
        else:
            demo.load_demo(customers=customers)
            self.stdout.write(self.style.SUCCESS(f"Loaded the demo store with {customers} "
                                                 "customers."))
        self.stdout.write(f"\nOpen {settings.SITE_URL}/ and log in as:")
        for username, password, role in demo.demo_logins():
            self.stdout.write(f"  {username:<8} {password:<12} {role}")
        self.stdout.write("  (dana has left the store: her clients are orphaned)\n")
