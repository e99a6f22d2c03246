"""The floor tablet on the store's Wi-Fi: each floor page in Chromium on a slow connection.

Chromium (Debian's /usr/bin/chromium, driven by Playwright) gets the network of a weak floor
Wi-Fi through the DevTools protocol (`Network.emulateNetworkConditions`: 400 kbit/s each way,
400 ms latency). For each page: the bytes that came over the wire (`encodedDataLength`, so
compressed when the server compressed) and when it was usable (DOMContentLoaded, load), from
the navigation's own timing. The login page is measured on the tablet's first visit ever
(empty cache: `FIRST_VISIT`) and again as a tablet opens it every morning, with the style
sheets and scripts it has cached; the pages after it are visited as a tablet does.
"""

import os
from pathlib import Path

from bench.load import HOST

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
KBIT = 1000 / 8  # bytes per second in one kbit/s
FLOOR_WIFI = {"offline": False, "latency": 400, "downloadThroughput": 400 * KBIT,
              "uploadThroughput": 400 * KBIT}
FIRST_VISIT = "login, first visit"
NAVIGATION = """() => {
  const n = performance.getEntriesByType("navigation")[0];
  return n && n.loadEventEnd > 0 ? [n.domContentLoadedEventEnd, n.loadEventEnd] : null;
}"""


class _Wire:
    """Counts the bytes of every response that finished loading while it listens."""

    def __init__(self, cdp):
        self.bytes, self.requests = 0, 0
        cdp.on("Network.loadingFinished", self._finished)

    def _finished(self, event):
        self.bytes += event["encodedDataLength"]
        self.requests += 1

    def reset(self):
        self.bytes, self.requests = 0, 0


def _visit(page, wire, url: str) -> dict:
    wire.reset()
    response = page.goto(url, wait_until="load")
    if response is None or response.status != 200:
        raise RuntimeError(f"The tablet got {response and response.status} for {url}.")
    dcl, load = page.wait_for_function(NAVIGATION).json_value()
    page.wait_for_timeout(50)  # late `loadingFinished` events of the page's own requests
    return {"kb": round(wire.bytes / 1024, 1), "requests": wire.requests,
            "dcl_ms": round(dcl), "load_ms": round(load)}


def _log_in(page, username: str, password: str) -> None:
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def _tablet(browser, base: str, username: str, password: str, pages: dict) -> dict:
    """One tablet (a fresh browser profile): the login page cold, then `pages` in order."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, base_url=base)
    context.set_default_timeout(60_000)
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", FLOOR_WIFI)
        wire = _Wire(cdp)
        # The first visit ever is held to the transfer target only: over 400 ms of latency
        # each new connection costs two round trips before a byte of CSS arrives.
        measured = {FIRST_VISIT: _visit(page, wire, "/login/"),
                    "login": _visit(page, wire, "/login/")}
        _log_in(page, username, password)
        for name, url in pages.items():
            measured[name] = _visit(page, wire, url)
        return measured
    finally:
        context.close()


def measure(port: int, samples: dict) -> dict:
    """Every floor page: a salesperson's tablet, then the repair counter's."""
    from playwright.sync_api import sync_playwright

    base = f"http://{HOST}:{port}"
    customer = samples["customers"][0]
    floor = {"My clients": "/customers/", "walk-in": "/customers/walk-in/",
             "customer page": f"/customers/{customer}/"}
    counter = {"take-in": "/repairs/take-in/",
               "envelope": f"/repairs/{samples['envelopes'][0]}/"}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                             headless=True)
        try:
            sales = _tablet(browser, base, samples["logins"]["salesperson"],
                            samples["password"], floor)
            service = _tablet(browser, base, samples["logins"]["service"],
                              samples["password"], counter)
        finally:
            browser.close()
    slower = {name: max(sales.pop(name), service.pop(name), key=lambda m: m["load_ms"])
              for name in (FIRST_VISIT, "login")}
    return {**slower, **sales, **service}
