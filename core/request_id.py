"""A request id per request: taken from an incoming X-Request-ID (a proxy's or a load
balancer's) when it looks like one, else a new one; put on every log line written while the
request is served, and echoed in the response's X-Request-ID header."""

import contextvars
import logging
import re
import uuid

HEADER = "X-Request-ID"
# Letters, digits and . _ - only, at most 64: the id goes into every log line and a header,
# so a client must not be able to forge log lines or headers through it.
_ACCEPTED = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

_current = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    return _current.get()


def request_id_for(incoming: str | None) -> str:
    if incoming and _ACCEPTED.match(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_for(request.headers.get(HEADER))
        # Not reset on the way out: Django logs a 4xx or 5xx ("django.request") after the
        # middleware has returned, and that line needs the id too; the next request (or a
        # task, which sets none) replaces it.
        _current.set(request.request_id)
        response = self.get_response(request)
        response[HEADER] = request.request_id
        return response


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record ("-" outside a request: a worker, a command)."""

    def filter(self, record):
        record.request_id = current_request_id()
        return True
