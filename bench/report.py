"""The targets, the table and the machine it ran on."""

import os
import platform
from pathlib import Path

from bench import datasets
from bench.tablet import FIRST_VISIT

# (page, size, p95 limit in ms): each held to the median of the runs.
LATENCY_TARGETS = [("search by name", "100k", 30), ("search by phone", "100k", 30),
                   ("customer page", "100k", 50), ("dashboard", "100k", 300),
                   ("search by name", "1m", 30), ("search by phone", "1m", 30),
                   ("customer page", "1m", 50), ("My clients", "1m", 50),
                   ("FOLLOW-UP", "1m", 50), ("orphan list", "1m", 50)]
# Queries per request, session, user, staff member, store and permissions included.
QUERY_BUDGETS = {"search by name": 8, "search by phone": 8, "search page": 8,
                 "customer page": 8, "My clients": 8, "FOLLOW-UP": 8, "orphan list": 8,
                 "walk-in save": 20}
# Requests per second as a share of the bare-response ceiling of the same run.
CEILING_SHARE, SHARE_PAGES = 0.10, ("customer page", "search page", "My clients")
# The floor tablet on slow Wi-Fi (bench.tablet): bytes on the wire and time to usable.
TABLET_KB, TABLET_MS = 100, 1500
PLANNER_SECONDS, PLANNER_MB = 20, 300
REASSIGN_SECONDS = 2
GENERATE_100K_SECONDS = 120
CAMPAIGN_EXPAND_SECONDS, CAMPAIGN_PREVIEW_SECONDS = 30, 1
DASHBOARD_1M_MS = 300
IMPORT_SECONDS = 60


def _target(what: str, value, limit, *, unit: str) -> dict:
    return {"what": what, "value": value, "limit": limit, "unit": unit,
            "met": value is not None and value < limit}


def _largest(sizes: dict) -> str | None:
    return max(sizes, key=lambda size: datasets.SIZES[size], default=None)


def _page_targets(sizes: dict) -> list[dict]:
    """Queries that do not grow with the store (smallest size = largest), the query budget,
    throughput as a share of the ceiling, and the tablet, each at the largest size measured."""
    found, largest = [], _largest(sizes)
    if largest is None:
        return found
    smallest = min(sizes, key=lambda size: datasets.SIZES[size])
    pages = sizes[largest]["pages"]
    if smallest != largest:
        for page, small in sizes[smallest]["pages"].items():
            if page not in pages:
                continue
            large = pages[page]["queries"]
            found.append({"what": f"{page}: queries at {smallest} = at {largest}",
                          "value": f"{small['queries']} / {large}", "limit": "equal",
                          "unit": "", "met": small["queries"] == large})
    for page, budget in QUERY_BUDGETS.items():
        if page in pages:
            found.append({**_target(f"{page}: queries at {largest}", pages[page]["queries"],
                                    budget + 1, unit="queries"), "limit": f"<= {budget}"})
    for page in SHARE_PAGES:
        if page in pages:
            share = pages[page]["ceiling_share"]
            found.append({"what": f"{page}: share of the ceiling at {largest}",
                          "value": round(share * 100, 1), "unit": "%",
                          "limit": f">= {CEILING_SHARE:.0%}", "met": share >= CEILING_SHARE})
    for page, m in sizes[largest].get("tablet", {}).items():
        found.append(_target(f"tablet: {page}: transferred", m["kb"], TABLET_KB, unit="KB"))
        if page != FIRST_VISIT:
            found.append(_target(f"tablet: {page}: usable (load)", m["load_ms"], TABLET_MS,
                                 unit="ms"))
    return found


def targets(results: dict) -> list[dict]:
    """Every target the results can be held to (a size not measured has none)."""
    sizes, jobs, found = results["sizes"], results["jobs"], []
    for page, size, limit in LATENCY_TARGETS:
        # A page skipped this time (--skip), or only counted at this size, has no verdict.
        if "p95_ms" in sizes.get(size, {}).get("pages", {}).get(page, {}):
            found.append(_target(f"{page} p95 at {size}", sizes[size]["pages"][page]["p95_ms"],
                                 limit, unit="ms"))
    found += _page_targets(sizes)
    planner = jobs.get("planner", {}).get("1m")
    if planner:
        found.append(_target("planner at 1m: time", planner["seconds"], PLANNER_SECONDS,
                             unit="s"))
        found.append(_target("planner at 1m: peak memory", planner["peak_mb"], PLANNER_MB,
                             unit="MB"))
    campaign = jobs.get("campaign", {}).get("1m")
    if campaign:
        found.append(_target(f"campaign at 1m: expand {campaign['messages']:,} messages",
                             campaign["expand_seconds"], CAMPAIGN_EXPAND_SECONDS, unit="s"))
        found.append(_target("campaign at 1m: audience preview (median of 3)",
                             campaign["preview_seconds"], CAMPAIGN_PREVIEW_SECONDS, unit="s"))
    found += _dashboard_targets(jobs.get("dashboard", {}))
    found += _import_and_worker_targets(jobs)
    reassign = jobs.get("bulk reassignment", {}).get("100k")
    if reassign:
        runs = f", median of {reassign['runs']}" if "runs" in reassign else ""
        found.append(_target(f"bulk reassignment of {reassign['clients']:,} orphans{runs}",
                             reassign["seconds"], REASSIGN_SECONDS, unit="s"))
    data = sizes.get("100k", {}).get("data") or results.get("generated", {}).get("100k")
    if data:
        found.append(_target("generate 100k customers", round(data["seconds"], 1),
                             GENERATE_100K_SECONDS, unit="s"))
    return found


def _spread(m: dict, key: str, fmt: str = "") -> str:
    low, high = m.get(f"{key}_spread", [m[key], m[key]])
    return f"{low:{fmt}}-{high:{fmt}}"


def _page_lines(size: str, measured: dict) -> list[str]:
    lines = []
    if "ceiling_rps" not in measured:  # a size whose queries alone were counted
        return [f"{size:<5} {page:<22} {'':>7} {'':>7} {'':>13} {'':>7} {'':>13} {'':>7} "
                f"{'':>13} {m['queries']:>7}" for page, m in measured["pages"].items()]
    for page, m in measured["pages"].items():
        lines.append(f"{size:<5} {page:<22} {m['p50_ms']:>7} {m['p95_ms']:>7} "
                     f"{_spread(m, 'p95_ms'):>13} {m['rps']:>7} {_spread(m, 'rps'):>13} "
                     f"{m['ceiling_share']:>7.1%} {_spread(m, 'ceiling_share', '.1%'):>13} "
                     f"{m['queries']:>7}")
    ceiling = f"{measured['ceiling_rps']:.0f}"
    low, high = measured.get("ceiling_spread", [measured["ceiling_rps"]] * 2)
    lines.append(f"{size:<5} {'(ceiling: bare WSGI)':<22} {'':>7} {'':>7} {'':>13} "
                 f"{ceiling:>7} {f'{low:.0f}-{high:.0f}':>13} {1:>7.0%}")
    for page, m in measured.get("tablet", {}).items():
        if m.get("kb") is None:  # Chromium could not run: say why, keep the rest of the table
            lines.append(f"{size:<5} tablet: {page:<14} {m.get('error', 'no figure')}")
            continue
        lines.append(f"{size:<5} tablet: {page:<14} {m['kb']:>6} KB, DOMContentLoaded "
                     f"{m['dcl_ms']} ms, load {m['load_ms']} ms ({m['requests']} requests)")
    return lines


def _dashboard_targets(dashboard: dict) -> list[dict]:
    """The dashboard at 1m, in-process: median server time, and the same queries as at
    100k (a constant number, whatever the store's size)."""
    found = []
    if "1m" in dashboard:
        found.append(_target("dashboard at 1m: server time (median)",
                             dashboard["1m"]["p50_ms"], DASHBOARD_1M_MS, unit="ms"))
    if {"100k", "1m"} <= set(dashboard):
        small, large = dashboard["100k"]["queries"], dashboard["1m"]["queries"]
        found.append({"what": "dashboard: queries at 100k = at 1m", "value": f"{small} / {large}",
                      "limit": "equal", "unit": "", "met": small == large})
    return found


def _import_and_worker_targets(jobs: dict) -> list[dict]:
    """Issue 16's purchases import and issue 19's many workers, at 1m."""
    found = []
    imported = jobs.get("purchases import", {}).get("1m")
    if imported:
        runs = f", median of {imported['runs']}" if "runs" in imported else ""
        found.append(_target(f"import {imported['receipts']:,} receipts at 1m{runs}",
                             imported["seconds"], IMPORT_SECONDS, unit="s"))
        found.append(_target("re-import of the same file (changes nothing)",
                             imported["reimport_seconds"], IMPORT_SECONDS, unit="s"))
    workers = jobs.get("many workers", {}).get("1m")
    if workers:
        n = workers["workers"]
        for step in ("plan", "send"):
            found.append(_target(f"{step} with {n} workers, faster than with 1 at 1m",
                                 workers[f"{step}_{n}_s"], workers[f"{step}_1_s"], unit="s"))
        found.append({"what": f"{n} workers plan and send each message once",
                      "value": workers["same_messages"], "limit": "True", "unit": "",
                      "met": workers["same_messages"] is True})
    return found


def table(results: dict) -> str:
    """Medians of the runs, with their spread (min-max), and the ceiling of the same runs."""
    load = results.get("load", {})
    lines = [f"load average before {load.get('before')}, after {load.get('after')}; "
             f"figures are medians of {results['method'].get('runs', 1)} runs (spread min-max)",
             f"{'size':<5} {'page':<22} {'p50 ms':>7} {'p95 ms':>7} {'p95 spread':>13} "
             f"{'req/s':>7} {'req/s spread':>13} {'ceiling':>7} {'share spread':>13} "
             f"{'queries':>7}"]
    for size, measured in results["sizes"].items():
        lines += _page_lines(size, measured)
    lines.append("")
    for job, by_size in results["jobs"].items():
        for size, m in by_size.items():
            details = ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}"
                                for k, v in m.items())
            lines.append(f"{size:<5} {job:<22} {details}")
    lines.append("")
    for t in results["targets"]:
        mark = "met   " if t["met"] else "MISSED"
        limit = t["limit"] if isinstance(t["limit"], str) else f"< {t['limit']} {t['unit']}"
        lines.append(f"{mark} {t['what']:<50} {t['value']} {t['unit']} ({limit})")
    return "\n".join(lines)


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next((line.split(":", 1)[1].strip() for line in cpuinfo
                if line.startswith("model name")), platform.processor())
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text()
                     .splitlines() if line.startswith("MemTotal"))
    with datasets.connect() as connection, connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gb": round(memory_kb / 1024 ** 2, 1),
            "python": platform.python_version(), "postgresql": postgres}


def markdown(results: dict) -> str:
    """The README's table: `python -c "import json; from bench import report;
    print(report.markdown(json.load(open('bench/results.json'))))"`."""
    rows = ["| size | page | p50 ms | p95 ms (spread) | req/s (spread) | of ceiling (spread) "
            "| queries |", "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    for size, measured in results["sizes"].items():
        if "ceiling_rps" not in measured:  # queries alone
            rows += [f"| {size} | {page} | | | | | {m['queries']} |"
                     for page, m in measured["pages"].items()]
            continue
        for page, m in measured["pages"].items():
            rows.append(f"| {size} | {page} | {m['p50_ms']} | {m['p95_ms']} "
                        f"({_spread(m, 'p95_ms')}) | {m['rps']} ({_spread(m, 'rps')}) | "
                        f"{m['ceiling_share']:.1%} ({_spread(m, 'ceiling_share', '.1%')}) | "
                        f"{m['queries']} |")
        low, high = measured.get("ceiling_spread", [measured["ceiling_rps"]] * 2)
        rows.append(f"| {size} | ceiling (bare WSGI) | | | {measured['ceiling_rps']:.0f} "
                    f"({low:.0f}-{high:.0f}) | 100% | |")
    return "\n".join(rows)
