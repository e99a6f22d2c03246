"""A task travels through the real Redis broker to a real worker (not eager mode)."""

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from core.tasks import ping

# One xdist process runs every test that starts a real worker on the shared Redis database.
pytestmark = pytest.mark.xdist_group("celery-worker")


def test_a_task_runs_through_a_real_worker_and_redis():
    assert app.conf.broker_url.startswith("redis://")
    assert not app.conf.task_always_eager
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        result = ping.delay()
        assert result.get(timeout=20) == "pong"
