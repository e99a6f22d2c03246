"""The migration that made a date impossible twice first folds the dates already there twice."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from crm.models import Consent, Occasion
from followups.models import CallTask, Message
from staff.models import Store

BEFORE = [("crm", "0007_search_trigram_upper_and_phone"),
          ("followups", "0004_calltask_kept_when_its_occasion_goes")]
NOW = datetime.datetime(2026, 11, 26, 16, 0, tzinfo=datetime.UTC)
DEC_10 = datetime.date(2026, 12, 10)


def _customer_with_two_birthdays(apps, store):
    customer = apps.get_model("crm", "Customer").objects.create(
        store_id=store.pk, first_name="Olivia", email="olivia@mail.example")
    Occasion_ = apps.get_model("crm", "Occasion")
    first = Occasion_.objects.create(customer=customer, kind="birthday", month=12, day=10)
    second = Occasion_.objects.create(customer=customer, kind="birthday", month=12, day=10,
                                      year=1990)
    apps.get_model("crm", "Consent").objects.create(
        customer=customer, channel="email", purpose="occasions", granted=True,
        method="tablet", occasion=second, created_at=NOW)
    Message_ = apps.get_model("followups", "Message")
    common = {"store_id": store.pk, "customer": customer, "purpose": "occasions",
              "kind": "birthday", "due_at": NOW, "created_at": NOW, "updated_at": NOW}
    for occasion in (first, second):
        Message_.objects.create(occasion=occasion, occurs_on=DEC_10, channel="email",
                                status="planned", **common)
    Message_.objects.create(occasion=second, occurs_on=DEC_10, channel="sms", status="planned",
                            **common)
    apps.get_model("followups", "CallTask").objects.create(
        store_id=store.pk, customer=customer, occasion=second, occurs_on=DEC_10, due_on=DEC_10,
        created_at=NOW)
    return first.pk, second.pk


@pytest.mark.django_db(transaction=True)
def test_a_birthday_on_file_twice_becomes_one_with_one_reminder_per_channel():
    # The store is made today (staff's later columns roll back with crm, and staff's earlier
    # ones stay, so neither today's model nor the historical one could insert it then).
    store, = Store.objects.bulk_create([Store(name="Gem & Loupe", address="1 Main Street")])
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    kept_pk, folded_pk = _customer_with_two_birthdays(executor.loader.project_state(BEFORE).apps,
                                                      store)

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    birthday = Occasion.objects.get()
    assert (birthday.pk, birthday.year) == (kept_pk, 1990)
    assert not Occasion.objects.filter(pk=folded_pk).exists()
    assert Consent.objects.get().occasion == birthday
    assert CallTask.objects.get().occasion == birthday
    planned = Message.objects.filter(status="planned").order_by("channel")
    assert [(m.occasion, m.channel) for m in planned] == [(birthday, "email"), (birthday, "sms")]
    duplicate = Message.objects.get(status="suppressed")
    assert (duplicate.occasion, duplicate.occurs_on, duplicate.channel) == (None, DEC_10, "email")
    assert duplicate.reason == "A duplicate: the same date was on file twice."
