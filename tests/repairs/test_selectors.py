"""The counter's lists, the customer's repairs panel and the managers' capture report."""

import datetime

import pytest
from django.template import Context, Template
from django.utils import timezone

from crm.models import Channel, ConsentMethod, Purpose
from crm.services import consent_record
from repairs import selectors
from repairs.models import Status
from tests.factories import CustomerFactory, EnvelopeFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


def test_overdue_lists_open_repairs_past_their_promised_date(store):
    today = store.today()
    late = EnvelopeFactory(customer__store=store, promised_on=today - datetime.timedelta(days=1))
    EnvelopeFactory(customer__store=store, promised_on=today)
    EnvelopeFactory(customer__store=store, promised_on=today - datetime.timedelta(days=3),
                    status=Status.READY)
    EnvelopeFactory(customer__store=store, promised_on=today - datetime.timedelta(days=3),
                    status=Status.PICKED_UP)
    assert list(selectors.envelopes_overdue(store=store, today=today)) == [late]


def test_ready_for_30_days_and_not_picked_up_is_listed(store):
    now = timezone.now()
    forgotten = EnvelopeFactory(customer__store=store, status=Status.READY,
                                ready_at=now - datetime.timedelta(days=31))
    EnvelopeFactory(customer__store=store, status=Status.READY,
                    ready_at=now - datetime.timedelta(days=29))
    EnvelopeFactory(customer__store=store, status=Status.PICKED_UP,
                    ready_at=now - datetime.timedelta(days=60))
    assert list(selectors.envelopes_uncollected(store=store, now=now)) == [forgotten]
    counts = selectors.envelope_list_counts(store=store, now=now)
    assert (counts["uncollected"], counts["ready"], counts["open"]) == (1, 2, 2)


def test_open_repairs_leave_out_picked_up_and_cancelled(store):
    kept = [EnvelopeFactory(customer__store=store, status=s)
            for s in (Status.RECEIVED, Status.AT_BENCH, Status.WAITING_FOR_PARTS, Status.READY)]
    for s in (Status.PICKED_UP, Status.CANCELLED):
        EnvelopeFactory(customer__store=store, status=s)
    assert set(selectors.envelopes_open(store=store)) == set(kept)


def test_another_stores_repairs_are_not_listed(store, other_store):
    EnvelopeFactory(customer__store=other_store)
    assert not selectors.envelopes_open(store=store).exists()


def test_the_customer_panel_shows_their_repairs_in_one_query(
        rf, store, service_clerk, django_assert_num_queries):
    customer = CustomerFactory(store=store)
    for item in ("Pearl strand", "Tennis bracelet", "Signet ring"):
        EnvelopeFactory(customer=customer, item_description=item)
    EnvelopeFactory(customer__store=store, item_description="Someone else's watch")
    request = rf.get("/")
    request.store = store
    template = Template('{% include "repairs/partials/_customer_repairs.html" %}')
    with django_assert_num_queries(1):
        html = template.render(Context({"customer": customer, "request": request}))
    assert all(item in html for item in ("Pearl strand", "Tennis bracelet", "Signet ring"))
    assert "Someone else" not in html


def test_capture_report_counts_take_ins_valid_emails_and_marketing_per_person_and_week(store):
    now = timezone.now()
    since = now - datetime.timedelta(days=7)
    sam = StaffMemberFactory(store=store, display_name="Sam")
    kim = StaffMemberFactory(store=store, display_name="Kim")
    bounced, subscribed, plain = (EnvelopeFactory(customer__store=store, taken_in_by=sam,
                                                  taken_in_at=now) for _ in range(3))
    EnvelopeFactory(customer__store=store, taken_in_by=kim, taken_in_at=now)
    EnvelopeFactory(customer__store=store, taken_in_by=kim,
                    taken_in_at=now - datetime.timedelta(days=30))
    consent_record(customer=bounced.customer, channel=Channel.EMAIL, address=bounced.email,
                   purpose=Purpose.REPAIR_NOTICES, granted=False, method=ConsentMethod.BOUNCE,
                   at=now + datetime.timedelta(hours=1))
    consent_record(customer=subscribed.customer, channel=Channel.EMAIL,
                   address=subscribed.email, purpose=Purpose.EVENTS, granted=True,
                   method=ConsentMethod.ENVELOPE, at=now)
    consent_record(customer=plain.customer, channel=Channel.EMAIL, address=plain.email,
                   purpose=Purpose.EVENTS, granted=True, method=ConsentMethod.ENVELOPE, at=now)
    consent_record(customer=plain.customer, channel=Channel.EMAIL, address=plain.email,
                   purpose=Purpose.EVENTS, granted=False, method=ConsentMethod.UNSUBSCRIBE,
                   at=now + datetime.timedelta(minutes=1))

    rows = {row["staff"]: row for row in selectors.capture_report(store=store, since=since)}
    assert (rows["Sam"]["take_ins"], rows["Sam"]["valid_email"],
            rows["Sam"]["with_marketing"]) == (3, 2, 1)
    assert (rows["Kim"]["take_ins"], rows["Kim"]["valid_email"],
            rows["Kim"]["with_marketing"]) == (1, 1, 0)
    assert list(selectors.envelopes_bounced(store=store, since=since)) == [bounced]


def test_the_capture_report_page_lists_bounces(manager_client, store):
    envelope = EnvelopeFactory(customer__store=store, email="typo@gmial.example")
    consent_record(customer=envelope.customer, channel=Channel.EMAIL, address=envelope.email,
                   purpose=Purpose.REPAIR_NOTICES, granted=False, method=ConsentMethod.BOUNCE)
    page = manager_client.get("/repairs/capture-report/").content.decode()
    assert "typo@gmial.example" in page
    assert "0 (0%)" in page  # its one take-in has no valid email now


def test_a_salesperson_sees_the_customers_repairs_on_their_page_in_constant_queries(
        sales_client, store, django_assert_max_num_queries):
    customer = CustomerFactory(store=store)
    EnvelopeFactory(customer=customer, item_description="Pearl strand")
    url = f"/customers/{customer.pk}/"
    with django_assert_max_num_queries(40) as few:
        page = sales_client.get(url).content.decode()
    assert "Pearl strand" in page
    assert "Take in a repair" not in page  # salespeople view repairs, they do not take them in
    for n in range(20):
        EnvelopeFactory(customer=customer, item_description=f"Chain {n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = sales_client.get(url).content.decode()
    assert "Chain 19" in page
