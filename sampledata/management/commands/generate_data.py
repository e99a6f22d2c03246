import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from insights.services import rollups_refresh
from sampledata import generate

ROLLUPS = ["insights_lastcontact", "insights_capturedonday", "insights_contactsonday"]


class Command(BaseCommand):
    help = ("Generate a realistic chain of two stores with N customers (PostgreSQL only), "
            "for benchmarks and load tests. Logins: <store>-<role>-NN, password "
            f"{generate.BENCH_PASSWORD!r}.")

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1,
                            help="The same seed gives the same people, occasions and consents.")

    def handle(self, *args, customers, seed, **options):
        if connection.vendor != "postgresql":
            raise CommandError("generate_data loads with PostgreSQL's COPY: set DATABASE_URL.")
        if customers < 1:
            raise CommandError("--customers must be at least 1.")
        started = time.monotonic()
        try:
            counts = generate.generate(customers=customers, seed=seed)
        except generate.AlreadyGenerated as error:
            raise CommandError(str(error)) from error
        # What autovacuum would do before long: statistics for the planner, and a visibility
        # map so counts can use index-only scans, as in a database that has been running.
        with connection.cursor() as cursor:
            for model in generate.LOADED:
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
            # The dashboard's roll-ups, counted once now as the first hourly run would.
            rollups_refresh()
            for table in ROLLUPS:
                cursor.execute(f"VACUUM ANALYZE {table}")
        elapsed = time.monotonic() - started
        rows = ", ".join(f"{name} {count:,}" for name, count in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Generated {customers:,} customers in "
                                             f"{elapsed:.1f} s: {rows}."))
