"""Each store's buyers and their lifetime value together, kept by the database's triggers
(crm migration 0029) whatever writes the rows: always what counting the customers finds."""

from decimal import Decimal

import pytest
from django.db.models import F

from crm.models import Customer, StoreBuyers
from crm.selectors import buyers_of_store
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def _kept(store):
    return buyers_of_store(store=store)


def _counted(store):
    """What the totals should say: the customers who bought, counted and summed."""
    values = [v for v in Customer.objects.filter(store=store)
              .values_list("lifetime_value", flat=True) if v > 0]
    return len(values), sum(values, Decimal(0))


def test_the_totals_follow_purchases_moves_erasures_and_bulk_loads(store, other_store):
    assert _kept(store) == (0, Decimal(0))  # no row yet: nobody has bought
    ann, ben, cal = (CustomerFactory(store=store, lifetime_value=v) for v in (100, 0, 250))
    Customer.objects.bulk_create([Customer(store=store, first_name="Bulk", lifetime_value=10)
                                  for _ in range(3)])
    CustomerFactory(store=other_store, lifetime_value=1_000)
    assert _kept(store) == (5, Decimal(380)) == _counted(store)

    # Ben's first purchase, Ann's next one, a prospect's visit (no change of value).
    Customer.objects.filter(pk=ben.pk).update(lifetime_value=Decimal("49.50"))
    Customer.objects.filter(pk=ann.pk).update(lifetime_value=F("lifetime_value") + 200)
    Customer.objects.filter(first_name="Bulk").update(last_visit_at=None)
    assert _kept(store) == (6, Decimal("629.50")) == _counted(store)

    # Cal moves to the other store; a bulk reset of the loaded buyers' totals; Ann is deleted.
    Customer.objects.filter(pk=cal.pk).update(store=other_store)
    Customer.objects.filter(first_name="Bulk").update(lifetime_value=0)
    Customer.objects.filter(pk=ann.pk).delete()
    assert _kept(store) == (1, Decimal("49.50")) == _counted(store)
    assert _kept(other_store) == (2, Decimal(1_250)) == _counted(other_store)
    assert StoreBuyers.objects.count() == 2

