"""Two managers (or one double tap) asking for the same reach-out at once."""

import threading

import pytest
from django.db import connection

from followups.models import CallTask
from followups.services import reach_out_task_create
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_reach_outs_racing_make_one_call(store, manager, salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson)
    start = threading.Barrier(2)
    results, errors = [], []

    def ask():
        try:
            start.wait()
            results.append(reach_out_task_create(customer=customer, by=manager))
        except Exception as exc:  # noqa: BLE001 - the assertion below reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    assert results[0][0].pk == results[1][0].pk
    assert sorted(created for _, created in results) == [False, True]
    assert CallTask.objects.filter(customer=customer).count() == 1
