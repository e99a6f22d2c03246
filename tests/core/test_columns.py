"""Many rows in one insert from columns (core.columns): the timeline entries of an import and
the assignments of a bulk reassignment go through it."""

import datetime

import pytest
from django.db import connection

from core.columns import rows_insert
from crm.models import Assignment, AssignmentReason, Interaction, InteractionKind
from tests.factories import CustomerFactory

AT = datetime.datetime(2026, 3, 4, 15, 30, tzinfo=datetime.UTC)


@pytest.fixture(params=["postgresql", "sqlite"])
def vendor(request, monkeypatch):
    """PostgreSQL's unnested arrays, and the `bulk_create` a laptop's SQLite takes (the same
    database underneath, so both must leave the same rows)."""
    if request.param != connection.vendor:
        monkeypatch.setattr(connection, "vendor", request.param)
    return request.param


@pytest.mark.django_db
def test_each_row_takes_the_shared_values_and_its_own_in_the_lists_order(vendor, store,
                                                                         salesperson):
    first, second, third = CustomerFactory.create_batch(3, store=store)
    written = rows_insert(Interaction, same={"kind": InteractionKind.NOTE,
                                             "staff_id": salesperson.pk, "occurred_at": AT},
                          each={"customer_id": [third.pk, first.pk, second.pk],
                                "summary": ["Bought a ring.", "Called back.", "Asked, “why?”"]})
    assert written == 3
    rows = list(Interaction.objects.order_by("pk").values_list(
        "customer_id", "summary", "kind", "staff_id", "occurred_at"))
    assert rows == [(third.pk, "Bought a ring.", InteractionKind.NOTE, salesperson.pk, AT),
                    (first.pk, "Called back.", InteractionKind.NOTE, salesperson.pk, AT),
                    (second.pk, "Asked, “why?”", InteractionKind.NOTE, salesperson.pk, AT)]


@pytest.mark.django_db
def test_empty_values_go_in_as_nulls(vendor, store, salesperson):
    kept, let_go = CustomerFactory.create_batch(2, store=store)
    rows_insert(Assignment, same={"started_at": AT, "set_by_id": None,
                                  "reason": AssignmentReason.IMPORT, "note": ""},
                each={"customer_id": [kept.pk, let_go.pk],
                      "associate_id": [salesperson.pk, None]})
    assert list(Assignment.objects.order_by("pk").values_list(
        "customer_id", "associate_id", "set_by_id", "reason", "started_at", "ended_at")) == [
        (kept.pk, salesperson.pk, None, AssignmentReason.IMPORT, AT, None),
        (let_go.pk, None, None, AssignmentReason.IMPORT, AT, None)]


@pytest.mark.django_db
def test_columns_of_different_lengths_write_nothing(vendor, store):
    customer = CustomerFactory(store=store)
    with pytest.raises(ValueError, match="differ in length"):
        rows_insert(Interaction, same={"kind": InteractionKind.NOTE, "occurred_at": AT},
                    each={"customer_id": [customer.pk, customer.pk], "summary": ["One."]})
    assert not Interaction.objects.exists()


@pytest.mark.django_db
def test_no_rows_is_no_insert(vendor, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert rows_insert(Interaction, same={"kind": InteractionKind.NOTE, "occurred_at": AT},
                           each={"customer_id": [], "summary": []}) == 0


def test_a_column_whose_field_prepares_its_values_is_prepared():
    """Ids and text go as they are; a subclass's values (a phone number) are prepared."""
    from phonenumber_field.phonenumber import PhoneNumber

    from core.columns import _column
    from crm.models import Customer

    phone = Customer._meta.get_field("phone")
    number = PhoneNumber.from_string("+12175550142")
    prepared = _column(phone, [number, None])
    assert prepared == ["+12175550142", None]
    assert type(prepared[0]) is str  # a PhoneNumber equals its text, but psycopg2 cannot send it
    ids = [3, 1, 2]
    assert _column(Customer._meta.get_field("assigned_to"), ids) == ids
