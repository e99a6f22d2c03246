"""The customer page's one-query read (issue 19) shows exactly what a query per list shows:
every list compared field by field, nested rows included, on a small profile."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from crm import selectors
from crm.models import Channel, Consent, Customer, InteractionKind, PiecePhoto, Purpose
from followups import selectors as followups_selectors
from followups.models import Snippet
from tests.crm.test_query_counts import _history
from tests.factories import ConsentFactory, CustomerFactory, MessageFactory, SignUpFactory

pytestmark = pytest.mark.django_db


def _fields(instance):
    if instance is None:
        return None
    return (type(instance).__name__,
            *[getattr(instance, field.attname) for field in instance._meta.concrete_fields])


def _deep(instance, forward=(), nested=()):
    return (_fields(instance), *[_fields(getattr(instance, name)) for name in forward],
            *[[_fields(row) for row in getattr(instance, name).all()] for name in nested])


def _lists(customer):
    return {
        "profile": (_fields(customer), _fields(customer.assigned_to), _fields(customer.store)),
        "preferences": [_fields(p) for p in customer.preferences.all()],
        "occasions": [(_fields(o), o.next_on) for o in customer.occasions.all()],
        "wish_items": [_deep(w, nested=["photos"]) for w in customer.wish_items.all()],
        "purchases": [_deep(p, ["associate"], ["photos"]) for p in customer.purchases.all()],
        "consents": [_deep(c, ["recorded_by"]) for c in customer.consents.all()],
        "timeline": [_deep(i, ["staff"]) for i in customer.recent_interactions],
        "consent_by_address": customer.consent_by_address,
    }


@pytest.fixture
def olivia(store, salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson, lifetime_value=Decimal(
        "1234567.89"))
    customer.preferences.set(store.preferences.all()[:3])
    _history(customer, store, salesperson, 4)
    # What a JSON round trip could bend: cents, no price, microseconds, no associate, more
    # entries than the timeline shows, an address no longer on the profile.
    customer.wish_items.create(description="Tennis bracelet", price=Decimal("0.10"))
    customer.purchases.create(store=store, purchased_on=datetime.date(2019, 2, 28),
                              amount=Decimal("99999.99"), associate=None)
    moment = timezone.now().replace(microsecond=123456)
    customer.interactions.bulk_create([
        customer.interactions.model(customer=customer, kind="note", summary=f"Old {n}",
                                    occurred_at=moment - datetime.timedelta(minutes=n))
        for n in range(selectors.TIMELINE_LENGTH)])
    ConsentFactory(customer=customer, address="old@mail.example", granted=False,
                   created_at=moment, recorded_by=None)
    return customer


def test_the_one_query_read_equals_a_query_per_list(store, olivia, django_assert_num_queries):
    with django_assert_num_queries(1):
        shown = selectors.customer_page(store=store, customer_id=olivia.pk, packed=True)
        packed = _lists(shown)
    straightforward = _lists(selectors.customer_page(store=store, customer_id=olivia.pk,
                                                     packed=False))
    assert packed == straightforward
    assert len(packed["timeline"]) == selectors.TIMELINE_LENGTH
    assert Decimal("99999.99") in [purchase.amount for purchase in shown.purchases.all()]
    assert PiecePhoto.objects.count() == sum(
        len(row[-1]) for row in packed["wish_items"] + packed["purchases"])


def test_another_stores_customer_is_not_found(store, other_store):
    from django.http import Http404

    theirs = CustomerFactory(store=other_store)
    with pytest.raises(Http404):
        selectors.customer_page(store=store, customer_id=theirs.pk, packed=True)


def test_the_follow_up_panels_in_one_query_equal_their_own_reads(
        store, olivia, django_assert_num_queries):
    sign_up = SignUpFactory(store=store, customer=olivia)
    MessageFactory(customer=None, sign_up=sign_up, store=store, occasion=None,
                   occurs_on=None, purpose=Purpose.OCCASION_REMINDERS, to=sign_up.email)
    with django_assert_num_queries(1):
        panels = followups_selectors.customer_page_panels(customer=olivia)
    assert [_deep(t, ["assignee"]) for t in panels["tasks"]] == [
        _deep(t, ["assignee"]) for t in followups_selectors.open_tasks_of(customer=olivia)]
    assert [_fields(m) for m in panels["messages"]] == [
        _fields(m) for m in followups_selectors.customer_messages(customer=olivia)]
    assert [(when, way, _fields(m)) for when, way, m in panels["thread"]] == [
        (when, way, _fields(m))
        for when, way, m in followups_selectors.customer_thread(customer=olivia)]
    assert [_fields(s) for s in panels["snippets"]] == [
        _fields(s) for s in Snippet.objects.filter(store=store).order_by("title")]
    assert any(way == "in" for _, way, _ in panels["thread"])
    assert len(panels["messages"]) == len(panels["thread"]) - olivia.interactions.filter(
        kind=InteractionKind.REPLY).count() + 1


def test_a_consent_taken_back_shows_on_the_next_page(sales_client, store, salesperson):
    customer = CustomerFactory(store=store, assigned_to=salesperson)
    url = reverse("crm:customer", kwargs={"customer_id": customer.pk})
    ConsentFactory(customer=customer, channel=Channel.EMAIL)
    assert "✓" in sales_client.get(url).content.decode()
    ConsentFactory(customer=customer, channel=Channel.EMAIL, granted=False,
                   created_at=timezone.now() + datetime.timedelta(seconds=1))
    page = sales_client.get(url).content.decode()
    assert "✗" in page and "✓" not in page
    assert Consent.objects.filter(customer=customer).count() == 2
    assert Customer.objects.get(pk=customer.pk).assigned_to == salesperson


def test_the_compiled_read_takes_each_customer_and_store_afresh(store, other_store,
                                                                  salesperson):
    """The page's SQL is built once per process; each call still reads its own customer of
    its own store."""
    ours, other = (CustomerFactory(store=store, first_name="Ava"),
                   CustomerFactory(store=store, first_name="Mia"))
    theirs = CustomerFactory(store=other_store, first_name="Zoe")
    other.interactions.create(kind="note", summary="Mia's note", occurred_at=timezone.now())
    for customer in (ours, other):
        shown = selectors.customer_page(store=store, customer_id=customer.pk, packed=True)
        assert (shown.pk, shown.first_name, shown.store) == (customer.pk, customer.first_name,
                                                             store)
        assert [i.summary for i in shown.recent_interactions] == (
            ["Mia's note"] if customer == other else [])
    assert selectors.customer_page(store=other_store, customer_id=theirs.pk,
                                   packed=True).first_name == "Zoe"


def _panels_drawn(customer):
    """What each room's panel on the customer page is given for `customer`."""
    from appointments import selectors as appointments_selectors
    from repairs import selectors as repairs_selectors

    follow_ups = followups_selectors.customer_page_panels(customer=customer)
    return (
        [_deep(a, ["associate", "set_by"]) for a in selectors.assignments_shown(
            customer=customer)],
        [_deep(a, ["associate", "store"]) for a in
         appointments_selectors.customer_appointments_latest(customer=customer)],
        [_deep(e, ["taken_in_by"]) for e in repairs_selectors.customer_envelopes(
            customer=customer)],
        [_deep(t, ["assignee"]) for t in follow_ups["tasks"]],
        [_deep(m, ["written_by"]) for m in follow_ups["messages"]],
        [(when, way, _fields(m)) for when, way, m in follow_ups["thread"]],
        [_fields(s) for s in follow_ups["snippets"]])


def test_the_rooms_panels_are_read_with_the_page(store, olivia, salesperson,
                                                 django_assert_num_queries):
    """Assignments, appointments, repairs and follow-ups on the page are read by the page's
    own query (crm.selectors.customer_page_panel) and are the rows (and their related rows)
    each room's own read gives, for each customer in turn; a row whose related row is absent
    keeps it absent. A customer read any other way has its panels read by their own queries."""
    from crm.models import Assignment
    from tests.factories import (
        AppointmentFactory,
        EnvelopeFactory,
        StaffMemberFactory,
        TaskFactory,
    )

    tom = StaffMemberFactory(store=store)
    other = CustomerFactory(store=store, assigned_to=tom)
    AppointmentFactory(customer=other, associate=tom)
    EnvelopeFactory(customer=other, taken_in_by=tom)
    EnvelopeFactory(customer=other, taken_in_by=tom, store=StaffMemberFactory().store)
    TaskFactory(customer=other, assignee=tom)
    MessageFactory(customer=other, store=store)
    Assignment.objects.create(customer=other, associate=None, set_by=None,
                              started_at=timezone.now() - datetime.timedelta(days=9),
                              ended_at=timezone.now() - datetime.timedelta(days=8))
    for customer in (olivia, other, olivia):
        with django_assert_num_queries(1):
            page = selectors.customer_page(store=store, customer_id=customer.pk, packed=True)
            shown = _panels_drawn(page)
        read_alone = Customer.objects.get(pk=customer.pk)
        with django_assert_num_queries(4):
            assert _panels_drawn(read_alone) == shown
        assert all(shown[:3]), shown
        assert ([None, None] in [[row[1], row[2]] for row in shown[0]]) == (customer is other)
    # Hers: the task, the message, the one envelope of this store (not the other store's).
    theirs = _panels_drawn(selectors.customer_page(store=store, customer_id=other.pk))
    assert [len(theirs[n]) for n in (2, 3, 4)] == [1, 1, 1]
