"""Two presses of "Confirm my email" racing each other (a double tap, two tabs)."""

import threading

import pytest
from django.db import connection

from crm.links import confirmation_token
from crm.models import Consent, Customer, Interaction
from crm.services import sign_up_confirm
from tests.factories import SignUpFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_presses_at_once_apply_the_sign_up_once(store):
    token = confirmation_token(sign_up=SignUpFactory(store=store, email="ava@mail.example"))
    start = threading.Barrier(2)
    results, errors = [], []

    def press():
        try:
            start.wait()
            results.append(sign_up_confirm(token=token))
        except Exception as exc:  # noqa: BLE001 - the assertion below reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not errors
    assert sorted(r.already for r in results) == [False, True]
    assert Customer.objects.count() == 1
    assert Consent.objects.count() == 1
    assert Interaction.objects.count() == 1
