"""Phone numbers as people read them: the store's national format on every screen and
printout (one filter), E.164 in `tel:` links."""

import phonenumbers
import pytest
from django.template import Context, Template
from django.urls import reverse
from phonenumber_field.phonenumber import PhoneNumber

from core.phones import phone_for_people, phone_text
from tests.factories import CustomerFactory, EnvelopeFactory, StaffMemberFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("stored", "shown"), [
    ("+12175550226", "(217) 555-0226"),
    (PhoneNumber.from_string("+12175550226"), "(217) 555-0226"),
    ("+442079460958", "+44 20 7946 0958"),  # a visitor's number keeps its country code
    ("ada@mail.example", "ada@mail.example"),  # a contact address that is not a phone
    ("", ""),
    (None, ""),
    ("call the shop", "call the shop"),
])
def test_a_phone_is_shown_in_the_stores_national_format(stored, shown):
    assert phone_for_people(stored) == shown


def test_the_region_comes_from_the_setting(settings):
    settings.PHONENUMBER_DEFAULT_REGION = "GB"
    assert phone_for_people("+442079460958") == "020 7946 0958"
    assert phone_for_people("+12175550226") == "+1 217-555-0226"


def _straight(value, region: str) -> str:
    """The rule worked out afresh, with nothing remembered."""
    text = "" if value is None else str(value)
    try:
        number = value if isinstance(value, phonenumbers.PhoneNumber) else \
            phonenumbers.parse(text.strip(), region)
    except phonenumbers.NumberParseException:
        return text
    if not number.country_code or "@" in text:
        return text
    home = phonenumbers.country_code_for_region(region)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL
                                      if number.country_code == home
                                      else phonenumbers.PhoneNumberFormat.INTERNATIONAL)


NUMBERS = ["+12175550226", "+442079460958", "+390612345678", "+61491570156", "+1",
           "+12175550226 ", "2175550226", "ada@mail.example", "", None, "call the shop",
           PhoneNumber.from_string("+12175550226"), PhoneNumber.from_string("+390612345678"),
           PhoneNumber.from_string("+12175550226 ext. 12"),
           PhoneNumber.from_string("(217) 555-0226", region="US")]


@pytest.mark.parametrize("region", ["US", "GB", "IT"])
def test_a_number_read_twice_reads_as_worked_out_afresh(settings, region):
    """The numbers remembered per process give exactly the straightforward answer, in every
    region, the second time as the first (a region changed in between is not mixed up)."""
    settings.PHONENUMBER_DEFAULT_REGION = region
    for _ in range(2):
        assert [phone_for_people(n) for n in NUMBERS] == [_straight(n, region) for n in NUMBERS]
    assert phone_for_people(PhoneNumber.from_string("+12175550226 ext. 12")).endswith("12")


def test_the_template_filter_is_the_same_rule():
    rendered = Template("{% load phones %}{{ number|phone }}").render(
        Context({"number": "+12175550226"}))
    assert rendered == "(217) 555-0226"




@pytest.fixture
def grace(store, salesperson):
    return CustomerFactory(store=store, first_name="Grace", last_name="Hopper",
                           phone="+12175550226", email="grace@mail.example",
                           assigned_to=salesperson)


def _shown(response) -> str:
    page = response.content.decode()
    assert "(217) 555-0226" in page
    return page


def test_the_customer_page_my_clients_and_search_show_the_national_format(sales_client, grace):
    _shown(sales_client.get(reverse("crm:customer", kwargs={"customer_id": grace.pk})))
    assert "+12175550226" not in _shown(sales_client.get(reverse("crm:home")))
    assert "+12175550226" not in _shown(sales_client.get(reverse("crm:search"), {"q": "0226"}))
    _shown(sales_client.get(reverse("crm:search"), {"q": "0226"},
                            headers={"HX-Request": "true"}))


def test_the_envelope_and_its_printout_show_the_national_format(service_client, grace):
    envelope = EnvelopeFactory(customer=grace, phone="+12175550226")
    for name in ("repairs:envelope", "repairs:envelope-print"):
        page = _shown(service_client.get(reverse(name, kwargs={"envelope_id": envelope.pk})))
        assert "+12175550226" not in page


def test_the_printed_orphan_list_shows_the_national_format(manager_client, store):
    import datetime

    from django.utils import timezone

    gone = StaffMemberFactory(store=store,
                              departed_on=timezone.localdate() - datetime.timedelta(days=1))
    CustomerFactory(store=store, phone="+12175550226", assigned_to=gone)
    _shown(manager_client.get(reverse("staff:orphans-print")))


def test_a_call_on_today_reads_national_and_dials_e164(sales_client, grace, salesperson):
    TaskFactory(customer=grace, assignee=salesperson, occasion=None, occurs_on=None)
    page = _shown(sales_client.get(reverse("followups:today")))
    assert 'href="tel:+12175550226"' in page


def test_a_stored_number_is_shown_without_being_validated_again(store, monkeypatch):
    """A number read from the database is shown from the E.164 text it was stored as (the
    same answer `str()` gives after validating it, which cost about 12 µs a row)."""
    from crm.models import Customer

    pk = CustomerFactory(store=store, phone="+12175550226").pk
    stored = Customer.objects.get(pk=pk).phone
    expected = _straight(stored, "US")

    def refused(self):
        raise AssertionError("validated again")

    monkeypatch.setattr(PhoneNumber, "is_valid", refused)
    assert phone_for_people(stored) == expected == "(217) 555-0226"


@pytest.mark.parametrize("typed", ["+12175550226", "+442079460958", "+1217555", "+0"])
def test_a_number_in_e164_text_reads_as_its_validated_form(typed):
    """Valid or not, a number whose text is E.164 reads as `str()` of it would."""
    try:
        number = PhoneNumber.from_string(typed)
    except phonenumbers.NumberParseException:
        number = PhoneNumber(raw_input=typed)
    assert phone_for_people(number) == _straight(number, "US")


@pytest.mark.parametrize("stored", ["+12175550226", "+442079460958", "+390612345678",
                                    "+61491570156", ""])
def test_a_stored_numbers_text_is_what_str_gives_without_validating_it(store, stored,
                                                                        monkeypatch):
    """`phone_text`, what a profile's addresses and the reply box use, gives the text `str()`
    gives of a number read from the database, without validating it again."""
    from crm.models import Customer

    pk = CustomerFactory(store=store, phone=stored).pk
    number = Customer.objects.get(pk=pk).phone
    expected = str(number or "")
    monkeypatch.setattr(PhoneNumber, "is_valid", lambda self: pytest.fail("validated again"))
    assert phone_text(number) == expected == stored


@pytest.mark.parametrize("number", [n for n in NUMBERS if not isinstance(n, str)])
def test_any_numbers_text_is_what_str_gives(number):
    assert phone_text(number) == ("" if number is None else str(number))
