import pytest
from django.utils import timezone

from repairs import selectors
from repairs.models import Envelope, EnvelopeCounter, Status
from sampledata.demo import load_demo

pytestmark = pytest.mark.django_db


def test_the_demo_counter_has_repairs_at_every_stage_numbered_without_gaps():
    store = load_demo(customers=60)
    envelopes = Envelope.objects.for_store(store)
    numbers = sorted(envelopes.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert EnvelopeCounter.objects.get(store=store).last_number == len(numbers)
    assert set(envelopes.values_list("status", flat=True)) == set(Status.values)
    now = timezone.now()
    assert selectors.envelopes_overdue(store=store, today=store.today(now)).exists()
    assert selectors.envelopes_uncollected(store=store, now=now).exists()
    for envelope in envelopes:
        steps = list(envelope.status_changes.values_list("to_status", flat=True))
        assert steps[0] == Status.RECEIVED and steps[-1] == envelope.status
