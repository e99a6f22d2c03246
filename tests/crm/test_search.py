"""The name search in stages (crm.search) finds what one straightforward pass over every
customer of the store finds, in the same order; and the store's names it reads are kept."""

import pytest
from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import BooleanField, Case, ExpressionWrapper, F, Q, Value, When
from django.db.models.functions import Concat
from hypothesis import given
from hypothesis import strategies as st

from crm import search
from crm.models import Customer, CustomerName
from crm.selectors import customer_search
from crm.services.privacy import customer_erase
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

PEOPLE = [
    ("Olivia", "Hernandez"), ("Oliver", "Smith"), ("Olive", "Smithson"), ("Noah", "Smyth"),
    ("Maria", "Garcia"), ("Mario", "Garcia"), ("Garcia", "Lopez"), ("Maria", "Garza"),
    ("Ana", "Garcia-Lopez"), ("Mary Ann", "Smith"), ("Smith", "Jones"), ("José", "Núñez"),
    ("Jürgen", "Straße"),
    ("Liam", "smith"), ("Emma", "SMITHERS"), ("Ava", "Brown"), ("Ava", "Browne"),
    ("Sophia", "Blackwood"), ("Mia", "Black"), ("Black", "Mia"), ("Jon", "Johnson"),
    ("John", "Jonson"), ("Johnny", "Johnston"), ("Ella", ""), ("Olivia", "Olivares"),
    ("Aaron", "Smith"), ("Zoe", "Smith"), ("Abigail", "Smith"), ("Maria", "Garcia"),
]
QUERIES = [
    "smith", "Smit", "sMiTh", "oli", "olivia", "olivia hern", "Maria Garcia", "garcia maria",
    "Maria Garsia", "Hernandes", "smtih", "Jhonson", "john", "jo", "mary ann",
    "mary ann smith", "Black", "blakwood", "José", "núñez", "Garcia Lopez", "a", "Brwon",
    "Smyht", "Oliva Smth", "mar mari", "jo john", "straße", "strase", "jürgen",
    # More words than the index takes: the first three drive it, the others filter.
    "garcia mar mari maria", "smith o ol oli", "mary ann smith m",
    # Literal characters, not LIKE wildcards (one word is a range of the name key).
    "sm_th", "%", "gar%",
]


@pytest.fixture
def people(store, other_store):
    CustomerFactory(store=other_store, first_name="Oliver", last_name="Smith")
    return [CustomerFactory(store=store, first_name=first, last_name=last)
            for first, last in PEOPLE]


def _key(name):
    """Upper case letter by letter, as PostgreSQL's upper() ("ß" has no single capital), in
    byte order."""
    return "".join(c.upper() if len(c.upper()) == 1 else c for c in name).encode()


def _recount(store, text, limit):
    """Every customer of the store looked at, the stages' rules applied one by one."""
    words = text.split()
    sims = {"sim_first": TrigramSimilarity("first_name", text),
            "sim_last": TrigramSimilarity("last_name", text),
            "sim_full": TrigramSimilarity(Concat("first_name", Value(" "), "last_name"), text)}
    for n, word in enumerate(words):
        sims[f"like_{n}"] = ExpressionWrapper(
            Q(first_name__trigram_similar=word) | Q(last_name__trigram_similar=word),
            output_field=BooleanField())
    rows = list(Customer.objects.filter(store=store).annotate(**sims))

    def starts(name, word):
        return _key(name).startswith(_key(word))

    def surname_order(c):
        return (_key(c.last_name), _key(c.first_name), c.pk)

    surname = sorted((c for c in rows
                      if any(starts(c.last_name, w) for w in words)
                      and all(starts(c.first_name, w) or starts(c.last_name, w) for w in words)),
                     key=surname_order)
    first = sorted((c for c in rows if all(starts(c.first_name, w) for w in words)
                    and not any(starts(c.last_name, w) for w in words)),
                   key=lambda c: (_key(c.first_name), _key(c.last_name), c.pk))

    def score(c):
        return max(c.sim_first, c.sim_last, *([c.sim_full] if len(words) > 1 else []))

    fuzzy = sorted((c for c in rows if all(
        starts(c.first_name, w) or starts(c.last_name, w) or getattr(c, f"like_{n}")
        for n, w in enumerate(words))), key=lambda c: (-score(c), *surname_order(c)))
    return [c.pk for c in (surname + first or fuzzy)][:limit]


@pytest.mark.parametrize("fuzzy_names", [1, 5])
@pytest.mark.parametrize("limit", [3, 20])
def test_the_stages_find_what_a_pass_over_every_customer_finds(store, people, monkeypatch,
                                                               limit, fuzzy_names):
    monkeypatch.setattr(search, "FUZZY_NAMES", fuzzy_names)
    for query in QUERIES:
        found = [c.pk for c in customer_search(store=store, query=query, limit=limit)]
        assert found == _recount(store, query, limit), query


def test_a_surname_comes_first_then_first_names_and_no_name_merely_like_it(store, people):
    names = [f"{c.first_name} {c.last_name}"
             for c in customer_search(store=store, query="smith", limit=20)]
    assert names == ["Aaron Smith", "Abigail Smith", "Liam smith", "Mary Ann Smith",
                     "Oliver Smith", "Zoe Smith", "Emma SMITHERS", "Olive Smithson",
                     "Smith Jones"]


def test_a_typo_finds_the_name_it_is_like_and_not_unrelated_ones(store, people):
    assert [c.last_name for c in customer_search(store=store, query="blakwood")] == [
        "Blackwood"]
    garcias = customer_search(store=store, query="Maria Garsia")
    assert [(c.first_name, c.last_name) for c in garcias[:2]] == [("Maria", "Garcia")] * 2


def test_the_laptops_search_finds_a_prefix_and_any_part_of_a_name(store, people, monkeypatch):
    """SQLite (make run) has no "C" collation nor trigrams: run here on PostgreSQL by telling
    it the database is SQLite, the keys are plain UPPER and the last stage a contains."""
    monkeypatch.setattr(connection, "vendor", "sqlite")
    keyed = Customer.objects.alias(key=search.NameKey("last_name")).filter(key__startswith="O")
    assert "COLLATE" not in str(keyed.query)
    names = [f"{c.first_name} {c.last_name}" for c in customer_search(store=store, query="oli")]
    assert names == ["Olivia Olivares", "Olive Smithson", "Oliver Smith", "Olivia Hernandez"]
    assert [c.last_name for c in customer_search(store=store, query="nandez")] == ["Hernandez"]
    assert customer_search(store=store, query="smtih") == []


def _names(store):
    return dict(CustomerName.objects.filter(store=store).values_list("name", "customers"))


def test_the_stores_names_are_counted_whatever_writes_the_customers(store, other_store,
                                                                    manager):
    ava = CustomerFactory(store=store, first_name="Ava", last_name="Brown")
    CustomerFactory(store=store, first_name="Ava", last_name="Lee")
    Customer.objects.bulk_create([Customer(store=store, first_name="Noah", last_name="Brown"),
                                  Customer(store=other_store, first_name="Zed", last_name="")])
    assert _names(store) == {"Ava": 2, "Brown": 2, "Lee": 1, "Noah": 1}
    assert _names(other_store) == {"Zed": 1}

    Customer.objects.filter(last_name="Lee").update(last_name="Leigh")
    ava.first_name = "Avery"
    ava.save()
    assert _names(store) == {"Ava": 1, "Avery": 1, "Brown": 2, "Leigh": 1, "Noah": 1}

    Customer.objects.filter(first_name="Noah").delete()
    customer_erase(customer=ava, by=manager)
    erased = Customer.objects.get(pk=ava.pk)
    assert "Avery" not in _names(store)
    assert _names(store) == {"Ava": 1, "Leigh": 1,
                             **{n: 1 for n in {erased.first_name, erased.last_name} if n}}


def test_a_statement_changing_no_name_leaves_the_counts_and_one_changing_a_few_moves_them(
        store, salesperson):
    CustomerFactory(store=store, first_name="Ava", last_name="Lee")
    CustomerFactory(store=store, first_name="Noah", last_name="Brown")
    Customer.objects.filter(store=store).update(assigned_to=salesperson, notes="handed over")
    assert _names(store) == {"Ava": 1, "Lee": 1, "Noah": 1, "Brown": 1}

    Customer.objects.filter(store=store).update(
        last_name=Case(When(last_name="Lee", then=Value("Leigh")), default=F("last_name")),
        notes="one surname corrected")
    assert _names(store) == {"Ava": 1, "Leigh": 1, "Noah": 1, "Brown": 1}


# Any character a name can hold in UTF-8 (no surrogates) but the last code point, a
# noncharacter.
_LETTERS = st.characters(codec="utf-8", max_codepoint=0x10FFFE)


@given(key=st.text(_LETTERS, min_size=1, max_size=6), name=st.text(_LETTERS, max_size=8))
def test_a_prefix_is_the_range_up_to_its_end(key, name):
    """A name key starts with the prefix exactly when it sorts (byte by byte, as COLLATE "C"
    does) from the prefix up to `_prefix_end`, whatever the letters."""
    end = search._prefix_end(key).encode()
    assert (key.encode() <= name.encode() < end) == name.startswith(key)
    assert (key + name).encode() < end


def test_the_surname_stage_has_an_arm_per_way_the_words_can_fall():
    """Each arm: (the word starting the surname, the word starting the first name); words on
    one name met by their longest, no arm for words no one name can start with."""
    first = search.NO_FIRST_NAME
    assert search._surname_arms(["SMITH"]) == ((0, first),)
    assert search._surname_arms(["JAMES", "WATKINS"]) == ((0, 1), (1, 0))
    assert search._surname_arms(["SMITH", "SMITHSON"]) == ((0, 1), (1, first), (1, 0))
    assert search._surname_arms(["ANN", "ANN"]) == ((0, first), (0, 0))
    assert search._surname_arms(["MARY", "ANN", "SMITH"]) == ()


def test_a_typos_customers_are_read_within_the_store_asking(store, other_store):
    theirs = CustomerFactory(store=other_store, first_name="Olivia", last_name="Hernandez")
    ours = CustomerFactory(store=store, first_name="Olivia", last_name="Hernandez")
    found = search._CUSTOMERS.instances(store=store.pk, ids=[theirs.pk, ours.pk])
    assert [c.pk for c in found] == [ours.pk]
