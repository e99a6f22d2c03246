"""The search box's name search, in stages, each read from an index in its final order.

1. Surnames: some word starts the surname and every word starts the first name or the
   surname ("smit" is every Smith, "maria garcia" is Maria Garcia), in surname order.
2. First names: every word starts the first name and none starts the surname ("olivia"),
   in first-name order.
3. Fuzzy (typos, "Hernandes", "Maria Garsia"): only when no name starts with the words,
   best trigram similarity first, read from the store's names (CustomerName) and then each
   like name's customers. SQLite (`make run`) has no trigrams: any part of a name there, in
   surname order.

A stage stops at the limit inside the index (`crm_customer_store_surname_key` and
`crm_customer_store_first_name_key`, migration 0024): at a million customers "Smith" no longer
scores and sorts the store's eight thousand Smiths to show twenty.
"""

import functools
import itertools

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection
from django.db.models import BooleanField, CharField, ExpressionWrapper, Func, Q, Value
from django.db.models.functions import Concat, Greatest

from core.packed import Compiled
from crm.models import Customer, CustomerName

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
    """What NameKey makes of a word: PostgreSQL upper-cases letter by letter ("ß" stays)."""
    return "".join(c.upper() if len(c.upper()) == 1 else c for c in word)


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


def _may_start_one_name(words: list[str]) -> bool:
    """Whether one first name can start with every word: only if each word starts the longest
    ("mary ann smith" cannot, so the first-name stage is not asked)."""
    longest = max(map(name_key, words), key=len)
    return all(longest.startswith(name_key(word)) for word in words)


def _first_name_match(words: list[str]) -> Q:
    match = Q()
    for word in words:
        match &= _starts("first_key", word) & ~_starts("last_key", word)
    return match


# The fuzzy stage first reads the customers of this many names most like a single word (two
# index ranges each, in one query), the other names' only when the limit is not filled yet.
FUZZY_NAMES = 5


def _like_names(store, words: list[str]) -> list[dict]:
    """The store's names like some word (trigram similarity at pg_trgm's threshold), with
    their similarity to each word, most like the first word first."""
    like, sims = Q(), {}
    for n, word in enumerate(words):
        like |= Q(name__trigram_similar=word)
        sims[f"like_{n}"] = ExpressionWrapper(Q(name__trigram_similar=word),
                                              output_field=BooleanField())
        sims[f"sim_{n}"] = TrigramSimilarity("name", word)
    return list(CustomerName.objects.filter(like, store=store)
                .annotate(key=NameKey("name"), **sims)
                .order_by("-sim_0", "name").values("name", "key", *sims))


# The customers of a batch of names in one statement, whatever the number of names: for each
# name (n), the customers with it as their surname and then those with it as their first name,
# each leg read in order from its name-key index up to the limit, without those a nearer name
# (or, for the first-name leg, an as near one) counts already. Built by the ORM, as a union of
# two querysets per name, it cost more CPU than PostgreSQL took to run it (a dozen legs for a
# typo); here only the arrays change.
_LEG = """
    (SELECT n.score, (UPPER(c.last_name) COLLATE "C") AS last_key,
            (UPPER(c.first_name) COLLATE "C") AS first_key, c.id
       FROM crm_customer c
      WHERE c.store_id = %(store)s AND (UPPER(c.{same}) COLLATE "C") = n.key
        AND NOT EXISTS (SELECT 1 FROM levels l
                         WHERE l.score {nearer} n.score
                           AND l.key = (UPPER(c.{other}) COLLATE "C"))
      ORDER BY 2, 3, 4 LIMIT %(limit)s)"""
_LEGS = f"""
    WITH levels AS (SELECT * FROM unnest(%(level_scores)s::float8[], %(level_keys)s::text[])
                              AS l(score, key))
    SELECT leg.score, leg.last_key, leg.first_key, leg.id
      FROM unnest(%(scores)s::float8[], %(keys)s::text[]) AS n(score, key)
     CROSS JOIN LATERAL (
        {_LEG.format(same="last_name", other="first_name", nearer=">")}
        UNION ALL
        {_LEG.format(same="first_name", other="last_name", nearer=">=")}
     ) AS leg
"""  # noqa: S608 - the two legs above, no input


def _legs(store, batch, levels, limit: int) -> list[int]:
    """The customers of `batch`'s names, best first, without those a nearer name counts."""
    with connection.cursor() as cursor:
        cursor.execute(_LEGS, {
            "store": store.pk, "limit": limit,
            "scores": [score for score, _ in batch], "keys": [key for _, key in batch],
            "level_scores": [score for score, _ in levels],
            "level_keys": [key for _, key in levels]})
        rows = cursor.fetchall()
    return [pk for *_, pk in sorted(rows, key=lambda r: (-r[0], r[1], r[2], r[3]))[:limit]]


def _by_score(store, levels: list[tuple[float, str]], limit: int) -> list[int]:
    """One word: a customer's score is their nearer name's similarity, so the customers of
    each name are two ranges of the name-key indexes (the name as surname, as first name), each
    read in order up to the limit, without the customers a nearer name already counts. The
    nearest names are read first, all the others (a second query) only if those fall short.

    Similarity ignores case, so a name and its key score alike."""
    end = min(FUZZY_NAMES, len(levels))
    while end < len(levels) and levels[end][0] == levels[end - 1][0]:
        end += 1
    ids = _legs(store, levels[:end], levels, limit) if levels else []
    if len(ids) < limit and end < len(levels):
        ids += _legs(store, levels[end:], levels, limit - len(ids))
    return ids


def _levels(names: list[dict]) -> list[tuple[float, str]]:
    """(similarity, key) of the names like the one word, the most alike first."""
    levels, keys = [], set()
    for row in names:
        if row["key"] not in keys:
            keys.add(row["key"])
            levels.append((row["sim_0"], row["key"]))
    return levels


def _is_like(field: str, word: str, keys: list[str]) -> list[Q]:
    """The ways a name can answer to a word: it starts with it, or it is like it."""
    return [_starts(field, word), *([Q(**{f"{field}__in": keys})] if keys else [])]


def _every_word_like(store, words: list[str], text: str, names: list[dict]):
    """Several words: each starts a name or is like one, best similarity (to either name or
    to the whole name) first. One arm per way the first two words can fall (each a range of a
    name-key index on both names), so only the few customers answering to both are read."""
    likes = [sorted({row["key"] for row in names if row[f"like_{n}"]})
             for n in range(len(words))]
    match = Q()
    for fields in itertools.product(("first_key", "last_key"), repeat=2):
        ways = [_is_like(field, word, keys)
                for field, word, keys in zip(fields, words, likes, strict=False)]
        for arm in itertools.product(*ways):
            match |= arm[0] & arm[1]
    for word, keys in zip(words[2:], likes[2:], strict=True):
        match &= Q(*_is_like("first_key", word, keys), *_is_like("last_key", word, keys),
                   _connector=Q.OR)
    scores = [TrigramSimilarity("first_name", text), TrigramSimilarity("last_name", text),
              TrigramSimilarity(Concat("first_name", Value(" "), "last_name"), text)]
    return (_keyed(store).filter(match).annotate(score=Greatest(*scores))
            .order_by("-score", "last_key", "first_key", "pk"))


def _contains(store, words: list[str]):
    """SQLite (`make run`): no trigrams; any part of a name, in surname order."""
    match = Q()
    for word in words:
        match &= Q(first_name__icontains=word) | Q(last_name__icontains=word)
    return _keyed(store).filter(match).order_by("last_key", "first_key", "pk")


def _fuzzy(store, words: list[str], text: str, limit: int) -> list[Customer]:
    if connection.vendor != "postgresql":
        return list(_contains(store, words).select_related("assigned_to")[:limit])
    names = _like_names(store, words)
    if len(words) > 1:
        return list(_every_word_like(store, words, text, names)
                    .select_related("assigned_to")[:limit])
    ids = _by_score(store, _levels(names), limit)
    if not ids:
        return []
    by_pk = Customer.objects.select_related("assigned_to").in_bulk(ids)
    return [by_pk[pk] for pk in ids]


# A name key's prefix as a range: every key that starts with the prefix sorts (byte by byte,
# COLLATE "C") from the prefix up to the prefix followed by the highest code point.
_PREFIX_END = "\U0010ffff"


def _surnames_starting(*, store: int, start: str, end: str):
    return (_keyed(store).select_related("assigned_to")
            .filter(last_key__gte=start, last_key__lt=end)
            .order_by("last_key", "first_key", "pk"))


def _first_names_starting(*, store: int, start: str, end: str):
    return (_keyed(store).select_related("assigned_to")
            .filter(first_key__gte=start, first_key__lt=end)
            .exclude(last_key__gte=start, last_key__lt=end)
            .order_by("first_key", "last_key", "pk"))


@functools.cache
def _compiled(stage, limit: int) -> Compiled:
    return Compiled(lambda **bounds: stage(**bounds)[:limit])


def _one_word(store, word: str, limit: int) -> list[Customer]:
    """One word, the floor's usual search, on PostgreSQL: the surname and first-name stages
    as compiled reads (core.packed.Compiled; building them in the ORM cost more than running
    them). The prefix is a range of the name key, which the prepared statement's generic plan
    reads from the index (a LIKE pattern given as a parameter it could not)."""
    key = name_key(word)
    bounds = {"store": store.pk, "start": key, "end": key + _PREFIX_END}
    found = _compiled(_surnames_starting, limit).instances(**bounds)
    if len(found) < limit:
        found += _compiled(_first_names_starting, limit).instances(**bounds)[:limit - len(found)]
    return found


def customers_named(*, store, text: str, limit: int) -> list[Customer]:
    """Customers of `store` whose name is `text` (words in any order), best first."""
    words = text.split()
    if connection.vendor == "postgresql" and len(words) == 1:
        return _one_word(store, words[0], limit) or _fuzzy(store, words, text, limit)
    customers = _keyed(store).select_related("assigned_to")
    found = list(customers.filter(_surname_match(words))
                 .order_by("last_key", "first_key", "pk")[:limit])
    if len(found) < limit and _may_start_one_name(words):
        found += customers.filter(_first_name_match(words)) \
            .order_by("first_key", "last_key", "pk")[:limit - len(found)]
    return found or _fuzzy(store, words, text, limit)
