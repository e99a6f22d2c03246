"""The benchmark's data generator: a small chain, generated the way `make bench` does it."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from crm import selectors
from crm.models import Assignment, Consent, Customer, Interaction, Occasion
from followups.models import Message
from repairs.models import Envelope, EnvelopeCounter
from sampledata.generate import BENCH_PASSWORD, FLAGSHIP, bulk, generate
from staff.models import StaffMember, Store
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

CUSTOMERS = 300


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _generated(seed):
    """Names and occasion dates of a generation, rolled back afterwards."""
    with transaction.atomic():
        generate(customers=50, seed=seed)
        people = list(Customer.objects.order_by("pk").values_list("first_name", "last_name"))
        dates = list(Occasion.objects.order_by("pk").values_list("kind", "month", "day"))
        transaction.set_rollback(True)
    return people, dates


def test_a_generated_chain_has_customers_with_two_or_three_occasions_each():
    counts = generate(customers=CUSTOMERS, seed=3)

    assert counts["customer"] == Customer.objects.count() == CUSTOMERS
    assert Store.objects.count() == 2
    per_customer = {c.occasions.count() for c in Customer.objects.prefetch_related("occasions")}
    assert per_customer <= {2, 3}
    assert Occasion.objects.filter(customer__in=Customer.objects.all()).count() \
        == Occasion.objects.count() == counts["occasion"]


def test_the_flagship_holds_most_customers_and_some_are_orphans_of_departed_associates():
    generate(customers=CUSTOMERS, seed=3)

    flagship = Customer.objects.filter(store__name=FLAGSHIP).count()
    assert 0.7 * CUSTOMERS < flagship < 0.9 * CUSTOMERS
    departed = StaffMember.objects.filter(departed_on__isnull=False)
    assert departed.exists()
    assert not departed.filter(user__is_active=True).exists()
    orphans = Customer.objects.orphaned().count()
    assert 0.1 * CUSTOMERS < orphans < 0.35 * CUSTOMERS
    # The open assignment matches who looks after each assigned customer.
    assert Assignment.objects.filter(ended_at__isnull=True).count() \
        == Customer.objects.filter(assigned_to__isnull=False).count()


def test_consent_is_granted_by_some_refused_by_some_and_later_revoked_by_a_few():
    generate(customers=CUSTOMERS, seed=3)

    email = Consent.objects.filter(channel="email", purpose="occasions")
    assert email.filter(granted=True).count() > 0.3 * CUSTOMERS
    assert email.filter(granted=False, method="tablet").exists()
    assert Consent.objects.filter(granted=False, method__in=["unsubscribe", "stop"]).exists()
    assert not Consent.objects.filter(channel="sms", customer__phone="").exists()


def test_timelines_repairs_and_past_messages_point_at_generated_customers():
    generate(customers=CUSTOMERS, seed=3)

    assert Interaction.objects.count() > CUSTOMERS
    assert Envelope.objects.exclude(email="").count() == Envelope.objects.count() > 0
    last = Envelope.objects.filter(store__name=FLAGSHIP).order_by("-number").first()
    assert EnvelopeCounter.objects.get(store=last.store).last_number == last.number
    assert Message.objects.filter(status="delivered").exists()
    assert not Message.objects.exclude(customer__in=Customer.objects.all()).exists()


def test_the_same_seed_gives_the_same_people_and_occasions_and_another_seed_does_not():
    first = _generated(5)

    assert len(first[0]) == 50
    assert _generated(5) == first
    assert _generated(6) != first


def test_the_app_keeps_working_after_a_generated_load(client):
    generate(customers=50, seed=3)

    added = CustomerFactory(store=Store.objects.get(name=FLAGSHIP))
    assert added.pk > Customer.objects.exclude(pk=added.pk).order_by("-pk").first().pk
    salesperson = StaffMember.objects.filter(store__name=FLAGSHIP, role="salesperson",
                                             departed_on__isnull=True).first()
    logged_in = client.post("/login/", {"username": salesperson.user.username,
                                        "password": BENCH_PASSWORD})
    assert logged_in.status_code == 302
    response = client.get("/customers/")
    assert response.status_code == 200
    assert salesperson.clients.first().full_name in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_generate_data_refuses_to_load_a_second_chain_into_the_same_database():
    call_command("generate_data", "--customers", "20")

    with pytest.raises(CommandError, match="already here"):
        call_command("generate_data", "--customers", "20")
    assert Customer.objects.count() == 20


def _kept_columns() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, occasion_reminders_now, events_word_email, "
                       "events_word_secondary_email, events_word_phone FROM crm_customer")
        return {row[0]: row[1:] for row in cursor.fetchall()}


def test_what_triggers_keep_is_filled_after_the_load_however_the_batches_fall(monkeypatch):
    """The keeping triggers are quiet during the bulk load; what they keep is filled once
    after. Small COPY batches send occasions and walk-ins before their customers' batch, as
    at 100k and more."""
    monkeypatch.setattr(bulk, "FLUSH_ROWS", 97)
    generate(customers=CUSTOMERS, seed=3)
    kept = _kept_columns()
    asked = set(Customer.objects.filter(selectors.consent_granted_now())
                .values_list("pk", flat=True))
    assert asked, "some generated customers asked for occasion reminders"
    assert {pk for pk, row in kept.items() if row[0]} == asked
    assert any(row[1] == "granted" for row in kept.values())
    with connection.cursor() as cursor:
        cursor.execute("SELECT crm_events_words_recompute(ARRAY(SELECT id FROM crm_customer))")
    assert _kept_columns() == kept
    with connection.cursor() as cursor:
        cursor.execute("SELECT tgenabled FROM pg_trigger WHERE tgname = 'crm_events_words_insert'")
        assert cursor.fetchone() == ("A",)
        # The walk-ins keep their customer's answer too (crm 0032), also filled after the load.
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE w.customer_consents_now) "
                       "FROM crm_walkin w JOIN crm_customer c ON c.id = w.customer_id "
                       "WHERE w.customer_consents_now IS DISTINCT FROM c.occasion_reminders_now "
                       "OR w.customer_store_id IS DISTINCT FROM c.store_id")
        assert cursor.fetchone() == (0, 0)
        cursor.execute("SELECT count(*) FROM crm_walkin WHERE customer_consents_now")
        assert cursor.fetchone()[0] > 0
        # Each occasion its customer's store and associate (crm 0033).
        cursor.execute("SELECT count(*) FROM crm_occasion o JOIN crm_customer c "
                       "ON c.id = o.customer_id WHERE o.customer_store_id IS DISTINCT FROM "
                       "c.store_id OR o.customer_assigned_to_id IS DISTINCT FROM c.assigned_to_id")
        assert cursor.fetchone() == (0,)
