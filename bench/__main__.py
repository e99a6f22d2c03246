"""`python -m bench` (what `make bench` runs): generate or reuse each size, measure, report.

Every timed figure is the median of `--runs` runs (each run measures the bare-response ceiling
first, then every page), with the spread (min-max) kept beside it: a target fails only when
the median misses, so a busy moment on a shared machine moves the spread, not the verdict.
The machine's load average is printed before and after.
Exit status 1 when a target is missed or a page fails, 0 otherwise.
"""

import argparse
import datetime
import itertools
import json
import os
import statistics
import subprocess
import sys
import time

from bench import datasets, report, server, tablet
from bench.load import CEILING_PATH, Call, Session, latency, throughput
from bench.pages import SKIP_VARIABLE, selected

CONCURRENCY = 4
WARM_UP = 20
RUNS = 3
# A slow page stops at this many seconds of one-at-a-time requests (at least 40 of them).
LATENCY_SECONDS = 15


def log(message: str) -> None:
    sys.stderr.write(f"[{datetime.datetime.now():%H:%M:%S}] {message}\n")  # noqa: DTZ005
    sys.stderr.flush()


def in_process(command: str, size: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "bench.inprocess", command],  # noqa: S603
                          cwd=datasets.ROOT, env=datasets.environment(size),
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench.inprocess {command} at {size} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _measure_page(page, sessions, samples, args, ceiling, numbers) -> dict:
    session = sessions[page.role]
    measured = latency(session, (page.build(samples, next(numbers)) for _ in itertools.count()),
                       args.requests, seconds=LATENCY_SECONDS)
    rps = throughput(session, lambda: page.build(samples, next(numbers)),
                     concurrency=CONCURRENCY, seconds=args.seconds)
    return {**measured, "rps": rps, "ceiling_share": round(rps / ceiling, 4)}


def _median(runs: list[dict], key: str) -> dict:
    values = [run[key] for run in runs]
    return {key: round(statistics.median(values), 4 if key == "ceiling_share" else 1),
            f"{key}_spread": [min(values), max(values)]}


def summarize(runs: list[dict]) -> dict:
    """The median of each figure over the runs, with its spread (min, max)."""
    summary = {"runs": len(runs), "requests": sum(run["requests"] for run in runs)}
    for key in ("p50_ms", "p95_ms", "rps", "ceiling_share"):
        summary.update(_median(runs, key))
    return summary


def _log_in(port, samples) -> dict:
    sessions = {}
    for role, username in samples["logins"].items():
        sessions[role] = Session(port)
        sessions[role].log_in(username, samples["password"])
    return sessions


def _one_run(run, port, sessions, samples, args, numbers, size) -> tuple[float, dict]:
    if datasets.autovacuum_stand_in(size):
        log(f"{size} run {run}: autovacuum is off on this server: the counts' tables vacuumed")
    ceiling = throughput(Session(port), lambda: Call("GET", CEILING_PATH),
                         concurrency=CONCURRENCY, seconds=args.seconds)
    log(f"{size} run {run}: ceiling {ceiling} req/s, load {load()}")
    measured = {}
    for page in selected():
        if run == 1:
            for _ in range(WARM_UP):
                sessions[page.role].send(page.build(samples, next(numbers[page.name])))
        measured[page.name] = _measure_page(page, sessions, samples, args, ceiling,
                                            numbers[page.name])
        log(f"{size} run {run}: {page.name}: {measured[page.name]}")
    return ceiling, measured


def count_queries(size: str) -> dict:
    """A size below the largest: only each page's queries, to hold them equal to the
    largest size's (the timed figures are the largest size's alone)."""
    data = datasets.ensure(size, log)
    datasets.vacuum(size)
    marks = datasets.write_marks(size)
    try:
        queries = in_process("samples", size)["queries"]
    finally:
        datasets.undo_writes(size, marks)
    log(f"{size}: queries {queries}")
    return {"data": data, "pages": {page.name: {"queries": queries[page.name]}
                                    for page in selected()}}


def measure_pages(size: str, args, *, with_tablet: bool = False) -> dict:
    data = datasets.ensure(size, log)
    datasets.vacuum(size)
    marks = datasets.write_marks(size)
    try:
        prepared = in_process("samples", size)
        samples, queries = prepared["samples"], prepared["queries"]
        with server.running(size) as port:
            sessions = _log_in(port, samples)
            numbers = {page.name: itertools.count() for page in selected()}
            ceilings, runs = [], []
            for run in range(1, args.runs + 1):
                # Each run measures the same data: what was written before it (the samples'
                # saves; the run before's walk-ins and take-ins, a thousand-odd with their
                # timeline, counts and history) goes, and its tables are vacuumed. Left in
                # place, every page slowed from one run to the next (the customer page's p50
                # 4.2, 7.2, 7.7 ms; with no saves in the runs it did not).
                removed = datasets.undo_writes(size, marks, vacuum=True)
                log(f"{size} run {run}: removed the {removed:,} rows written before it")
                ceiling, measured = _one_run(run, port, sessions, samples, args, numbers, size)
                ceilings.append(ceiling)
                runs.append(measured)
            pages = {page.name: {**summarize([run[page.name] for run in runs]),
                                 "queries": queries[page.name]} for page in selected()}
            found = {"data": data, "ceiling_rps": statistics.median(ceilings),
                     "ceiling_spread": [min(ceilings), max(ceilings)], "pages": pages}
            if with_tablet:
                found["tablet"] = _tablet(port, samples)
                log(f"{size}: tablet {found['tablet']}")
    finally:
        removed = datasets.undo_writes(size, marks)
        log(f"{size}: removed the {removed:,} rows the benchmark wrote")
    return found


def _tablet(port, samples) -> dict:
    """The floor pages in Chromium; a browser that cannot run is reported, not a lost run."""
    try:
        return tablet.measure(port, samples)
    except Exception as error:  # noqa: BLE001 - shown as a missed target, the run kept
        log(f"tablet: {error}")
        return {"(Chromium failed)": {"kb": None, "requests": 0, "dcl_ms": None,
                                      "load_ms": None, "error": str(error)[:300]}}


def load() -> list[float]:
    """The machine's load average (1, 5, 15 minutes): what else was running meanwhile."""
    return [round(n, 2) for n in os.getloadavg()]


def measure_jobs(args, results: dict) -> None:
    jobs = results["jobs"]
    for size in args.planner_sizes:
        if size not in results["sizes"]:
            results["generated"][size] = datasets.ensure(size, log)
            datasets.vacuum(size)
        jobs.setdefault("planner", {})[size] = in_process("planner", size)
        log(f"{size}: planner {jobs['planner'][size]}")
        jobs.setdefault("campaign", {})[size] = in_process("campaign", size)
        log(f"{size}: campaign {jobs['campaign'][size]}")
        jobs.setdefault("dashboard", {})[size] = in_process("dashboard", size)
        log(f"{size}: dashboard {jobs['dashboard'][size]}")
    if "1m" in args.planner_sizes:
        in_process("purchases_file", "1m")
        jobs["purchases import"] = {"1m": in_process("purchases_import", "1m")}
        log(f"1m: purchases import {jobs['purchases import']['1m']}")
        jobs["many workers"] = {"1m": in_process("workers", "1m")}
        log(f"1m: many workers {jobs['many workers']['1m']}")
    if "100k" in {*args.sizes, *args.planner_sizes}:
        jobs["bulk reassignment"] = {"100k": in_process("reassign", "100k")}
        log(f"100k: bulk reassignment {jobs['bulk reassignment']['100k']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    # Pages timed at the largest size; their queries counted at every size (they must not
    # grow with the store); 100k stays a size for the jobs (the planner, the reassignment).
    parser.add_argument("--sizes", default="10k,1m",
                        help="sizes for the pages: timed at the largest, queries at each")
    parser.add_argument("--planner-sizes", default="100k,1m", help="sizes for the planner")
    parser.add_argument("--requests", type=int, default=100,
                        help="requests per page and run, one at a time, for p50/p95")
    parser.add_argument("--seconds", type=float, default=3,
                        help=f"seconds per page and run at {CONCURRENCY} connections for req/s")
    parser.add_argument("--runs", type=int, default=RUNS,
                        help="runs of every page; each figure is their median")
    parser.add_argument("--skip", default="",
                        help="pages not to measure this time, by name, comma-separated")
    parser.add_argument("--no-tablet", dest="tablet", action="store_false",
                        help="skip the floor pages in Chromium on an emulated slow network")
    parser.add_argument("--output", default=str(datasets.ROOT / "bench" / "results.json"))
    args = parser.parse_args(argv)
    args.sizes = [s for s in args.sizes.split(",") if s]
    args.planner_sizes = [s for s in args.planner_sizes.split(",") if s]
    os.environ[SKIP_VARIABLE] = args.skip  # bench.inprocess counts the same pages
    started = time.monotonic()
    log(f"load average before: {load()}")
    datasets.ensure_database()
    results = {"ran_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
               "machine": report.machine(),
               "method": {"workers": server.WORKERS, "latency_requests": args.requests,
                          "concurrency": CONCURRENCY, "throughput_seconds": args.seconds,
                          "runs": args.runs},
               "load": {"before": load()}, "sizes": {}, "generated": {}, "jobs": {}}
    largest = max(args.sizes, key=datasets.SIZES.get, default=None)
    for size in args.sizes:
        # Pages (and the tablet) are timed at the largest size; the others count queries.
        results["sizes"][size] = (measure_pages(size, args, with_tablet=args.tablet)
                                  if size == largest else count_queries(size))
    measure_jobs(args, results)
    results["load"]["after"] = load()
    results["targets"] = report.targets(results)
    results["passed"] = all(t["met"] for t in results["targets"])
    results["minutes"] = round((time.monotonic() - started) / 60, 1)
    with open(args.output, "w") as out:
        json.dump(results, out, indent=2)
        out.write("\n")
    sys.stdout.write(report.table(results) + "\n")
    log(f"load average after: {results['load']['after']}")
    log(f"done in {results['minutes']} min; results in {args.output}")
    return 0 if results["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
