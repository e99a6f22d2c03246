"""Handing work to Celery once a transaction commits, best effort: the row is the record.

With Redis down a publish fails within a second (the broker and result-store settings in
config/settings.py) and is logged; the request that caused it answers normally, and the
periodic dispatcher offers the row again once Redis is back. Use it only for work whose
database row says what is still owed.
"""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# The broker's (kombu), the Redis client's and the socket's errors; Celery's Redis result
# store raises RuntimeError when it gives up reconnecting before a task is sent.
BROKER_ERRORS = (OperationalError, RedisError, OSError, RuntimeError)


def publish(task, *args) -> bool:
    """Queue `task(*args)` now; False (and a warning in the log) if the broker is out.

    Publishing retries as CELERY_TASK_PUBLISH_RETRY_POLICY says (once, at once: bounded, so a
    dead broker answers within seconds), and no result is kept: subscribing to one would be
    another wait on Redis, and the row, not a result, says what was done.
    """
    try:
        task.apply_async(args, ignore_result=True)
    except BROKER_ERRORS:
        logger.warning("Could not queue %s%r: the broker is unreachable; the row waits for "
                       "the dispatcher.", getattr(task, "name", task), args, exc_info=True)
        return False
    return True


def publish_each_after_commit(task, ids, *, on_failure=None) -> None:
    """After commit, queue `task(id)` for each id; at the first broker failure stop trying
    (the broker is out for the rest too) and hand the ids not queued to `on_failure`."""
    ids = list(ids)
    if not ids:
        return

    def run():
        for n, item in enumerate(ids):
            if not publish(task, item):
                if on_failure is not None:
                    on_failure(ids[n:])
                return

    transaction.on_commit(run)
