"""Each associate's client count, kept by the database's triggers whatever writes the rows."""

import pytest
from django.urls import reverse

from crm.models import ClientCount, Customer
from crm.selectors import orphan_count
from tests.factories import CustomerFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


def _counts(store):
    return {row.associate_id: row.clients
            for row in ClientCount.objects.filter(store=store) if row.clients}


def _counted(store):
    """What the counts should say: the customers, counted."""
    found = {}
    for associate_id in Customer.objects.filter(store=store).values_list("assigned_to_id",
                                                                         flat=True):
        found[associate_id or 0] = found.get(associate_id or 0, 0) + 1
    return found


def test_counts_follow_creates_moves_and_deletes(store, salesperson):
    other = StaffMemberFactory(store=store)
    mine = CustomerFactory.create_batch(3, store=store, assigned_to=salesperson)
    CustomerFactory.create_batch(2, store=store, assigned_to=None)
    Customer.objects.bulk_create([Customer(store=store, first_name="Bulk", assigned_to=other)
                                  for _ in range(4)])
    assert _counts(store) == {salesperson.pk: 3, 0: 2, other.pk: 4} == _counted(store)

    Customer.objects.filter(pk__in=[c.pk for c in mine[:2]]).update(assigned_to=other)
    Customer.objects.filter(pk=mine[2].pk).update(last_visit_at=None)  # no move: no change
    assert _counts(store) == {salesperson.pk: 1, 0: 2, other.pk: 6} == _counted(store)

    Customer.objects.filter(assigned_to=other).delete()
    assert _counts(store) == {salesperson.pk: 1, 0: 2} == _counted(store)


def test_the_orphan_count_is_the_kept_counts_of_nobody_and_of_who_left(store, salesperson,
                                                                       other_store):
    gone = StaffMemberFactory(store=store)
    CustomerFactory.create_batch(2, store=store, assigned_to=salesperson)
    CustomerFactory.create_batch(3, store=store, assigned_to=gone)
    CustomerFactory(store=store, assigned_to=None)
    CustomerFactory(store=other_store, assigned_to=None)
    assert orphan_count(store=store) == 1
    gone.departed_on = store.today()
    gone.save(update_fields=["departed_on"])
    assert orphan_count(store=store) == 4 == Customer.objects.for_store(store).orphaned().count()


def test_my_clients_counts_the_book_from_the_kept_counts(sales_client, store, salesperson,
                                                          django_assert_max_num_queries):
    """My clients' number is the associate's kept count, the same as counting their
    customers, and the pages read the book in name order."""
    from crm.selectors import client_count, clients_of
    from crm.views.floor import PAGE_SIZE

    other = StaffMemberFactory(store=store)
    CustomerFactory.create_batch(PAGE_SIZE + 2, store=store, assigned_to=salesperson)
    CustomerFactory.create_batch(3, store=store, assigned_to=other)
    Customer.objects.filter(assigned_to=other).update(assigned_to=salesperson)
    Customer.objects.filter(assigned_to=salesperson).first().delete()
    book = clients_of(staff_member=salesperson)
    assert client_count(staff_member=salesperson) == book.count() == PAGE_SIZE + 4
    pages = [sales_client.get(reverse("crm:home"), {"page": n}).context["page"]
             for n in (1, 2)]
    assert [p.paginator.count for p in pages] == [PAGE_SIZE + 4] * 2
    assert [c.pk for p in pages for c in p] == list(book.values_list("pk", flat=True))


@pytest.mark.parametrize("page", [1, 2, 5, 6])
def test_my_clients_first_pages_read_compiled_show_what_the_queryset_shows(
        sales_client, store, other_store, salesperson, page):
    """Pages 1-5 of My clients come from a compiled read (crm.selectors.client_rows_at), the
    sixth from the ORM: each shows the same rows in the same order, only the associate's own
    clients of this store."""
    from crm.selectors import COMPILED_CLIENT_PAGES, ClientRow, client_rows, client_rows_at
    from crm.views.floor import PAGE_SIZE

    book = CustomerFactory.create_batch(PAGE_SIZE * 5 + 7, store=store, assigned_to=salesperson)
    Customer.objects.filter(pk__in=[c.pk for c in book[::30]]).update(phone="")
    CustomerFactory(store=store, assigned_to=StaffMemberFactory(store=store), first_name="A")
    CustomerFactory(store=other_store, assigned_to=salesperson, first_name="A")
    offset = (page - 1) * PAGE_SIZE
    compiled = client_rows_at(staff_member=salesperson, offset=offset, limit=PAGE_SIZE)
    expected = [ClientRow(*row) for row in
                client_rows(staff_member=salesperson)[offset:offset + PAGE_SIZE]]
    assert (compiled is None) == (page > COMPILED_CLIENT_PAGES)
    if compiled is not None:
        assert compiled == expected
    shown = list(sales_client.get(reverse("crm:home"), {"page": str(page)}).context["page"])
    assert shown == expected
    assert len(shown) == (7 if page == 6 else PAGE_SIZE)
