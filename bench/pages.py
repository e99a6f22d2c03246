"""The pages the benchmark measures, as the store uses them.

Each page turns the samples picked from the data (`bench.inprocess samples`) and a running
number into one request; writes get a fresh one-time key each, like a new form would.
Search is measured twice: the htmx partial the box fetches while someone types, and the full
search page (what a link or a reload shows).
"""

import datetime
import os
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from bench.load import Call


@dataclass(frozen=True)
class Page:
    name: str
    role: str
    build: Callable[[dict, int], Call]
    writes: bool = False


def _pick(samples: dict, key: str, n: int):
    values = samples[key]
    return values[n % len(values)]


def search_by_name(samples, n) -> Call:
    query = urllib.parse.quote(_pick(samples, "names", n))
    return Call("GET", f"/customers/search/?q={query}", htmx=True)


def search_by_phone(samples, n) -> Call:
    query = urllib.parse.quote(_pick(samples, "phones", n))
    return Call("GET", f"/customers/search/?q={query}", htmx=True)


def search_page(samples, n) -> Call:
    """The whole search page, base template and all, for a name."""
    query = urllib.parse.quote(_pick(samples, "names", n))
    return Call("GET", f"/customers/search/?q={query}")


def customer_page(samples, n) -> Call:
    return Call("GET", f"/customers/{_pick(samples, 'customers', n)}/")


def my_clients(samples, n) -> Call:
    return Call("GET", "/customers/")


def follow_up(samples, n) -> Call:
    """FOLLOW-UP: the associate's own customers with a date coming or who asked to hear."""
    return Call("GET", "/customers/follow-up/")


def orphan_list(samples, n) -> Call:
    return Call("GET", "/staff/orphans/")


def dashboard(samples, n) -> Call:
    """The manager's landing page: every figure of the store, this month."""
    return Call("GET", "/dashboard/")


def walk_in_save(samples, n) -> Call:
    """A new person at the counter: name, mobile, email, birthday, a yes to email reminders."""
    key = uuid.uuid4()
    first, last = _pick(samples, "walk_in_names", n)
    return Call("POST", "/customers/walk-in/", {
        "key": str(key), "first_name": first, "last_name": last,
        # An area code the generator never gives (sampledata's AREA_CODES): at 1m, a Chicago
        # number matched a generated customer's within a few hundred walk-ins, and the form
        # rightly stopped to show the likely duplicate instead of saving.
        "phone": f"(646) {200 + n % 700:03d}-{n % 10_000:04d}",
        "email": f"{first}.{last}.{key.hex[:10]}@walk-in.example".lower(),
        "birthday_month": str(1 + n % 12), "birthday_day": str(1 + n % 28),
        "looked_at": "Sapphire halo ring", "bought": "no", "why_not": "Thinking it over",
        "consent_email": "on",
    }, expect=302)


def repair_take_in_save(samples, n) -> Call:
    """A returning customer, found at the counter, leaves a ring to be resized."""
    customer_id, email = _pick(samples, "take_in", n)
    promised = datetime.date.fromisoformat(samples["today"]) + datetime.timedelta(days=10)
    return Call("POST", "/repairs/take-in/", {
        "take_in_key": str(uuid.uuid4()), "customer": str(customer_id), "email": email,
        "item_type": "ring", "item_description": "14k gold solitaire",
        "work_requested": "Resize from 6 to 7", "condition": "Light wear",
        "estimate": "65.00", "deposit": "0", "promised_on": promised.isoformat(),
    }, expect=302)


PAGES = [
    Page("search by name", "salesperson", search_by_name),
    Page("search by phone", "salesperson", search_by_phone),
    Page("search page", "salesperson", search_page),
    Page("customer page", "salesperson", customer_page),
    Page("My clients", "salesperson", my_clients),
    Page("FOLLOW-UP", "salesperson", follow_up),
    Page("walk-in save", "salesperson", walk_in_save, writes=True),
    Page("repair take-in save", "service", repair_take_in_save, writes=True),
    Page("orphan list", "manager", orphan_list),
    Page("dashboard", "manager", dashboard),
]

# Pages a run leaves out (`python -m bench --skip "dashboard"`), read by bench.inprocess too.
SKIP_VARIABLE = "BENCH_SKIP_PAGES"


def selected() -> list[Page]:
    skipped = {name.strip() for name in os.environ.get(SKIP_VARIABLE, "").split(",")}
    return [page for page in PAGES if page.name not in skipped]
