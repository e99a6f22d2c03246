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
from crm.models import Customer, CustomerName, among

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


# An arm of the surname stage: (the word the surname starts with, the word the first name
# starts with or NO_FIRST_NAME).
NO_FIRST_NAME = -1


def _longest(keys: list[str], group: list[int]) -> int | None:
    """The word of `group` that every other word of it starts (the first such, if several
    are the same), or None when no one name can start with all of them."""
    longest = max((keys[n] for n in group), key=len)
    if not all(longest.startswith(keys[n]) for n in group):
        return None
    return keys.index(longest)


def _surname_arms(keys: list[str]) -> tuple[tuple[int, int], ...]:
    """The surname stage as arms of at most two name prefixes: each way the words can fall
    on the surname (at least one) and the first name, the words on one name met by its
    longest ("smith smithson" is every Smithson), and no arm for words that cannot start one
    name (a contradiction PostgreSQL would estimate at thousands of rows and read in index
    order)."""
    arms = set()
    for fields in itertools.product((False, True), repeat=len(keys)):  # True: the surname
        on_surname = [n for n, last in enumerate(fields) if last]
        on_first = [n for n, last in enumerate(fields) if not last]
        if not on_surname:
            continue
        surname = _longest(keys, on_surname)
        first = _longest(keys, on_first) if on_first else NO_FIRST_NAME
        if surname is not None and first is not None:
            arms.add((surname, first))
    return tuple(sorted(arms))


def _surname_match(words: list[str]) -> Q:
    """Some word starts the surname and every word starts a name: one arm per way the first
    words can fall (`_surname_arms`, each arm a range of the surname index), the other words
    only filtering."""
    head, rest = words[:INDEXED_WORDS], words[INDEXED_WORDS:]
    arms = _surname_arms([name_key(word) for word in head])
    if not arms:
        return Q(pk__in=[])  # no one name can start with the words: nobody
    match = Q()
    for surname, first in arms:
        arm = _starts("last_key", head[surname])
        if first != NO_FIRST_NAME:
            arm &= _starts("first_key", head[first])
        match |= arm
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


def _names_like(*, store: int, **words):
    """The store's names like some of `words` (`w0`, `w1`...; trigram similarity at
    pg_trgm's threshold), with their similarity to each, most like the first word first."""
    like, sims = Q(), {}
    for n in range(len(words)):
        word = words[f"w{n}"]
        like |= Q(name__trigram_similar=word)
        sims[f"like_{n}"] = ExpressionWrapper(Q(name__trigram_similar=word),
                                              output_field=BooleanField())
        sims[f"sim_{n}"] = TrigramSimilarity("name", word)
    return (CustomerName.objects.filter(like, store=store)
            .annotate(key=NameKey("name"), **sims)
            .order_by("-sim_0", "name").values_list("name", "key", *sims))


@functools.cache
def _compiled_names(words: int) -> Compiled:
    """`_names_like` for this number of words (its SQL's shape)."""
    return Compiled(_names_like)


def _like_names(store, words: list[str]) -> list[dict]:
    """`_names_like` as a compiled read (building it in the ORM cost about as much CPU as the
    rest of a typo's search), each row a dict of its columns."""
    columns = ["name", "key", *itertools.chain.from_iterable(
        (f"like_{n}", f"sim_{n}") for n in range(len(words)))]
    rows = _compiled_names(len(words)).rows(
        store=store.pk, **{f"w{n}": word for n, word in enumerate(words)})
    return [dict(zip(columns, row, strict=True)) for row in rows]


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
    by_pk = {found.pk: found for found in _CUSTOMERS.instances(store=store.pk, ids=ids)}
    return [by_pk[pk] for pk in ids]


def _customers_read(*, store: int, ids):
    return (Customer.objects.for_store(store).select_related("assigned_to")
            .filter(among("pk", ids)))


# The customers a typo found, by id, of the store asking (a compiled read: in_bulk built its
# query in the ORM).
_CUSTOMERS = Compiled(_customers_read)


# A name key's prefix as a range: every key that starts with the prefix sorts (byte by byte,
# COLLATE "C") from the prefix up to the prefix with its last letter's successor ("SMITH" up
# to "SMITI"), the bounds PostgreSQL itself takes for `LIKE 'SMITH%'` and estimates well.
_LAST_CODE_POINT, _SURROGATES = 0x10FFFF, range(0xD800, 0xE000)


def _prefix_end(key: str) -> str:
    """The least key after every key that starts with `key` (UTF-8 sorts by code point)."""
    after = ord(key[-1]) + 1
    if after in _SURROGATES:  # not characters: the next one is
        after = _SURROGATES.stop
    if after > _LAST_CODE_POINT:  # a noncharacter no name holds: nothing follows it
        return key + chr(_LAST_CODE_POINT)
    return key[:-1] + chr(after)


def _starting(field: str, n: int, bounds: dict) -> Q:
    """Word `n` starts the name: its key's range (`w<n>` up to `e<n>`)."""
    return Q(**{f"{field}__gte": bounds[f"w{n}"], f"{field}__lt": bounds[f"e{n}"]})


def _surnames_starting(*, store: int, arms: tuple[tuple[int, int], ...], **bounds):
    match = Q()
    for surname, first in arms:
        arm = _starting("last_key", surname, bounds)
        if first != NO_FIRST_NAME:
            arm &= _starting("first_key", first, bounds)
        match |= arm
    return (_keyed(store).select_related("assigned_to").filter(match)
            .order_by("last_key", "first_key", "pk"))


def _first_names_starting(*, store: int, **bounds):
    """The first-name stage (`_first_name_match`) of words that can start one first name:
    it starts with the longest (`w0`) and the surname not with the shortest (`w1`), so not
    with any of them."""
    return (_keyed(store).select_related("assigned_to")
            .filter(_starting("first_key", 0, bounds)).exclude(_starting("last_key", 1, bounds))
            .order_by("first_key", "last_key", "pk"))


@functools.cache
def _compiled_surnames(arms: tuple, limit: int) -> Compiled:
    """The surname stage of these arms. One range (one word) is read by a prepared
    statement, whose generic plan reads it from the index as a custom plan does; an OR of
    ranges is planned for its words each time (a generic plan read a million-customer
    store's whole index for "James Watkins", 0.9 s)."""
    return Compiled(lambda **bounds: _surnames_starting(arms=arms, **bounds)[:limit],
                    prepared=len(arms) == 1)


@functools.cache
def _compiled_first_names(limit: int) -> Compiled:
    return Compiled(lambda **bounds: _first_names_starting(**bounds)[:limit])


def _bounds(keys: list[str], used) -> dict:
    return {name: bound for n in sorted(used)
            for name, bound in ((f"w{n}", keys[n]), (f"e{n}", _prefix_end(keys[n])))}


def _by_prefixes(store, words: list[str], limit: int) -> list[Customer]:
    """Up to INDEXED_WORDS words, the floor's usual search, on PostgreSQL: the surname and
    first-name stages as compiled reads (core.packed.Compiled; building them in the ORM cost
    more than running them, about 1 ms of CPU for a full name's arms). Each prefix is a range
    of the name key (a LIKE pattern given as a parameter, a prepared statement could not
    read from the index)."""
    keys = [name_key(word) for word in words]
    arms = _surname_arms(keys)
    used = {n for arm in arms for n in arm if n != NO_FIRST_NAME}
    found = (_compiled_surnames(arms, limit).instances(store=store.pk, **_bounds(keys, used))
             if arms else [])
    if len(found) < limit and _may_start_one_name(words):
        longest, shortest = max(keys, key=len), min(keys, key=len)
        found += _compiled_first_names(limit).instances(
            store=store.pk, w0=longest, e0=_prefix_end(longest), w1=shortest,
            e1=_prefix_end(shortest))[:limit - len(found)]
    return found


def customers_named(*, store, text: str, limit: int) -> list[Customer]:
    """Customers of `store` whose name is `text` (words in any order), best first."""
    words = text.split()
    if connection.vendor == "postgresql" and len(words) <= INDEXED_WORDS:
        return _by_prefixes(store, words, limit) or _fuzzy(store, words, text, limit)
    customers = _keyed(store).select_related("assigned_to")
    found = list(customers.filter(_surname_match(words))
                 .order_by("last_key", "first_key", "pk")[:limit])
    if len(found) < limit and _may_start_one_name(words):
        found += customers.filter(_first_name_match(words)) \
            .order_by("first_key", "last_key", "pk")[:limit - len(found)]
    return found or _fuzzy(store, words, text, limit)
