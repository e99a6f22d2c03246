"""Two counters taking pieces in at the same moment get distinct, gap-free numbers."""

import threading

import pytest
from django.db import connection

from core.errors import LoupeError
from repairs.models import Envelope, EnvelopeCounter
from repairs.services import NewCustomer, envelope_take_in

pytestmark = pytest.mark.django_db(transaction=True)

COUNTERS = 8


def _take_in_together(store, clerk, ring, promised_on, emails):
    start = threading.Barrier(len(emails))
    numbers, errors = [], []

    def counter(email):
        try:
            start.wait()
            envelope = envelope_take_in(store=store, by=clerk, email=email,
                                        new_customer=NewCustomer("Walk", email[:5]), item=ring,
                                        promised_on=promised_on)
            numbers.append(envelope.number)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=counter, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return numbers


def test_concurrent_take_ins_get_distinct_gap_free_numbers(store, service_clerk, ring,
                                                           next_week):
    emails = [f"counter{n}@mail.example" for n in range(COUNTERS)]
    numbers = _take_in_together(store, service_clerk, ring, next_week, emails)
    assert sorted(numbers) == list(range(1, COUNTERS + 1))
    assert EnvelopeCounter.objects.get(store=store).last_number == COUNTERS


def test_concurrent_first_take_ins_with_one_refused_leave_no_gap(store, service_clerk, ring,
                                                                 next_week):
    emails = [f"first{n}@mail.example" for n in range(COUNTERS - 1)]
    numbers = _take_in_together(store, service_clerk, ring, next_week, emails)
    with pytest.raises(LoupeError, match="required"):
        envelope_take_in(store=store, by=service_clerk, email="",
                         new_customer=NewCustomer("No", "Email"), item=ring,
                         promised_on=next_week)
    numbers.append(envelope_take_in(store=store, by=service_clerk,
                                    email="last@mail.example", new_customer=NewCustomer("Last"),
                                    item=ring, promised_on=next_week).number)
    assert sorted(numbers) == list(range(1, COUNTERS + 1))
    assert Envelope.objects.filter(store=store).count() == COUNTERS
