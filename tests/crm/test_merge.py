import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import LoupeError
from core.models import AuditEntry
from crm import services
from crm.models import (
    Assignment,
    Channel,
    Consent,
    Customer,
    Interaction,
    Occasion,
    Purchase,
    WishItem,
)
from crm.services import client_assign
from followups.models import Message, MessageStatus
from followups.planner import plan_store
from repairs.models import Envelope
from tests.factories import (
    ConsentFactory,
    CustomerFactory,
    EnvelopeFactory,
    OccasionFactory,
    StaffMemberFactory,
)

pytestmark = pytest.mark.django_db

# Nov 26, 2026, 10:00 in Chicago (the test store's timezone): Dec 10 is two weeks ahead.
MORNING = datetime.datetime(2026, 11, 26, 16, 0, tzinfo=datetime.UTC)


@pytest.fixture
def two_profiles(store, salesperson, manager):
    """One person, two profiles: a walk-in and the same person at the repair counter."""
    kept = CustomerFactory(store=store, first_name="Olivia", last_name="Hernandez",
                           email="olivia@mail.example", phone="", lifetime_value=Decimal("100"))
    merged = CustomerFactory(store=store, first_name="Olivia", last_name="Hernandez",
                             email="o.hernandez@work.example", phone="+12175550142",
                             lifetime_value=Decimal("250"))
    client_assign(customer=kept, associate=salesperson, by=manager, reason="walk_in")
    other_seller = StaffMemberFactory(store=store)
    client_assign(customer=merged, associate=other_seller, by=manager, reason="walk_in")
    OccasionFactory(customer=merged, kind="anniversary", month=9, day=14)
    ConsentFactory(customer=merged)
    services.interaction_add(customer=merged, kind="note", summary="Prefers rose gold")
    Purchase.objects.create(store=store, customer=merged, purchased_on=timezone.localdate(),
                            amount=Decimal("250"), description="Studs")
    WishItem.objects.create(customer=merged, description="Tennis bracelet")
    EnvelopeFactory(customer=merged)
    return kept, merged


def test_merge_keeps_every_related_row_of_every_app(two_profiles, manager):
    kept, merged = two_profiles
    before = {rel.related_model: rel.related_model._base_manager.filter(
        **{rel.field.name: merged}).count() for rel in Customer._meta.related_objects}
    kept_before = {rel.related_model: rel.related_model._base_manager.filter(
        **{rel.field.name: kept}).count() for rel in Customer._meta.related_objects}

    services.customer_merge(survivor=kept, merged=merged, by=manager)

    assert not Customer.objects.filter(pk=merged.pk).exists()
    for model in (Occasion, Consent, Purchase, WishItem, Envelope):
        assert model.objects.filter(customer=kept).count() == before[model] + kept_before[model]
    assert Interaction.objects.filter(customer=kept, summary="Prefers rose gold").exists()
    assert Assignment.objects.filter(customer=kept).count() == 2
    assert Assignment.objects.filter(customer=kept, ended_at__isnull=True).count() == 1


def test_the_kept_profile_keeps_its_associate_and_gains_the_missing_details(
        two_profiles, manager, salesperson):
    kept, merged = two_profiles
    services.customer_merge(survivor=kept, merged=merged, by=manager)
    kept.refresh_from_db()
    assert kept.assigned_to == salesperson
    assert kept.email == "olivia@mail.example"
    assert kept.secondary_email == "o.hernandez@work.example"
    assert str(kept.phone) == "+12175550142"
    assert kept.lifetime_value == Decimal("350.00")
    assert AuditEntry.objects.filter(action="customer.merged", object_id=str(kept.pk),
                                     data__merged_id=merged.pk).exists()


def test_a_profile_cannot_be_merged_into_itself_or_another_store(store, other_store, manager):
    olivia = CustomerFactory(store=store)
    theirs = CustomerFactory(store=other_store)
    with pytest.raises(LoupeError):
        services.customer_merge(survivor=olivia, merged=olivia, by=manager)
    with pytest.raises(LoupeError):
        services.customer_merge(survivor=theirs, merged=olivia, by=manager)
    assert Customer.objects.count() == 2


def test_a_manager_merges_from_the_customer_page(manager_client, two_profiles):
    kept, merged = two_profiles
    url = reverse("crm:merge", kwargs={"customer_id": merged.pk})
    assert kept.full_name in manager_client.get(url).content.decode()
    response = manager_client.post(url, {"survivor": kept.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("crm:customer", kwargs={"customer_id": kept.pk})
    assert not Customer.objects.filter(pk=merged.pk).exists()


def test_a_nul_byte_in_the_merge_search_shows_the_likely_duplicates(manager_client,
                                                                      two_profiles):
    kept, merged = two_profiles
    url = reverse("crm:merge", kwargs={"customer_id": merged.pk})
    response = manager_client.get(url, {"q": "\x00"})
    assert response.status_code == 200
    assert f'value="{kept.pk}"' in response.content.decode()
    assert Customer.objects.filter(pk=merged.pk).exists()


def test_a_salesperson_cannot_merge(sales_client, two_profiles):
    kept, merged = two_profiles
    response = sales_client.post(reverse("crm:merge", kwargs={"customer_id": merged.pk}),
                                 {"survivor": kept.pk})
    assert response.status_code == 403
    assert Customer.objects.filter(pk=merged.pk).exists()
    assert Occasion.objects.filter(customer=merged).exists()


def test_another_stores_manager_cannot_merge_our_customers(other_manager_client, two_profiles):
    kept, merged = two_profiles
    response = other_manager_client.post(
        reverse("crm:merge", kwargs={"customer_id": merged.pk}), {"survivor": kept.pk})
    assert response.status_code == 404
    assert Customer.objects.filter(pk=merged.pk).exists()


@pytest.mark.parametrize("survivor", ["", "999999", "other-store"])
def test_merging_into_nobody_or_another_stores_profile_is_refused_beside_the_choice(
        manager_client, two_profiles, other_store, survivor):
    kept, merged = two_profiles
    if survivor == "other-store":
        survivor = CustomerFactory(store=other_store).pk
    response = manager_client.post(reverse("crm:merge", kwargs={"customer_id": merged.pk}),
                                   {"survivor": survivor})
    assert response.status_code == 200
    assert response.context["form"].errors["survivor"]
    assert Customer.objects.filter(pk=merged.pk).exists()


@pytest.mark.time_machine(MORNING, tick=False)
def test_merging_two_profiles_with_the_same_birthday_keeps_one_and_plans_one_reminder(
        store, manager):
    kept = CustomerFactory(store=store, first_name="Olivia", email="olivia@mail.example")
    merged = CustomerFactory(store=store, first_name="Olivia", email="o.h@work.example")
    birthdays = {}
    for customer in (kept, merged):
        birthdays[customer] = OccasionFactory(customer=customer, kind="birthday", month=12,
                                              day=10, year=1990 if customer == merged else None)
        ConsentFactory(customer=customer, channel=Channel.EMAIL,
                       occasion=birthdays[customer],
                       created_at=datetime.datetime(2026, 1, 5, 12, tzinfo=datetime.UTC))
    plan_store(store=store, now=MORNING)
    assert Message.objects.filter(status=MessageStatus.PLANNED).count() == 2

    services.customer_merge(survivor=kept, merged=merged, by=manager)
    plan_store(store=store, now=MORNING)

    birthday = Occasion.objects.get()
    assert (birthday.pk, birthday.customer, birthday.year) == (birthdays[kept].pk, kept, 1990)
    planned = Message.objects.filter(status=MessageStatus.PLANNED)
    assert [(m.customer, m.occasion, m.occurs_on) for m in planned] == [
        (kept, birthday, datetime.date(2026, 12, 10))]
    held = Message.objects.get(status=MessageStatus.SUPPRESSED)
    assert (held.customer, held.occasion) == (kept, None)
    assert held.reason == "The same date was on file twice; the other one is kept."
    assert set(Consent.objects.values_list("customer", "occasion")) == {(kept.pk, birthday.pk)}
