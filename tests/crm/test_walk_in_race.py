"""Two posts of one walk-in form racing each other on the flaky floor Wi-Fi."""

import threading
import uuid

import pytest
from django.db import connection

from crm.models import Customer, Interaction, WalkIn
from crm.services import WalkInEntry, customer_log_walk_in

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_posts_racing_with_the_same_key_log_one_walk_in(store, salesperson):
    key = uuid.uuid4()
    start = threading.Barrier(2)
    results, errors = [], []

    def post():
        try:
            start.wait()
            results.append(customer_log_walk_in(
                store=store, by=salesperson, key=key,
                entry=WalkInEntry(first_name="Olivia", phone="(217) 555-0142")))
        except Exception as exc:  # noqa: BLE001 - the assertion below reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    assert results[0].pk == results[1].pk
    assert Customer.objects.count() == 1
    assert WalkIn.objects.count() == 1
    assert Interaction.objects.filter(kind="visit").count() == 1
