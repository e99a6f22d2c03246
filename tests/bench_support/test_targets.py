"""What makes `make bench` fail: a target missed, or a page whose queries grow with the data."""

from bench import report


def _page(p95, queries):
    return {"p50_ms": p95 / 2, "p95_ms": p95, "rps": 100.0, "ceiling_share": 0.02,
            "queries": queries}


def _results(*, search_p95=10.0, queries_at_100k=6, planner_seconds=3.0):
    pages = {"search by name": _page(search_p95, queries_at_100k),
             "search by phone": _page(5.0, 6), "customer page": _page(15.0, 16),
             "dashboard": _page(120.0, 28)}
    return {
        "sizes": {
            "10k": {"pages": {**pages, "search by name": _page(8.0, 6)}},
            "100k": {"pages": pages, "data": {"seconds": 12.0}},
        },
        "jobs": {"planner": {"1m": {"seconds": planner_seconds, "peak_mb": 70.0}},
                 "bulk reassignment": {"100k": {"seconds": 1.2, "clients": 10_000}}},
    }


def _missed(results):
    return [t["what"] for t in report.targets(results) if not t["met"]]


def test_a_run_within_every_target_passes():
    assert _missed(_results()) == []
    assert len(report.targets(_results())) == 4 + 4 + 2 + 1 + 1


def test_a_slow_search_at_100k_fails_the_run():
    assert _missed(_results(search_p95=30.0)) == ["search by name p95 at 100k"]


def test_queries_that_grow_with_the_store_fail_the_run():
    assert _missed(_results(queries_at_100k=7)) == ["search by name: queries at 10k = at 100k"]


def test_a_slow_planner_at_a_million_customers_fails_the_run():
    assert _missed(_results(planner_seconds=20.5)) == ["planner at 1m: time"]
