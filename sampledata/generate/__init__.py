"""Generated stores for benchmarks and load tests: realistic, reproducible, loaded with COPY.

`generate(customers=N, seed=S)` adds a chain of two stores (the flagship holds 80% of the
customers) with staff (some departed, their clients orphaned), customers and prospects with
2-3 occasions each, a consent ledger in realistic shares (grants, refusals, later
revocations), timelines, purchases, wish lists, walk-ins, repair envelopes with their status
history, and the messages that already went out. The same seed gives the same people,
occasions and consents; dates are relative to the moment it runs.

Rows go in through PostgreSQL's COPY in one transaction, so a failed run leaves nothing.
Simple-history rows are not written: generated profiles have no edit history.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from sampledata.generate.loader import BENCH_PASSWORD, FLAGSHIP, LOADED, Loader
from staff.models import Store

__all__ = ["BENCH_PASSWORD", "FLAGSHIP", "LOADED", "AlreadyGenerated", "generate"]


class AlreadyGenerated(Exception):
    pass


@transaction.atomic
def generate(*, customers: int, seed: int = 1, now: datetime.datetime | None = None) -> dict:
    """Load `customers` customers (and everything around them); returns rows per table."""
    if Store.objects.filter(name=FLAGSHIP).exists():
        raise AlreadyGenerated(f"{FLAGSHIP} is already here: generate into an empty database.")
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    now = now or timezone.now()
    loader = Loader(rng=rng, now=now, customers=customers)
    loader.load()
    return loader.counts()


