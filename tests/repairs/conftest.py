import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from repairs.services import Item, NewCustomer, envelope_take_in


@pytest.fixture
def ring():
    return Item(item_type="ring", description="14k yellow gold solitaire",
                work_requested="Size from 6 to 7 and tighten the prongs", metal="14k yellow gold",
                stones="0.5 ct round diamond", condition="Worn shank, one prong bent",
                estimate=Decimal("85.00"), deposit=Decimal("20.00"))


@pytest.fixture
def next_week(store):
    return store.today(timezone.now()) + datetime.timedelta(days=7)


@pytest.fixture
def take_in(store, service_clerk, ring, next_week):
    """Take a ring in at the counter; each test says only what differs."""

    def do(**kwargs):
        kwargs.setdefault("email", "ada@mail.example")
        if "customer" not in kwargs:
            kwargs.setdefault("new_customer", NewCustomer("Ada", "Lovelace"))
        return envelope_take_in(store=kwargs.pop("store", store),
                                by=kwargs.pop("by", service_clerk),
                                item=kwargs.pop("item", ring),
                                promised_on=kwargs.pop("promised_on", next_week), **kwargs)

    return do


@pytest.fixture
def sent_mail(settings, mailoutbox):
    """Email goes to Django's locmem outbox, texts to the locmem SMS backend."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "followups.sms.LocmemBackend"
    return mailoutbox


@pytest.fixture
def celery_runs_tasks_here():
    """Tasks queued after commit run in this process, so a test sees what was sent."""
    from config.celery import app

    before = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager = app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = before
