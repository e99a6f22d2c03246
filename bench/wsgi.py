"""What gunicorn serves during the benchmark: Loupe itself, plus the ceiling.

The ceiling is a bare WSGI response of two bytes: the most this server, these workers and
this load client can do on this machine, so each page's throughput can be read as a share of
it. Every Loupe response carries `X-Bench-Ms`, the time spent inside Django (the response is
rendered by the time Django starts it), so latency is the server's, not the client's.
It lives here, not in Loupe's URLs: production never serves it.
"""

import time

from bench.load import CEILING_PATH, TIMING_HEADER
from config.wsgi import application as loupe


def application(environ, start_response):
    if environ.get("PATH_INFO") == CEILING_PATH:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]
    started = time.perf_counter()

    def timed_start_response(status, headers, exc_info=None):
        elapsed = (time.perf_counter() - started) * 1000
        return start_response(status, [*headers, (TIMING_HEADER, f"{elapsed:.3f}")], exc_info)

    return loupe(environ, timed_start_response)
