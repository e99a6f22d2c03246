"""The counter's screens: bad input keeps what was typed, never a 500; roles and stores hold."""

import datetime

import pytest
from django.urls import reverse

from crm.models import Customer
from repairs.models import Envelope, Status, StatusChange
from tests.factories import CustomerFactory, EnvelopeFactory

pytestmark = pytest.mark.django_db

TAKE_IN = "/repairs/take-in/"


@pytest.fixture
def typed(store, next_week):
    """What the counter types for a new customer's ring."""
    return {
        "take_in_key": "0b6f0e9c-1111-4a4a-9c9c-5a5a5a5a5a5a", "customer": "",
        "first_name": "Ada", "last_name": "Lovelace", "email": "ada@mail.example",
        "phone": "217 555 0142", "item_type": "ring", "item_description": "Gold solitaire",
        "metal": "14k yellow", "stones": "0.5 ct diamond", "condition": "Bent prong",
        "work_requested": "Size 6 to 7", "estimate": "85.50", "deposit": "20",
        "promised_on": next_week.isoformat(),
    }


def _refused(response, field, words):
    assert response.status_code == 200
    form = response.context["form"]
    assert words in " ".join(form.errors[field])
    assert not Envelope.objects.exists()
    return form


def test_take_in_without_email_is_refused_at_the_form(service_client, typed):
    response = service_client.post(TAKE_IN, typed | {"email": ""})
    _refused(response, "email", "email address is required for every repair")
    assert not Customer.objects.exists()
    page = response.content.decode()
    assert 'value="Gold solitaire"' in page
    assert "Size 6 to 7" in page
    assert 'value="85.50"' in page


def test_an_invalid_email_is_refused_and_kept_for_fixing(service_client, typed):
    response = service_client.post(TAKE_IN, typed | {"email": "ada@mail"})
    _refused(response, "email", "not a valid email")
    assert 'value="ada@mail"' in response.content.decode()


@pytest.mark.parametrize("estimate", ["eighty", "85,50", "$85"])
def test_an_estimate_that_is_not_a_number_is_refused(service_client, typed, estimate):
    response = service_client.post(TAKE_IN, typed | {"estimate": estimate})
    _refused(response, "estimate", "as a number")
    assert f'value="{estimate}"' in response.content.decode()


def test_a_negative_deposit_is_refused(service_client, typed):
    response = service_client.post(TAKE_IN, typed | {"deposit": "-5"})
    _refused(response, "deposit", "greater than or equal to 0")


def test_a_promised_date_in_the_past_is_refused(service_client, typed, store):
    yesterday = (store.today() - datetime.timedelta(days=1)).isoformat()
    response = service_client.post(TAKE_IN, typed | {"promised_on": yesterday})
    _refused(response, "promised_on", "already passed")
    assert f'value="{yesterday}"' in response.content.decode()


def test_a_promised_date_that_is_not_a_date_is_refused(service_client, typed):
    response = service_client.post(TAKE_IN, typed | {"promised_on": "next tuesday"})
    _refused(response, "promised_on", "valid date")


def test_no_customer_and_no_name_is_refused(service_client, typed):
    response = service_client.post(TAKE_IN, typed | {"first_name": "", "last_name": ""})
    _refused(response, "first_name", "Find the customer")


def test_a_good_take_in_saves_the_envelope_and_shows_it(service_client, typed, service_clerk):
    response = service_client.post(TAKE_IN, typed)
    envelope = Envelope.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("repairs:envelope", kwargs={"envelope_id": envelope.pk})
    assert str(envelope.estimate) == "85.50"
    assert str(envelope.phone) == "+12175550142"
    assert envelope.taken_in_by == service_clerk
    page = service_client.get(response["Location"]).content.decode()
    assert f"Envelope #{envelope.number}" in page


def test_a_double_tap_on_save_takes_the_piece_in_once(service_client, typed):
    service_client.post(TAKE_IN, typed)
    response = service_client.post(TAKE_IN, typed)
    assert response.status_code == 302
    assert Envelope.objects.count() == 1


def test_a_returning_customer_with_another_email_is_asked_and_keeps_both(
        service_client, typed, store):
    customer = CustomerFactory(store=store, email="old@mail.example")
    choose = typed | {"customer": str(customer.pk), "first_name": "", "email": "new@mail.example"}
    asked = service_client.post(TAKE_IN, choose)
    page = asked.content.decode()
    assert "Replace it with this one" in page
    assert f'value="{customer.pk}"' in page and "checked" in page
    assert not Envelope.objects.exists()

    service_client.post(TAKE_IN, choose | {"email_choice": "keep"})
    customer.refresh_from_db()
    assert (customer.email, customer.secondary_email) == ("old@mail.example", "new@mail.example")
    assert Envelope.objects.get().customer == customer


def test_a_new_customer_whose_email_is_on_file_is_shown_the_profile(service_client, typed,
                                                                    store):
    existing = CustomerFactory(store=store, email="ada@mail.example", first_name="Adeline")
    response = service_client.post(TAKE_IN, typed)
    _refused(response, "email", "already on file")
    assert "Adeline" in response.content.decode()
    assert Customer.objects.get() == existing


def test_the_customer_lookup_finds_this_stores_customers_only(service_client, store,
                                                              other_store):
    CustomerFactory(store=store, first_name="Grace", last_name="Hopper")
    CustomerFactory(store=other_store, first_name="Grace", last_name="Kelly")
    response = service_client.get(reverse("repairs:customer-lookup"), {"q": "Grace"})
    page = response.content.decode()
    assert "Hopper" in page
    assert "Kelly" not in page


def test_a_nul_byte_in_the_customer_lookup_finds_nobody_instead_of_failing(service_client,
                                                                             store):
    CustomerFactory(store=store, first_name="Grace", last_name="Hopper")
    response = service_client.get(reverse("repairs:customer-lookup"), {"q": "\x00Grace"})
    assert response.status_code == 200
    assert "Hopper" in response.content.decode()
    assert service_client.get(reverse("repairs:customer-lookup"),
                              {"q": "\x00"}).status_code == 200


def test_salespeople_see_envelopes_but_cannot_take_in(sales_client, typed, store):
    envelope = EnvelopeFactory(customer__store=store)
    assert sales_client.get(reverse("repairs:envelope",
                                    kwargs={"envelope_id": envelope.pk})).status_code == 200
    assert sales_client.post(TAKE_IN, typed).status_code == 403
    assert Envelope.objects.count() == 1


def test_salespeople_cannot_change_a_status(sales_client, store):
    envelope = EnvelopeFactory(customer__store=store)
    url = reverse("repairs:envelope-status", kwargs={"envelope_id": envelope.pk})
    assert sales_client.post(url, {"to_status": Status.AT_BENCH}).status_code == 403
    envelope.refresh_from_db()
    assert envelope.status == Status.RECEIVED


def test_anonymous_take_in_goes_to_the_login_page(client, typed):
    response = client.post(TAKE_IN, typed)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert not Envelope.objects.exists()


def test_another_stores_manager_cannot_move_this_stores_repair(other_manager_client, store):
    envelope = EnvelopeFactory(customer__store=store)
    url = reverse("repairs:envelope-status", kwargs={"envelope_id": envelope.pk})
    assert other_manager_client.post(url, {"to_status": Status.AT_BENCH}).status_code == 404
    assert Envelope.objects.get().status == Status.RECEIVED


def test_service_staff_move_a_repair_to_the_bench(service_client, store, service_clerk):
    envelope = EnvelopeFactory(customer__store=store)
    url = reverse("repairs:envelope-status", kwargs={"envelope_id": envelope.pk})
    response = service_client.post(url, {"to_status": Status.AT_BENCH, "note": "Sizing"})
    assert response.status_code == 302
    step = StatusChange.objects.get(envelope=envelope, to_status=Status.AT_BENCH)
    assert (step.changed_by, step.note) == (service_clerk, "Sizing")


def test_an_illegal_status_jump_shows_a_message_and_keeps_the_note(service_client, store):
    envelope = EnvelopeFactory(customer__store=store)
    url = reverse("repairs:envelope-status", kwargs={"envelope_id": envelope.pk})
    response = service_client.post(url, {"to_status": Status.PICKED_UP, "note": "Customer here"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "cannot go straight to picked up" in page
    assert 'value="Customer here"' in page
    assert Envelope.objects.get().status == Status.RECEIVED


def test_an_unknown_status_is_refused_without_a_500(service_client, store):
    envelope = EnvelopeFactory(customer__store=store)
    url = reverse("repairs:envelope-status", kwargs={"envelope_id": envelope.pk})
    response = service_client.post(url, {"to_status": "melted"})
    assert response.status_code == 200
    assert "not one of the available choices" in response.content.decode()


def test_the_printed_envelope_has_a_qr_code_and_the_terms(service_client, store):
    envelope = EnvelopeFactory(customer__store=store, condition="Missing one side stone")
    response = service_client.get(reverse("repairs:envelope-print",
                                          kwargs={"envelope_id": envelope.pk}))
    page = response.content.decode()
    assert page.count("<svg") == 2
    assert f"#{envelope.number}" in page
    assert "Missing one side stone" in page
    assert "Terms:" in page
    assert "<script>" not in page and "style=" not in page


def _envelopes(store, count, **kwargs):
    customer = CustomerFactory(store=store)
    taken_in_by = EnvelopeFactory(customer=customer, **kwargs).taken_in_by
    for _ in range(count - 1):
        EnvelopeFactory(customer=CustomerFactory(store=store), taken_in_by=taken_in_by, **kwargs)


@pytest.mark.parametrize("show", ["open", "overdue", "uncollected", "ready"])
def test_the_repair_lists_take_the_same_queries_for_5_or_60_envelopes(
        service_client, store, show, django_assert_max_num_queries):
    url = reverse("repairs:home") + f"?show={show}"
    _envelopes(store, 5)
    # 9: the page's queries include the envelope's condition photos (one prefetch).
    with django_assert_max_num_queries(9) as few:
        assert service_client.get(url).status_code == 200
    _envelopes(store, 55)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert service_client.get(url).status_code == 200


def test_the_envelope_page_queries_stay_flat_as_history_grows(
        service_client, store, service_clerk, django_assert_max_num_queries):
    from repairs.services import envelope_status_change

    envelope = EnvelopeFactory(customer__store=store)
    url = reverse("repairs:envelope", kwargs={"envelope_id": envelope.pk})
    # 9: the page's queries include the envelope's condition photos (one prefetch).
    with django_assert_max_num_queries(9) as few:
        service_client.get(url)
    for step in [Status.AT_BENCH, Status.WAITING_FOR_PARTS] * 10:
        envelope_status_change(envelope=envelope, to_status=step, by=service_clerk)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = service_client.get(url).content.decode()
    assert page.count("Waiting for parts") >= 10


def test_managers_see_the_capture_report_and_service_staff_do_not(manager_client, client,
                                                                  service_clerk):
    assert manager_client.get(reverse("repairs:capture-report")).status_code == 200
    client.force_login(service_clerk.user)
    assert client.get(reverse("repairs:capture-report")).status_code == 403


def test_times_are_shown_in_the_stores_time_zone(service_client, store):
    noon_in_chicago = datetime.datetime(2026, 11, 24, 18, 5, tzinfo=datetime.UTC)
    envelope = EnvelopeFactory(customer__store=store, taken_in_at=noon_in_chicago)
    page = service_client.get(reverse("repairs:envelope",
                                      kwargs={"envelope_id": envelope.pk})).content.decode()
    assert "Nov 24, 2026 12:05 p.m." in page


def test_the_qr_code_is_a_full_qr_that_phones_can_read(store):
    from repairs.qr import envelope_qr_svg

    envelope = EnvelopeFactory(customer__store=store, number=7)
    svg = envelope_qr_svg(envelope)
    assert 'viewBox="0 0 116 116"' in svg  # 21 modules + 4 quiet each side, x4 (a Micro QR is 68)


def test_an_invalid_phone_is_refused_and_kept_for_fixing(service_client, typed):
    response = service_client.post(TAKE_IN, typed | {"phone": "555-12"})
    _refused(response, "phone", "not a")
    assert 'value="555-12"' in response.content.decode()


def test_pressing_ready_twice_at_the_counter_plans_one_notice(service_client, take_in):
    from followups.models import Message

    envelope = take_in()
    url = reverse("repairs:envelope-status", kwargs={"envelope_id": envelope.pk})
    for _ in range(2):
        assert service_client.post(url, {"to_status": Status.READY}).status_code == 302
    assert Message.objects.filter(envelope=envelope).count() == 1
    assert StatusChange.objects.filter(envelope=envelope, to_status=Status.READY).count() == 1
