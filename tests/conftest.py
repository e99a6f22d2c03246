"""The store's cast for every test: a salesperson, a service clerk, a manager, and a manager
of another store (who must never see this store's customers)."""

import contextlib
import datetime
import os

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import override_settings

from staff.roles import Role
from tests.factories import StaffMemberFactory, StoreFactory


@pytest.fixture(autouse=True, scope="session")
def _real_postgresql(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        assert connection.vendor == "postgresql", (
            "Tests run against PostgreSQL: use `make test` (it sets DATABASE_URL)."
        )


@pytest.fixture(autouse=True, scope="session")
def _jinja_templates_reported():
    """Jinja2 templates (core.jinja) report their rendering as Django's test environment has
    Django's own report it, so `response.context` and `response.templates` show them."""
    import jinja2
    from django.test.signals import template_rendered

    render = jinja2.Template.render

    def reported(self, *args, **kwargs):
        context = dict(*args, **kwargs)
        template_rendered.send(sender=self, template=self, context=context)
        return render(self, context)

    jinja2.Template.render = reported
    yield
    jinja2.Template.render = render


# CI runs the date-sensitive tests a second time with the clock moved here, far from today
# (for example "2028-02-29T20:30:00-05:00", a leap-day evening that is already March 1 in UTC).
# A test that leans on the real date then fails in CI rather than on a newcomer's first run.
TEST_NOW = os.environ.get("LOUPE_TEST_NOW", "")


@pytest.fixture(autouse=True, scope="session")
def _own_cache_per_process(worker_id):
    """Each pytest-xdist process gets its own Redis database for the cache, so one process's
    cache.clear() cannot wipe another's cached values. (The Celery broker stays shared;
    the tests that start a real worker run in one process, by their xdist_group.)"""
    location = settings.CACHES["default"].get("LOCATION", "")
    if worker_id == "master" or not location.startswith("redis://"):
        yield
        return
    base, _, db = location.rpartition("/")
    own = (int(db or 0) - 1 - int(worker_id.removeprefix("gw"))) % 16
    with override_settings(CACHES={"default": {**settings.CACHES["default"],
                                               "LOCATION": f"{base}/{own}"}}):
        yield


@pytest.fixture(autouse=True, scope="session")
def _quick_password_hashes():
    """Passwords and floor PINs hashed with few rounds (tests.hashers): still Django's
    PBKDF2, and the default hashers stay listed after it, so a hash made elsewhere checks."""
    with override_settings(PASSWORD_HASHERS=["tests.hashers.QuickPBKDF2",
                                             *settings.PASSWORD_HASHERS]):
        yield


@pytest.fixture(autouse=True)
def _clock(request):
    """With LOUPE_TEST_NOW set, every test that does not freeze its own moment starts there.

    Tests that need a moment of their own mark it with ``@pytest.mark.time_machine(...)``, which
    freezes before the fixtures run, so fixtures and body share one clock. Browser journeys keep
    the real clock: Chromium's cookies expire by its own.
    """
    if not TEST_NOW or request.node.get_closest_marker("time_machine") \
            or request.node.get_closest_marker("e2e"):
        yield
        return
    with time_machine.travel(datetime.datetime.fromisoformat(TEST_NOW), tick=True):
        yield


@pytest.fixture
def store(db):
    return StoreFactory(name="Gem & Loupe Springfield")


@pytest.fixture
def other_store(db):
    return StoreFactory(name="Gem & Loupe Shelbyville")


@pytest.fixture
def salesperson(store):
    return StaffMemberFactory(store=store, role=Role.SALESPERSON, display_name="Sally Sales",
                              user__username="sally")


@pytest.fixture
def service_clerk(store):
    return StaffMemberFactory(store=store, role=Role.SERVICE, display_name="Sam Service",
                              user__username="sam")


@pytest.fixture
def manager(store):
    return StaffMemberFactory(store=store, role=Role.MANAGER, display_name="Maria Manager",
                              user__username="maria")


@pytest.fixture
def other_manager(other_store):
    return StaffMemberFactory(store=other_store, role=Role.MANAGER, display_name="Otto Other",
                              user__username="otto")


@pytest.fixture
def sales_client(salesperson, client):
    client.force_login(salesperson.user)
    return client


@pytest.fixture
def service_client(service_clerk, client):
    client.force_login(service_clerk.user)
    return client


@pytest.fixture
def manager_client(manager, client):
    client.force_login(manager.user)
    return client


@pytest.fixture
def other_manager_client(other_manager, client):
    client.force_login(other_manager.user)
    return client


class _Broker:
    """The Celery app's broker and result store, which a test can take down: both pointed at
    a closed port, as when Redis has stopped."""

    DOWN = "redis://127.0.0.1:1/0"

    @contextlib.contextmanager
    def down(self):
        from config.celery import app

        saved = (app.conf.broker_url, app.conf.result_backend)
        self._point(app, self.DOWN, self.DOWN)
        try:
            yield
        finally:
            self._point(app, *saved)

    @staticmethod
    def _point(app, broker_url, result_backend):
        # Celery caches its connection pools and result store: drop them so the new URLs
        # are used (and the failed result store is not kept after Redis is "back").
        app.conf.broker_url, app.conf.result_backend = broker_url, result_backend
        app._pool = None
        app.amqp._producer_pool = None
        app._backend_cache = None
        app._local.__dict__.pop("backend", None)


@pytest.fixture
def broker():
    return _Broker()
