"""A small HTTP load client: logged-in sessions, CSRF-protected posts, concurrent threads.

Latency is read from the server's `X-Bench-Ms` header (time inside Django), measured one
request at a time as a tablet makes them; throughput is requests per second with several
connections at once, as the whole floor makes them.
"""

import http.client
import re
import statistics
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

HOST = "127.0.0.1"
# Set by bench.wsgi on every Loupe response: milliseconds spent inside Django.
TIMING_HEADER = "X-Bench-Ms"
CEILING_PATH = "/__bench__/ceiling"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class BenchError(Exception):
    pass


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    fields: dict | None = None
    htmx: bool = False
    expect: int = 200


@dataclass
class Session:
    port: int
    cookies: dict = field(default_factory=dict)

    def send(self, call: Call, *, keep_cookies: bool = False) -> tuple[int, float, bytes]:
        """One request on a new connection (gunicorn's sync workers close it anyway).

        Only logging in keeps cookies, so threads sharing a session never write to it.
        """
        headers = {"Host": f"{HOST}:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if call.htmx:
            headers["HX-Request"] = "true"
        body = None
        if call.fields is not None:
            fields = {"csrfmiddlewaretoken": self.cookies.get("csrftoken", ""), **call.fields}
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            connection.request(call.method, call.path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
            server_ms = float(response.getheader(TIMING_HEADER) or "nan")
            if keep_cookies:
                self._keep(response.msg.get_all("Set-Cookie") or [])
            return response.status, server_ms, content
        finally:
            connection.close()

    def _keep(self, set_cookies: list[str]) -> None:
        for line in set_cookies:
            name, _, rest = line.partition("=")
            if name in ("sessionid", "csrftoken"):
                self.cookies[name] = rest.split(";", 1)[0]

    def log_in(self, username: str, password: str) -> None:
        status, _, content = self.send(Call("GET", "/login/"), keep_cookies=True)
        token = CSRF_INPUT.search(content.decode())
        if status != 200 or token is None:
            raise BenchError(f"The login page answered {status}.")
        status, _, _ = self.send(Call("POST", "/login/", {"username": username,
                                                          "password": password}, expect=302),
                                 keep_cookies=True)
        if status != 302 or "sessionid" not in self.cookies:
            raise BenchError(f"Logging in as {username} failed ({status}).")


def _check(call: Call, status: int) -> None:
    if status != call.expect:
        raise BenchError(f"{call.method} {call.path} answered {status}, not {call.expect}.")


MIN_REQUESTS = 40


def latency(session: Session, calls: Iterator[Call], count: int, *, seconds: float) -> dict:
    """Requests one after another, `count` of them or as many as fit in `seconds` (at least
    MIN_REQUESTS): p50 and p95 of the server's time, in ms."""
    times = []
    deadline = time.monotonic() + seconds
    while len(times) < count and (len(times) < MIN_REQUESTS or time.monotonic() < deadline):
        call = next(calls)
        status, server_ms, _ = session.send(call)
        _check(call, status)
        times.append(server_ms)
    cuts = statistics.quantiles(times, n=100, method="inclusive")
    return {"p50_ms": round(cuts[49], 1), "p95_ms": round(cuts[94], 1), "requests": len(times)}


def throughput(session: Session, calls: Callable[[], Call], *, concurrency: int,
               seconds: float) -> float:
    """Requests per second with `concurrency` connections for `seconds`."""
    done, errors = [0] * concurrency, []
    deadline = time.monotonic() + seconds

    def worker(slot: int) -> None:
        while time.monotonic() < deadline and not errors:
            call = calls()
            try:
                status, _, _ = session.send(call)
                _check(call, status)
            except Exception as error:  # noqa: BLE001 - reported once, below
                errors.append(error)
                return
            done[slot] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise BenchError(str(errors[0]))
    return round(sum(done) / (time.monotonic() - started), 1)


def wait_until_up(port: int, *, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            status, _, _ = Session(port).send(Call("GET", "/healthz"))
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer on port {port} within {seconds:.0f} s.")
