"""An erased customer is never messaged again: the planner, the sender and replies honour
the anonymous revocation the erasure leaves in the consent ledger."""

import pytest
from django.core import mail

from crm.models import Channel, Interaction, Purpose
from crm.services.privacy import customer_erase
from followups.models import Message, MessageStatus
from followups.planner import plan_store
from followups.sender import message_send
from followups.services import sms_inbound
from tests.factories import ConsentFactory, CustomerFactory, OccasionFactory
from tests.followups.test_planner import MORNING, TWO_WEEKS

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MORNING, tick=False)]

PHONE = "+12175550123"


def test_the_planner_plans_nothing_for_an_erased_customer_or_their_other_profile(
        store, make_customer, manager):
    erased, _ = make_customer(on=TWO_WEEKS, channels=[Channel.EMAIL, Channel.SMS],
                              phone=PHONE)
    twin = CustomerFactory(store=store, email=erased.email, phone="")
    OccasionFactory(customer=twin, month=TWO_WEEKS.month, day=TWO_WEEKS.day)
    ConsentFactory(customer=twin, channel=Channel.EMAIL)
    kept, _ = make_customer(on=TWO_WEEKS)

    customer_erase(customer=erased, by=manager)
    plan_store(store=store, now=MORNING)

    assert list(Message.objects.values_list("customer", flat=True)) == [kept.pk]


def test_a_reminder_planned_before_the_erasure_is_never_sent(store, make_customer, manager):
    customer, _ = make_customer(on=TWO_WEEKS)
    plan_store(store=store, now=MORNING)
    planned = Message.objects.get()

    customer_erase(customer=customer, by=manager)

    assert message_send(message_id=planned.pk) == MessageStatus.SUPPRESSED
    assert not mail.outbox


def test_a_text_from_an_erased_number_lands_nowhere_and_start_reopens_nothing(
        store, make_customer, manager):
    customer, _ = make_customer(channels=[Channel.SMS], phone=PHONE)
    ConsentFactory(customer=customer, channel=Channel.SMS, purpose=Purpose.REPAIR_NOTICES)
    customer_erase(customer=customer, by=manager)
    visits = Interaction.objects.count()

    sms_inbound(sender=PHONE, store_number="+12175550100", text="Can I come Saturday?")
    sms_inbound(sender=PHONE, store_number="+12175550100", text="START")

    assert Interaction.objects.count() == visits
    assert not customer.consents.filter(granted=True, created_at__gt=MORNING).exists()
    assert not any(c.phone for c in type(customer).objects.filter(store=store))
