"""The search box's name search, in stages, each read from an index in its final order.

1. Surnames: some word starts the surname and every word starts the first name or the
   surname ("smit" is every Smith, "maria garcia" is Maria Garcia), in surname order.
2. First names: every word starts the first name and none starts the surname ("olivia"),
   in first-name order.
3. Fuzzy (typos, "Hernandes", "Maria Garsia"): only when the first two found fewer than the
   limit, best trigram similarity first. SQLite (`make run`) has no trigrams: any part of a
   name there, in surname order.

A stage stops at the limit inside the index (`crm_customer_store_surname_key` and
`crm_customer_store_first_name_key`, migration 0023): at a million customers "Smith" no longer
scores and sorts the store's eight thousand Smiths to show twenty.
"""

import itertools

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import CharField, Func, Q, Value
from django.db.models.functions import Concat, Greatest

from crm.models import Customer

# The words that drive the index; a longer query's other words only filter.
INDEXED_WORDS = 3


class NameKey(Func):
    """A name as the search compares it: upper case, in byte order (COLLATE "C"), so that a
    prefix is a range of the name-key indexes on PostgreSQL, read in order. SQLite (`make
    run`) knows no "C" collation and needs no index: UPPER alone there."""

    function = "UPPER"
    template = '(%(function)s(%(expressions)s) COLLATE "C")'
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="%(function)s(%(expressions)s)",
                              **extra_context)


def name_key(word: str) -> str:
    return word.upper()


def _keyed(store):
    return (Customer.objects.for_store(store)
            .alias(last_key=NameKey("last_name"), first_key=NameKey("first_name")))


def _starts(field: str, word: str) -> Q:
    return Q(**{f"{field}__startswith": name_key(word)})


def _starts_a_name(word: str) -> Q:
    return _starts("first_key", word) | _starts("last_key", word)


def _surname_match(words: list[str]) -> Q:
    """Some word starts the surname and every word starts a name, written as one arm per
    way the first words can fall (each arm a range of the surname index)."""
    head, rest = words[:INDEXED_WORDS], words[INDEXED_WORDS:]
    arms = set()
    for i, surname in enumerate(head):
        others = head[:i] + head[i + 1:]
        for fields in itertools.product(("first_key", "last_key"), repeat=len(others)):
            arms.add(frozenset([("last_key", surname), *zip(fields, others, strict=True)]))
    match = Q()
    for arm in sorted(arms, key=sorted):
        both = Q()
        for field, word in sorted(arm):
            both &= _starts(field, word)
        match |= both
    for word in rest:
        match &= _starts_a_name(word)
    return match


def _first_name_match(words: list[str]) -> Q:
    match = Q()
    for word in words:
        match &= _starts("first_key", word) & ~_starts("last_key", word)
    return match


def _fuzzy(store, words: list[str], text: str):
    """Every word starts a name or (PostgreSQL) is like one: best similarity first."""
    customers = _keyed(store)
    if connection.vendor != "postgresql":
        match = Q()
        for word in words:
            match &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        return customers.filter(match).order_by("last_key", "first_key", "pk")
    match = Q()
    for word in words:
        match &= (_starts_a_name(word) | Q(first_name__trigram_similar=word)
                  | Q(last_name__trigram_similar=word))
    scores = [TrigramSimilarity("first_name", text), TrigramSimilarity("last_name", text)]
    if len(words) > 1:
        scores.append(TrigramSimilarity(Concat("first_name", Value(" "), "last_name"), text))
    return (customers.filter(match).annotate(score=Greatest(*scores))
            .order_by("-score", "last_key", "first_key", "pk"))


def customers_named(*, store, text: str, limit: int) -> list[Customer]:
    """Customers of `store` whose name is `text` (words in any order), best first."""
    words = text.split()
    customers = _keyed(store).select_related("assigned_to")
    found = list(customers.filter(_surname_match(words))
                 .order_by("last_key", "first_key", "pk")[:limit])
    if len(found) < limit:
        found += customers.filter(_first_name_match(words)) \
            .order_by("first_key", "last_key", "pk")[:limit - len(found)]
    if len(found) < limit:
        found += _fuzzy(store, words, text).select_related("assigned_to") \
            .exclude(pk__in=[c.pk for c in found])[:limit - len(found)]
    return found
