"""Least privilege at the repair counter: service staff find a customer for a take-in, see
and correct their contact details, repairs and repair-notice consent, and nothing else."""

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from crm.models import Channel, Consent, ConsentMethod, Purpose
from tests.factories import ConsentFactory, CustomerFactory, EnvelopeFactory, OccasionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def ava(store, salesperson):
    ava = CustomerFactory(store=store, first_name="Ava", last_name="Brown",
                          email="ava@mail.example", phone="+12175550142",
                          address_line="12 Elm St", partner_name="Benjamin",
                          notes="Anniversary gift secret", assigned_to=salesperson)
    OccasionFactory(customer=ava, month=4, day=2)
    ConsentFactory(customer=ava, purpose=Purpose.REPAIR_NOTICES, method=ConsentMethod.ENVELOPE)
    ConsentFactory(customer=ava, purpose=Purpose.EVENTS)
    EnvelopeFactory(customer=ava, number=4711)
    return ava


def _contact(ava):
    return reverse("crm:contact", kwargs={"customer_id": ava.pk})


def test_the_counter_opening_a_customer_gets_the_narrow_view(service_client, ava):
    response = service_client.get(reverse("crm:customer", kwargs={"customer_id": ava.pk}))
    assert response.status_code == 302 and response["Location"] == _contact(ava)

    page = service_client.get(_contact(ava)).content.decode()

    for shown in ("Ava Brown", "ava@mail.example", "(217) 555-0142", "4711", "Repair notices",
                  "On a repair envelope"):
        assert shown in page, shown
    for hidden in ("12 Elm St", "Benjamin", "Anniversary gift secret", "Birthday",
                   "Events and news", "Looked after by", f'href="{reverse("crm:home")}"',
                   reverse("crm:edit", kwargs={"customer_id": ava.pk})):
        assert hidden not in page, hidden


def test_the_counter_corrects_contact_details_and_nothing_else(service_client, ava,
                                                               service_clerk):
    url = reverse("crm:contact-edit", kwargs={"customer_id": ava.pk})
    response = service_client.post(url, {
        "first_name": "Ava", "last_name": "Browne", "phone": "(217) 555-0142",
        "email": "ava@mail.example", "secondary_email": "", "notes": "overwritten",
        "partner_name": "Someone else"})
    assert response.status_code == 302
    ava.refresh_from_db()
    assert (ava.last_name, ava.notes, ava.partner_name) == ("Browne", "Anniversary gift secret",
                                                             "Benjamin")
    entry = AuditEntry.objects.get(action="customer.changed")
    assert entry.actor == service_clerk.user and entry.data == {"fields": ["last_name"]}


def test_a_bad_email_at_the_counter_is_shown_and_nothing_is_lost(service_client, ava):
    url = reverse("crm:contact-edit", kwargs={"customer_id": ava.pk})
    response = service_client.post(url, {"first_name": "Ava", "last_name": "Brown",
                                         "phone": "", "email": "ava@", "secondary_email": ""})
    assert response.status_code == 200
    assert "not a valid email" in response.content.decode()
    assert 'value="ava@"' in response.content.decode()
    ava.refresh_from_db()
    assert ava.email == "ava@mail.example"


def test_the_counter_records_repair_notice_consent_only(service_client, ava, service_clerk):
    url = reverse("crm:consent", kwargs={"customer_id": ava.pk})
    page = service_client.get(f"{url}?address=ava@mail.example").content.decode()
    assert 'name="email_repairs"' in page and 'name="email_events"' not in page

    response = service_client.post(url, {
        "address": "ava@mail.example", "email_repairs": "no", "email_events": "yes",
        "email_occasions": "yes", "asked_by": service_clerk.pk,
        "asked_at": timezone.localtime(timezone=ava.store.tz).strftime("%Y-%m-%dT%H:%M")})

    assert response.status_code == 302
    recorded = Consent.objects.filter(customer=ava, method=ConsentMethod.STAFF)
    assert [(c.channel, c.purpose, c.granted) for c in recorded] == [
        (Channel.EMAIL, Purpose.REPAIR_NOTICES, False)]


@pytest.mark.parametrize("name", ["crm:edit", "crm:note", "crm:purchase", "crm:history",
                                  "crm:photo-add", "followups:conversation",
                                  "appointments:book", "crm:privacy"])
def test_the_counter_is_refused_everything_else_about_a_customer(service_client, ava, name):
    url = reverse(name, kwargs={"customer_id": ava.pk})
    assert service_client.get(url).status_code == 403
    assert service_client.post(url, {"text": "x", "first_name": "X"}).status_code == 403


@pytest.mark.parametrize("name", ["crm:home", "crm:customers", "crm:here", "crm:follow-up",
                                  "crm:potential", "crm:export", "insights:dashboard",
                                  "events:list", "followups:today"])
def test_the_counter_sees_no_list(service_client, ava, name):
    assert service_client.get(reverse(name)).status_code == 403


def test_the_counter_finds_a_customer_by_name_phone_or_email(service_client, ava):
    for query in ("Brown", "555-0142", "ava@mail.example"):
        page = service_client.get(reverse("crm:search"), {"q": query}).content.decode()
        assert reverse("crm:customer", kwargs={"customer_id": ava.pk}) in page, query


def test_the_counter_view_of_another_store_is_404(other_manager_client, ava):
    assert other_manager_client.get(_contact(ava)).status_code == 404


def test_the_narrow_view_costs_the_same_for_many_repairs(service_client, ava,
                                                         django_assert_max_num_queries):
    for _ in range(8):
        EnvelopeFactory(customer=ava)
    with django_assert_max_num_queries(14):
        assert service_client.get(_contact(ava)).status_code == 200
