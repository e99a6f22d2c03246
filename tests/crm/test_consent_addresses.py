"""Consent belongs to the address it was given for: the ledger, the screens that show and
record it, and the ways a profile gets a new address (edit, walk-in, merge, import)."""

import datetime
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.errors import LoupeError
from crm.models import Channel, Consent, ConsentMethod, ContactPreference, Customer, Purpose
from crm.selectors import consent_by_address, consent_current
from crm.services import (
    WalkInEntry,
    consent_record,
    customer_log_walk_in,
    customer_merge,
    customer_update,
    customers_import,
)
from tests.factories import ConsentFactory, CustomerFactory

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 6, 10, 17, 0, tzinfo=datetime.UTC)
REMINDERS = Purpose.OCCASION_REMINDERS


def _allowed(customer, channel, address, purpose=REMINDERS):
    return consent_current(customer=customer, channel=channel, address=address,
                           purpose=purpose)


def test_consent_is_recorded_for_the_exact_address_normalised(store, salesperson):
    ava = CustomerFactory(store=store)
    email = consent_record(customer=ava, channel=Channel.EMAIL, address=" Ava@Mail.Example ",
                           purpose=REMINDERS, granted=True, method=ConsentMethod.TABLET)
    text = consent_record(customer=ava, channel=Channel.SMS, address="(217) 555-0142",
                          purpose=REMINDERS, granted=True, method=ConsentMethod.TABLET)
    assert (email.address, text.address) == ("ava@mail.example", "+12175550142")
    assert _allowed(ava, Channel.EMAIL, "AVA@mail.example")
    assert _allowed(ava, Channel.SMS, "+1 217 555 0142")


@pytest.mark.parametrize(("channel", "address"), [(Channel.EMAIL, ""), (Channel.SMS, "  "),
                                                  (Channel.EMAIL, "ava@"),
                                                  (Channel.PHONE, "12")])
def test_consent_without_a_usable_address_is_refused_and_nothing_is_saved(store, channel,
                                                                          address):
    ava = CustomerFactory(store=store)
    with pytest.raises(LoupeError):
        consent_record(customer=ava, channel=channel, address=address, purpose=REMINDERS,
                       granted=True, method=ConsentMethod.TABLET)
    assert not Consent.objects.exists()


@pytest.mark.parametrize(("channel", "address"), [(Channel.EMAIL, ""), (Channel.SMS, ""),
                                                  (Channel.EMAIL, "+12175550142"),
                                                  (Channel.SMS, "ava@mail.example"),
                                                  (Channel.EMAIL, "Ava@Mail.Example")])
def test_the_database_refuses_a_row_whose_address_does_not_fit_its_channel(store, channel,
                                                                           address):
    ava = CustomerFactory(store=store)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentFactory(customer=ava, channel=channel, address=address)


def test_a_text_consent_for_one_number_does_not_cover_a_new_number(store, salesperson):
    ava = CustomerFactory(store=store, phone="+12175550142")
    ConsentFactory(customer=ava, channel=Channel.SMS)
    customer_update(customer=ava, by=salesperson, phone="(217) 555-0199")
    assert not _allowed(ava, Channel.SMS, str(ava.phone))
    assert _allowed(ava, Channel.SMS, "+12175550142")  # the old number keeps its own
    assert Consent.objects.count() == 1


def test_a_new_email_on_the_profile_starts_without_consent(store, salesperson):
    ava = CustomerFactory(store=store, email="ava@mail.example")
    ConsentFactory(customer=ava, channel=Channel.EMAIL)
    customer_update(customer=ava, by=salesperson, email="ava@new.example")
    assert not _allowed(ava, Channel.EMAIL, "ava@new.example")
    assert not Consent.objects.filter(address="ava@new.example").exists()


def test_the_customer_page_shows_each_address_with_its_own_consents(sales_client, store):
    ava = CustomerFactory(store=store, email="ava@mail.example", secondary_email="",
                          phone="+12175550142")
    ConsentFactory(customer=ava, channel=Channel.SMS, method=ConsentMethod.TABLET)
    ConsentFactory(customer=ava, channel=Channel.EMAIL, address="ava@old.example",
                   granted=False, method=ConsentMethod.UNSUBSCRIBE)
    response = sales_client.get(reverse("crm:customer", kwargs={"customer_id": ava.pk}))
    shown = {a["address"]: a for a in response.context["customer"].consent_by_address}
    assert list(shown) == ["ava@mail.example", "+12175550142", "ava@old.example"]
    email = shown["ava@mail.example"]["channels"][0]["purposes"]
    assert [c for _, c in email] == [None, None, None]
    texts = dict(shown["+12175550142"]["channels"][0]["purposes"])
    assert texts["Occasion reminders"].granted
    assert not shown["ava@old.example"]["on_profile"]
    page = response.content.decode()
    assert "no longer on the profile" in page and "On the floor tablet" in page
    assert f"/customers/{ava.pk}/consent/?address=ava%40mail.example" in page


def test_the_selector_reads_the_ledger_newest_first_per_address_channel_and_purpose(store):
    ava = CustomerFactory(store=store, phone="+12175550142")
    early = datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC)
    ConsentFactory(customer=ava, channel=Channel.SMS, created_at=early)
    ConsentFactory(customer=ava, channel=Channel.SMS, granted=False, method=ConsentMethod.STOP,
                   created_at=early + datetime.timedelta(days=1))
    ConsentFactory(customer=ava, channel=Channel.PHONE, created_at=early)
    [_, number] = consent_by_address(customer=ava)
    text, call = number["channels"]
    assert (text["channel"], call["channel"]) == ("Text", "Phone call")
    assert dict(text["purposes"])["Occasion reminders"].method == ConsentMethod.STOP
    assert dict(call["purposes"])["Occasion reminders"].granted


def _edit(client, customer, **changes):
    data = {"first_name": customer.first_name, "last_name": customer.last_name,
            "email": customer.email, "secondary_email": customer.secondary_email,
            "phone": str(customer.phone or ""), "contact_preference": ""} | changes
    return client.post(reverse("crm:edit", kwargs={"customer_id": customer.pk}), data)


@pytest.mark.parametrize(("field", "new"), [("email", "ava@new.example"),
                                            ("phone", "+12175550199")])
def test_changing_an_address_on_the_edit_screen_says_consent_does_not_carry_over_and_asks(
        sales_client, store, field, new):
    ava = CustomerFactory(store=store, first_name="Ava", phone="+12175550142")
    ConsentFactory(customer=ava, channel=Channel.EMAIL)
    ConsentFactory(customer=ava, channel=Channel.SMS)
    response = _edit(sales_client, ava, **{field: new})
    consent_url = reverse("crm:consent", kwargs={"customer_id": ava.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(f"{consent_url}?address=")
    page = sales_client.get(response["Location"]).content.decode()
    assert "Consent for the old address does not carry over: ask Ava" in page
    assert new in page
    assert ("Reply STOP" if field == "phone" else "may email me") in page
    assert not Consent.objects.filter(address=new).exists()


def test_an_edit_that_keeps_the_addresses_goes_back_to_the_profile(sales_client, store):
    ava = CustomerFactory(store=store, phone="+12175550142")
    response = _edit(sales_client, ava, last_name="Brown")
    assert response["Location"] == reverse("crm:customer", kwargs={"customer_id": ava.pk})


def test_recording_what_they_said_for_the_new_address_keeps_the_words_who_and_when(
        sales_client, store, salesperson, manager):
    ava = CustomerFactory(store=store, phone="+12175550199")
    url = reverse("crm:consent", kwargs={"customer_id": ava.pk})
    response = sales_client.post(url, {
        "address": "+12175550199", "sms_occasions": "yes", "sms_events": "no",
        "phone_occasions": "", "asked_by": manager.pk, "asked_at": "2026-06-10T11:30"})
    assert response.status_code == 302
    text, news = (Consent.objects.get(address="+12175550199", purpose=purpose)
                  for purpose in (REMINDERS, Purpose.EVENTS))
    assert (text.channel, text.granted, text.method) == (Channel.SMS, True, ConsentMethod.STAFF)
    assert not news.granted
    assert text.recorded_by == manager and "Entered by Sally Sales" in text.note
    # 11:30 on the store's wall clock (Chicago), whatever the server's zone.
    assert text.created_at == datetime.datetime(2026, 6, 10, 16, 30, tzinfo=datetime.UTC)
    assert "+12175550199" in text.words and "not a condition of any purchase" in text.words
    assert not Consent.objects.filter(channel=Channel.PHONE).exists()  # not asked


def test_recording_consent_for_a_moment_in_the_future_is_refused_and_keeps_the_answers(
        sales_client, store, salesperson):
    ava = CustomerFactory(store=store)
    url = reverse("crm:consent", kwargs={"customer_id": ava.pk})
    response = sales_client.post(url, {"address": ava.email, "email_occasions": "yes",
                                       "asked_by": salesperson.pk,
                                       "asked_at": "2999-01-01T10:00"})
    assert response.status_code == 200
    assert response.context["form"].errors["asked_at"]
    assert response.context["form"]["email_occasions"].value() == "yes"
    assert not Consent.objects.exists()


def test_recording_consent_with_no_answer_or_for_an_address_not_on_the_profile_is_refused(
        sales_client, store, salesperson):
    ava = CustomerFactory(store=store)
    url = reverse("crm:consent", kwargs={"customer_id": ava.pk})
    nothing = sales_client.post(url, {"address": ava.email, "asked_by": salesperson.pk,
                                      "asked_at": "2026-01-05T10:00"})
    assert "at least one question" in nothing.content.decode()
    stranger = sales_client.post(url, {"address": "stranger@mail.example",
                                       "email_occasions": "yes", "asked_by": salesperson.pk,
                                       "asked_at": "2026-01-05T10:00"})
    assert "is not on" in stranger.content.decode()
    assert not Consent.objects.exists()


def test_another_stores_customer_consent_screen_is_not_found(other_manager_client, store):
    ava = CustomerFactory(store=store)
    url = reverse("crm:consent", kwargs={"customer_id": ava.pk})
    assert other_manager_client.get(url).status_code == 404
    assert other_manager_client.post(url, {"address": ava.email}).status_code == 404


def test_the_walk_in_records_each_yes_for_the_address_typed_and_the_stated_preference(
        store, salesperson):
    entry = WalkInEntry(first_name="Olivia", phone="(217) 555-0142",
                        email="Olivia@Mail.Example",
                        consents={Channel.SMS: True, Channel.EMAIL: True, Channel.PHONE: False},
                        contact_preference=ContactPreference.EMAIL)
    olivia = customer_log_walk_in(store=store, by=salesperson, key=uuid.uuid4(), entry=entry)
    assert sorted(Consent.objects.values_list("channel", "address")) == [
        ("email", "olivia@mail.example"), ("sms", "+12175550142")]
    olivia.refresh_from_db()
    assert olivia.contact_preference == ContactPreference.EMAIL


def test_this_is_them_with_a_new_preference_replaces_the_old_one(store, salesperson):
    olivia = CustomerFactory(store=store, contact_preference=ContactPreference.TEXT)
    entry = WalkInEntry(first_name=olivia.first_name, email=olivia.email,
                        contact_preference=ContactPreference.BOTH)
    customer_log_walk_in(store=store, by=salesperson, key=uuid.uuid4(), entry=entry,
                         customer=olivia)
    olivia.refresh_from_db()
    assert olivia.contact_preference == ContactPreference.BOTH


def test_merging_moves_each_consent_row_with_its_address(store, manager):
    survivor = CustomerFactory(store=store, email="", phone="")
    merged = CustomerFactory(store=store, email="ava@mail.example", phone="+12175550142")
    ConsentFactory(customer=merged, channel=Channel.EMAIL)
    ConsentFactory(customer=merged, channel=Channel.SMS, granted=False,
                   method=ConsentMethod.STOP)
    customer_merge(survivor=survivor, merged=merged, by=manager)
    survivor.refresh_from_db()
    assert _allowed(survivor, Channel.EMAIL, "ava@mail.example")
    assert not _allowed(survivor, Channel.SMS, "+12175550142")
    assert set(survivor.consents.values_list("address", flat=True)) == {
        "ava@mail.example", "+12175550142"}


def test_merging_never_lends_one_addresss_consent_to_the_other(store, manager):
    survivor = CustomerFactory(store=store, email="ava@mail.example", secondary_email="")
    merged = CustomerFactory(store=store, email="ava@work.example")
    ConsentFactory(customer=survivor, channel=Channel.EMAIL)
    customer_merge(survivor=survivor, merged=merged, by=manager)
    survivor.refresh_from_db()
    assert survivor.secondary_email == "ava@work.example"
    assert not _allowed(survivor, Channel.EMAIL, "ava@work.example")


def test_an_import_that_gives_a_profile_a_new_email_brings_no_consent(store, manager):
    ava = CustomerFactory(store=store, email="ava@mail.example", phone="+12175550142")
    ConsentFactory(customer=ava, channel=Channel.EMAIL)
    csv_text = "first_name,last_name,email,phone\nAva,Brown,ava@pos.example,2175550142\n"
    customers_import(store=store, by=manager, csv_text=csv_text, dry_run=False)
    ava = Customer.objects.get(pk=ava.pk)
    assert ava.email == "ava@pos.example"
    assert not _allowed(ava, Channel.EMAIL, "ava@pos.example")
    assert Consent.objects.count() == 1


def test_follow_up_lists_only_those_whose_yes_is_for_an_address_they_have_now(sales_client,
                                                                              store):
    visited = timezone.now() - datetime.timedelta(days=30)
    moved = CustomerFactory(store=store, first_name="Moved", last_visit_at=visited)
    ConsentFactory(customer=moved, address="moved@old.example")
    second = CustomerFactory(store=store, first_name="Second", last_visit_at=visited,
                             secondary_email="second@work.example")
    ConsentFactory(customer=second, address="second@work.example")
    texts = CustomerFactory(store=store, first_name="Texts", last_visit_at=visited)
    ConsentFactory(customer=texts, channel=Channel.SMS)
    page = sales_client.get(reverse("crm:follow-up"), {"who": "anyone"}).context["page"]
    assert sorted(c.first_name for c in page) == ["Second", "Texts"]
