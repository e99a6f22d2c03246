import pytest
from django.http import Http404

from crm import selectors
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_duplicates_match_a_phone_typed_in_any_format(store):
    olivia = CustomerFactory(store=store, phone="+15550102345")
    CustomerFactory(store=store, phone="+15550109999")
    assert list(selectors.customer_duplicates(store=store, phone="(555) 010-2345")) == [olivia]
    assert list(selectors.customer_duplicates(store=store, phone="555.010.2345")) == [olivia]


def test_duplicates_match_email_in_any_case_and_in_either_field(store):
    olivia = CustomerFactory(store=store, email="olivia@mail.example")
    liam = CustomerFactory(store=store, email="liam@mail.example",
                           secondary_email="liam@work.example")
    assert list(selectors.customer_duplicates(store=store, email="OLIVIA@Mail.example")) == [
        olivia]
    assert list(selectors.customer_duplicates(store=store, email="Liam@Work.example")) == [liam]


def test_duplicates_ignore_half_typed_contacts_and_other_stores(store, other_store):
    CustomerFactory(store=other_store, email="olivia@mail.example", phone="+15550102345")
    assert not selectors.customer_duplicates(store=store, email="olivia@mail.example",
                                             phone="(555) 010-2345").exists()
    assert not selectors.customer_duplicates(store=store, email="olivia@", phone="555").exists()


def test_search_finds_a_name_by_prefix_and_by_a_typo(store):
    olivia = CustomerFactory(store=store, first_name="Olivia", last_name="Hernandez")
    CustomerFactory(store=store, first_name="Noah", last_name="Brown")
    assert list(selectors.customer_search(store=store, query="oli")) == [olivia]
    assert list(selectors.customer_search(store=store, query="Hernandes")) == [olivia]
    assert list(selectors.customer_search(store=store, query="olivia hern")) == [olivia]


def test_search_for_a_full_name_shows_that_person_not_everyone_sharing_one_name(store):
    for first in ["Aaron", "Abigail", "Adam"]:
        CustomerFactory(store=store, first_name=first, last_name="Garcia")
    CustomerFactory(store=store, first_name="Maria", last_name="Adams")
    maria = CustomerFactory(store=store, first_name="Maria", last_name="Garcia")

    assert list(selectors.customer_search(store=store, query="Maria Garcia")) == [maria]
    assert list(selectors.customer_search(store=store, query="garcia maria")) == [maria]
    assert list(selectors.customer_search(store=store, query="Maria Garsia")) == [maria]


def test_search_finds_a_phone_in_any_format(store):
    olivia = CustomerFactory(store=store, phone="+15550102345")
    CustomerFactory(store=store, phone="+15550109999")
    for typed in ["(555) 010-2345", "+15550102345", "010-2345", "5550102345"]:
        assert list(selectors.customer_search(store=store, query=typed)) == [olivia], typed


def test_search_finds_either_email_in_any_case(store):
    olivia = CustomerFactory(store=store, email="olivia@mail.example",
                             secondary_email="o.h@work.example")
    CustomerFactory(store=store, email="noah@mail.example")
    assert list(selectors.customer_search(store=store, query="OLIVIA@mail")) == [olivia]
    assert list(selectors.customer_search(store=store, query="o.h@Work.example")) == [olivia]
    assert list(selectors.customer_search(store=store, query="Olivia@")) == [olivia]
    assert list(selectors.customer_search(store=store, query="work.example")) == [olivia]


def test_search_never_shows_another_store(store, other_store):
    CustomerFactory(store=other_store, first_name="Olivia")
    assert not list(selectors.customer_search(store=store, query="Olivia"))
    assert not list(selectors.customer_search(store=store, query="   "))


def test_customer_of_another_store_is_not_found(store, other_store):
    theirs = CustomerFactory(store=other_store)
    ours = CustomerFactory(store=store)
    assert selectors.customer_for(store=store, customer_id=ours.pk) == ours
    with pytest.raises(Http404):
        selectors.customer_for(store=store, customer_id=theirs.pk)


@pytest.mark.parametrize(("typed", "searched"), [
    ("\x00", ""),
    ("Ann\x00", "Ann"),
    ("  Ann\tLee\r\n", "Ann Lee"),
    ("Ann\x1b[31m", "Ann [31m"),
    ("x" * 300, "x" * 100),
])
def test_a_search_box_drops_control_characters_before_searching(typed, searched):
    from crm.normalize import search_text

    assert search_text(typed) == searched
