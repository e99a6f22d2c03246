"""`python -m bench` (what `make bench` runs): generate or reuse each size, measure, report.

Exit status 1 when a target is missed or a page fails, 0 otherwise.
"""

import argparse
import datetime
import itertools
import json
import subprocess
import sys
import time

from bench import datasets, report, server
from bench.load import CEILING_PATH, Call, Session, latency, throughput
from bench.pages import PAGES

CONCURRENCY = 4
WARM_UP = 20
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


def _measure_page(page, sessions, samples, args, ceiling) -> dict:
    session = sessions[page.role]
    numbers = itertools.count()
    for _ in range(WARM_UP):
        session.send(page.build(samples, next(numbers)))
    measured = latency(session, (page.build(samples, next(numbers)) for _ in itertools.count()),
                       args.requests, seconds=LATENCY_SECONDS)
    rps = throughput(session, lambda: page.build(samples, next(numbers)),
                     concurrency=CONCURRENCY, seconds=args.seconds)
    return {**measured, "rps": rps, "ceiling_share": round(rps / ceiling, 4)}


def measure_pages(size: str, args) -> dict:
    data = datasets.ensure(size, log)
    datasets.vacuum(size)
    marks = datasets.write_marks(size)
    try:
        prepared = in_process("samples", size)
        samples, queries = prepared["samples"], prepared["queries"]
        with server.running(size) as port:
            sessions = {}
            for role, username in samples["logins"].items():
                sessions[role] = Session(port)
                sessions[role].log_in(username, samples["password"])
            ceiling = throughput(Session(port), lambda: Call("GET", CEILING_PATH),
                                 concurrency=CONCURRENCY, seconds=args.seconds)
            log(f"{size}: ceiling {ceiling} req/s")
            pages = {}
            for page in PAGES:
                pages[page.name] = {**_measure_page(page, sessions, samples, args, ceiling),
                                    "queries": queries[page.name]}
                log(f"{size}: {page.name}: {pages[page.name]}")
    finally:
        removed = datasets.undo_writes(size, marks)
        log(f"{size}: removed the {removed:,} rows the benchmark wrote")
    return {"data": data, "ceiling_rps": ceiling, "pages": pages}


def measure_jobs(args, results: dict) -> None:
    jobs = results["jobs"]
    for size in args.planner_sizes:
        if size not in results["sizes"]:
            datasets.ensure(size, log)
            datasets.vacuum(size)
        jobs.setdefault("planner", {})[size] = in_process("planner", size)
        log(f"{size}: planner {jobs['planner'][size]}")
        jobs.setdefault("campaign", {})[size] = in_process("campaign", size)
        log(f"{size}: campaign {jobs['campaign'][size]}")
    if "1m" in args.planner_sizes:
        in_process("purchases_file", "1m")
        jobs["purchases import"] = {"1m": in_process("purchases_import", "1m")}
        log(f"1m: purchases import {jobs['purchases import']['1m']}")
        jobs["many workers"] = {"1m": in_process("workers", "1m")}
        log(f"1m: many workers {jobs['many workers']['1m']}")
    if "100k" in args.sizes:
        jobs["bulk reassignment"] = {"100k": in_process("reassign", "100k")}
        log(f"100k: bulk reassignment {jobs['bulk reassignment']['100k']}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--sizes", default="10k,100k", help="sizes for the pages")
    parser.add_argument("--planner-sizes", default="100k,1m", help="sizes for the planner")
    parser.add_argument("--requests", type=int, default=200,
                        help="requests per page, one at a time, for p50/p95")
    parser.add_argument("--seconds", type=float, default=4,
                        help=f"seconds per page at {CONCURRENCY} connections for req/s")
    parser.add_argument("--output", default=str(datasets.ROOT / "bench" / "results.json"))
    args = parser.parse_args(argv)
    args.sizes = [s for s in args.sizes.split(",") if s]
    args.planner_sizes = [s for s in args.planner_sizes.split(",") if s]
    started = time.monotonic()
    datasets.ensure_database()
    results = {"ran_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
               "machine": report.machine(),
               "method": {"workers": server.WORKERS, "latency_requests": args.requests,
                          "concurrency": CONCURRENCY, "throughput_seconds": args.seconds},
               "sizes": {}, "jobs": {}}
    for size in args.sizes:
        results["sizes"][size] = measure_pages(size, args)
    measure_jobs(args, results)
    results["targets"] = report.targets(results)
    results["passed"] = all(t["met"] for t in results["targets"])
    results["minutes"] = round((time.monotonic() - started) / 60, 1)
    with open(args.output, "w") as out:
        json.dump(results, out, indent=2)
        out.write("\n")
    sys.stdout.write(report.table(results) + "\n")
    log(f"done in {results['minutes']} min; results in {args.output}")
    return 0 if results["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
