import pytest
from django.db.models import F

from crm.models import Assignment, Customer
from sampledata.demo import load_demo

pytestmark = pytest.mark.django_db


def test_demo_history_matches_who_looks_after_each_client():
    store = load_demo(customers=60)
    assigned = Customer.objects.for_store(store).filter(assigned_to__isnull=False)
    open_rows = Assignment.objects.filter(customer__store=store, ended_at__isnull=True)
    assert open_rows.count() == assigned.count()
    assert not open_rows.exclude(associate=F("customer__assigned_to")).exists()
    assert Customer.objects.for_store(store).orphaned().filter(
        assigned_to__display_name="Dana Price").exists()
