"""The purchases import at chain scale (issue 16): a POS file of IMPORT_RECEIPTS receipts for
the flagship, written once from the size's data, imported by the worker's code, then imported
again (which must change nothing), inside one transaction rolled back afterwards.

The import is timed as the pages are (issue 19): the median of IMPORT_RUNS runs, each from the
same state. Before each, the tables it writes are vacuumed and the server checkpoints: a
rolled-back run leaves ~100,000 dead customer versions and their index entries behind, and
the jobs before it (the campaign, the dashboard's roll-up) leave their writes in the shared
buffers. After two rolled-back runs the same import took 71.6 s; once its tables were
vacuumed, 56.8 s.
The re-import is checked in the first run.

The file is deterministic (seeded from the customers' ids, sorted): half the receipts find
their customer by email (and bring a POS id the customer keeps), a quarter by phone, the rest
are new buyers (a POS id and a name) and their later receipts (the POS id alone); one receipt
in two hundred is refused (an amount that is not one, or an associate the store never had).
"""

import csv
import datetime
import random
import resource
import statistics
import time
from pathlib import Path

IMPORT_RECEIPTS = 100_000
IMPORT_RUNS = 3
# What an import writes: its purchases, their lines and timeline entries, the buyers (with
# their history, assignments, counts and occasions' book) and the audit entry.
IMPORT_TABLES = ("crm_customer", "crm_historicalcustomer", "crm_purchase", "crm_purchaseline",
                 "crm_interaction", "crm_import", "crm_occasion", "crm_clientcount",
                 "staff_assignment", "followups_calltask", "core_auditentry")
SEED = 16
HEADER = ["receipt", "date", "customer_pos_id", "email", "phone", "first_name", "last_name",
          "category", "metal", "stones", "description", "amount", "associate"]
PIECES = [("Rings", "18k gold", "diamond", "Solitaire ring"),
          ("Earrings", "sterling silver", "", "Hoop earrings"),
          ("Necklaces", "14k white gold", "sapphire", "Pendant on a chain"),
          ("Watches", "steel", "", "Automatic watch"),
          ("Bracelets", "platinum", "diamonds", "Tennis bracelet"),
          ("Care", "", "", "Cleaning and prong check")]


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def file_path() -> Path:
    from django.conf import settings

    return Path(settings.BASE_DIR) / "var" / "bench" / f"purchases-{IMPORT_RECEIPTS}.csv"


def _customers(store, rng) -> list[tuple]:
    from crm.models import Customer

    ids = sorted(Customer.objects.for_store(store).values_list("pk", flat=True))
    picked = sorted(rng.sample(ids, IMPORT_RECEIPTS))
    found = []
    for start in range(0, len(picked), 10_000):
        found += Customer.objects.filter(pk__in=picked[start:start + 10_000]).order_by("pk") \
            .values_list("pk", "email", "phone", "first_name", "last_name")
    rng.shuffle(found)
    return found


def _who(n: int, rng, person, newcomers: list) -> list[str]:
    """(customer_pos_id, email, phone, first_name, last_name) of receipt n."""
    pk, email, phone, first, last = person
    roll = rng.random()
    if roll < 0.5 and email:
        return [f"P-{pk}", email, "", "", ""]
    if roll < 0.75 and phone:
        return ["", "", str(phone), "", ""]
    if roll < 0.9 or not newcomers:
        newcomers.append(f"N-{n}")
        return [f"N-{n}", f"new.{n}@pos.example", "", first, last]
    return [rng.choice(newcomers), "", "", "", ""]


def write_file(store) -> dict:
    """The file, written once per size (it depends only on the data and the seed)."""
    from crm.selectors import associates_by_name

    path = file_path()
    if path.exists():
        return {"path": str(path), "bytes": path.stat().st_size, "reused": True}
    rng = random.Random(SEED)  # noqa: S311 - a reproducible file, not a secret
    names = sorted({member.display_name for member in associates_by_name(store=store).values()})
    today = store.today()
    newcomers: list[str] = []
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    with partial.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for n, person in enumerate(_customers(store, rng), start=1):
            who = _who(n, rng, person, newcomers)
            day = (today - datetime.timedelta(days=rng.randrange(1, 730))).isoformat()
            associate = rng.choice(names) if rng.random() < 0.9 else ""
            if rng.random() < 0.002:
                associate = "Nobody Known"
            for _ in range(1 + int(rng.random() ** 2 * 3)):
                category, metal, stones, description = rng.choice(PIECES)
                amount = f"{rng.lognormvariate(6.5, 1):.2f}" if rng.random() > 0.003 else "ten"
                writer.writerow([f"B-{n:06d}", day, *who, category, metal, stones, description,
                                 amount, associate])
    partial.rename(path)
    return {"path": str(path), "bytes": path.stat().st_size, "reused": False}


def _import_once(store, manager, path: Path) -> dict:
    from django.core.files import File

    from crm.models import Import, Purchase
    from crm.services import import_start, import_upload
    from crm.services.imports import import_process

    with path.open("rb") as binary:
        run = import_upload(store=store, kind="purchases", upload=File(binary, name=path.name),
                            by=manager)
    import_start(run=run, by=manager)
    purchases = Purchase.objects.count()
    started = time.perf_counter()
    # A worker hands the rest of a long file to a fresh task (SLICE_SECONDS): here, at once.
    while (outcome := import_process(import_id=run.pk)) == "continued":
        pass
    seconds = time.perf_counter() - started
    run = Import.objects.get(pk=run.pk)
    run.file.delete(save=False)
    return {"seconds": round(seconds, 1), "outcome": outcome, "rows": run.rows_done,
            "created": run.created, "unchanged": run.unchanged, "refused": run.refused,
            "purchases_added": Purchase.objects.count() - purchases}


def _one_run(store, manager, path: Path, *, again: bool) -> dict:
    """Import the file (and, if `again`, the same file once more); everything rolled back."""
    from django.db import transaction

    from bench.inprocess import same_start
    from crm.models import Customer

    same_start(IMPORT_TABLES)
    customers = Customer.objects.count()
    with transaction.atomic():
        found = _import_once(store, manager, path)
        found["new_customers"] = Customer.objects.count() - customers
        if again:
            found["again"] = _import_once(store, manager, path)
        transaction.set_rollback(True)
    return found


def purchases_import(store, manager) -> dict:
    """Import the file IMPORT_RUNS times, the first followed by the same file again; the
    median and the spread of the imports' times."""
    path = file_path()
    if not path.exists():
        raise SystemExit(f"{path} is missing: run `python -m bench.inprocess purchases_file`.")
    before = _peak_mb()
    runs = [_one_run(store, manager, path, again=n == 0) for n in range(IMPORT_RUNS)]
    first, again = runs[0], runs[0]["again"]
    if again["created"] or again["purchases_added"]:
        raise SystemExit(f"The second import changed something: {again}")
    if any(run["created"] != first["created"] for run in runs):
        raise SystemExit(f"The runs imported different receipts: {runs}")
    seconds = [run["seconds"] for run in runs]
    return {"receipts": first["created"] + first["refused"], "rows": first["rows"],
            "seconds": round(statistics.median(seconds), 1),
            "seconds_spread": [min(seconds), max(seconds)], "runs": len(runs),
            "created": first["created"], "refused": first["refused"],
            "new_customers": first["new_customers"],
            "reimport_seconds": again["seconds"], "reimport_unchanged": again["unchanged"],
            "peak_mb": _peak_mb(), "baseline_mb": before,
            "file_mb": round(path.stat().st_size / 1024 ** 2, 1)}
