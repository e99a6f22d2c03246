"""The targets, the table and the machine it ran on."""

import os
import platform
from pathlib import Path

from bench import datasets

# (what, size, page or job, measure, limit)
LATENCY_TARGETS = [("search by name", "100k", 30), ("search by phone", "100k", 30),
                   ("customer page", "100k", 50), ("dashboard", "100k", 300)]
PLANNER_SECONDS, PLANNER_MB = 20, 300
REASSIGN_SECONDS = 2
GENERATE_100K_SECONDS = 120
CAMPAIGN_EXPAND_SECONDS, CAMPAIGN_PREVIEW_SECONDS = 30, 1
IMPORT_SECONDS = 60


def _target(what: str, value, limit, *, unit: str) -> dict:
    return {"what": what, "value": value, "limit": limit, "unit": unit,
            "met": value is not None and value < limit}


def targets(results: dict) -> list[dict]:
    """Every target the results can be held to (a size not measured has none)."""
    sizes, jobs, found = results["sizes"], results["jobs"], []
    for page, size, limit in LATENCY_TARGETS:
        if size in sizes:
            found.append(_target(f"{page} p95 at {size}", sizes[size]["pages"][page]["p95_ms"],
                                 limit, unit="ms"))
    measured = [size for size in ("10k", "100k") if size in sizes]
    if len(measured) == 2:
        for page, small in sizes["10k"]["pages"].items():
            large = sizes["100k"]["pages"][page]["queries"]
            found.append({"what": f"{page}: queries at 10k = at 100k",
                          "value": f"{small['queries']} / {large}", "limit": "equal",
                          "unit": "", "met": small["queries"] == large})
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
        found.append(_target("campaign at 1m: audience preview", campaign["preview_seconds"],
                             CAMPAIGN_PREVIEW_SECONDS, unit="s"))
    found += _import_and_worker_targets(jobs)
    reassign = jobs.get("bulk reassignment", {}).get("100k")
    if reassign:
        found.append(_target(f"bulk reassignment of {reassign['clients']:,} orphans",
                             reassign["seconds"], REASSIGN_SECONDS, unit="s"))
    data = sizes.get("100k", {}).get("data")
    if data:
        found.append(_target("generate 100k customers", round(data["seconds"], 1),
                             GENERATE_100K_SECONDS, unit="s"))
    return found


def _import_and_worker_targets(jobs: dict) -> list[dict]:
    """Issue 16's purchases import and issue 19's many workers, at 1m."""
    found = []
    imported = jobs.get("purchases import", {}).get("1m")
    if imported:
        found.append(_target(f"import {imported['receipts']:,} receipts at 1m",
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
    lines = [f"{'size':<5} {'page':<22} {'p50 ms':>7} {'p95 ms':>7} {'req/s':>7} "
             f"{'ceiling':>8} {'queries':>8}"]
    for size, measured in results["sizes"].items():
        for page, m in measured["pages"].items():
            lines.append(f"{size:<5} {page:<22} {m['p50_ms']:>7} {m['p95_ms']:>7} "
                         f"{m['rps']:>7} {m['ceiling_share']:>7.1%} {m['queries']:>8}")
        lines.append(f"{size:<5} {'(ceiling: bare WSGI)':<22} {'':>7} {'':>7} "
                     f"{measured['ceiling_rps']:>7} {1:>7.0%} {'':>8}")
    lines.append("")
    for job, by_size in results["jobs"].items():
        for size, m in by_size.items():
            details = ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}"
                                for k, v in m.items())
            lines.append(f"{size:<5} {job:<22} {details}")
    lines.append("")
    for t in results["targets"]:
        mark = "met   " if t["met"] else "MISSED"
        limit = f"< {t['limit']} {t['unit']}" if t["unit"] else t["limit"]
        lines.append(f"{mark} {t['what']:<45} {t['value']} {t['unit']} ({limit})")
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
