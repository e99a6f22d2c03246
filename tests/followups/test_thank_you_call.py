"""The thank-you call after a purchase: a task for whoever sold it, three days on by default,
once per purchase however often the planner runs and however the purchase came in, skipped
without a number, on the associate's Today; a bridal piece asks for the wedding date."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from crm.models import Purchase
from crm.services import purchase_record
from followups.aftercare import plan_store
from followups.models import AftercareStep, Message, Task, TaskKind
from staff.roles import Role
from tests.factories import CustomerFactory, StaffMemberFactory

MORNING = datetime.datetime(2026, 11, 26, 16, 0, tzinfo=datetime.UTC)  # 10:00 in Chicago
TODAY = datetime.date(2026, 11, 26)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MORNING, tick=False)]


@pytest.fixture
def ava(store, salesperson):
    return CustomerFactory(store=store, first_name="Ava", phone="+12175550142",
                           assigned_to=salesperson)


def _bought(customer, days_ago, *, by, what="Pearl strand", amount="450"):
    return purchase_record(customer=customer, purchased_on=TODAY - datetime.timedelta(
        days=days_ago), amount=Decimal(amount), description=what, by=by)


def test_three_days_after_a_purchase_the_seller_gets_one_thank_you_call(store, ava,
                                                                         salesperson):
    purchase = _bought(ava, 3, by=salesperson)
    _bought(ava, 2, by=salesperson, what="Too recent")
    first = plan_store(store=store, now=MORNING)
    again = plan_store(store=store, now=MORNING + datetime.timedelta(hours=1))
    [call] = Task.objects.all()
    assert (first.calls, again.calls) == (1, 0)
    assert (call.kind, call.purchase, call.assignee, call.due_on) == (
        TaskKind.CALL, purchase, salesperson, TODAY)
    assert call.reason == "Thank-you call for the purchase of Nov 23"
    assert not Message.objects.exists()  # a task, not a message: nothing to the customer


def test_a_purchase_imported_without_the_service_gets_its_call_too(store, ava, salesperson):
    # Either import engine writes purchases in bulk: the planner reads purchases, not how.
    Purchase.objects.create(store=store, customer=ava, associate=salesperson,
                            purchased_on=TODAY - datetime.timedelta(days=5),
                            amount=Decimal("90"), pos_reference="R-1001")
    plan_store(store=store, now=MORNING)
    assert Task.objects.get().purchase.pos_reference == "R-1001"


def test_the_call_goes_to_the_customers_associate_when_the_seller_left_and_managers_for_an_orphan(
        store, salesperson):
    gone = StaffMemberFactory(store=store, role=Role.SALESPERSON,
                              departed_on=TODAY - datetime.timedelta(days=1))
    kept = CustomerFactory(store=store, phone="+12175550143", assigned_to=salesperson)
    orphan = CustomerFactory(store=store, phone="+12175550144", assigned_to=gone)
    Purchase.objects.create(store=store, customer=kept, associate=gone, amount=Decimal("10"),
                            purchased_on=TODAY - datetime.timedelta(days=3))
    Purchase.objects.create(store=store, customer=orphan, associate=gone, amount=Decimal("10"),
                            purchased_on=TODAY - datetime.timedelta(days=3))
    plan_store(store=store, now=MORNING)
    assert dict(Task.objects.values_list("customer", "assignee")) == {
        kept.pk: salesperson.pk, orphan.pk: None}


def test_no_number_no_call_and_the_skip_is_counted(store, salesperson):
    silent = CustomerFactory(store=store, phone="", assigned_to=salesperson)
    _bought(silent, 3, by=salesperson)
    result = plan_store(store=store, now=MORNING)
    assert not Task.objects.exists()
    assert result.skipped == {"no number for a thank-you call": 1}


def test_a_bridal_piece_asks_for_the_wedding_date(store, ava, salesperson):
    _bought(ava, 3, by=salesperson, what="Engagement ring, 1 ct")
    plan_store(store=store, now=MORNING)
    assert Task.objects.get().reason.endswith(": ask their wedding date")


def test_a_store_can_move_or_stop_the_call(store, ava, salesperson):
    AftercareStep.objects.create(store=store, kind="thank_you_call", after_days=5,
                                 active=True, min_amount=Decimal("500"))
    _bought(ava, 5, by=salesperson, amount="100")
    _bought(ava, 5, by=salesperson, amount="800", what="Sapphire ring")
    plan_store(store=store, now=MORNING)
    assert Task.objects.get().purchase.amount == Decimal("800")
    AftercareStep.objects.filter(store=store).update(active=False)
    _bought(ava, 5, by=salesperson, amount="900", what="Ruby ring")
    assert plan_store(store=store, now=MORNING).calls == 0


def test_the_call_is_on_the_associates_today_with_its_reason(sales_client, store, ava,
                                                             salesperson):
    _bought(ava, 3, by=salesperson)
    plan_store(store=store, now=MORNING)
    page = sales_client.get(reverse("followups:today")).content.decode()
    assert "Thank-you call for the purchase of Nov 23" in page
    assert "Ava" in page
