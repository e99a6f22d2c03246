"""Who should look after each orphaned client, and why: matching strengths, spread by load.

Pure arithmetic on small value objects so the rule can be read and tested without a database;
`staff.selectors.orphan_suggestions` feeds it from a few set-based queries.

The rule, in the store's words. Clients are handed out best first (highest lifetime value),
each to the associate with the highest score:
- each preference the client shares with the associate's strengths is one point;
- the associate's book costs one point per fair share of the store they carry, the share
  measured half by how many clients and half by what those clients have bought (a fair share
  is the store's clients, current plus orphans, divided among the associates who take
  clients). The book counts the clients picked for them earlier in the same list.
Because the book is weighed by value too, a big client makes its new associate's book
heavier at once: the next big client goes to someone else unless the strengths say
otherwise, so the best clients spread instead of all going to whoever carried the fewest
clients when the list was made. Ties go to the associate with fewer clients, then less value,
then by name. Each pick says why (the shared strengths, the associate's load) and which of
the client's loves nobody on the team is strong in.
"""

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

ZERO = Decimal(0)


@dataclass(frozen=True)
class Candidate:
    """An associate who may be given clients, with the book they carry now."""

    id: int
    name: str
    strengths: frozenset[str]
    clients: int = 0
    value: Decimal = ZERO


@dataclass(frozen=True)
class Orphan:
    """An orphaned client: what they love, what they have bought, who they had (if anyone)."""

    id: int
    preferences: frozenset[str]
    value: Decimal = ZERO
    former_id: int | None = None


@dataclass(frozen=True)
class Pick:
    """The associate suggested for one client, and why."""

    associate_id: int
    associate: str
    former_id: int | None
    matches: tuple[str, ...]  # the client's loves the associate is strong in
    unmatched: tuple[str, ...]  # the client's loves nobody on the team is strong in
    clients: int  # the associate's book when picked: what they carry plus earlier picks
    value: Decimal
    score: Decimal
    client_value: Decimal  # what this client has bought


@dataclass(frozen=True)
class Share:
    """What one associate is given by the whole list."""

    associate: str
    clients: int
    value: Decimal
    matched: int  # how many of them share one of the associate's strengths


@dataclass(frozen=True)
class Suggestions:
    picks: dict[int, Pick]  # by client id, best client first
    unmatched: tuple[tuple[str, int], ...]  # (love nobody is strong in, clients who have it)

    def shares(self) -> list[Share]:
        """Who gets how many clients and how much value, most clients first."""
        shares: dict[int, Share] = {}
        for pick in self.picks.values():
            was = shares.get(pick.associate_id, Share(pick.associate, 0, ZERO, 0))
            shares[pick.associate_id] = Share(pick.associate, was.clients + 1,
                                              was.value + pick.client_value,
                                              was.matched + bool(pick.matches))
        return sorted(shares.values(), key=lambda s: (-s.clients, s.associate))


class _Book:
    """An associate's book as the list is made: what they carry plus what was picked for
    them, and the points it costs (one per fair share of the store, by count and, where
    anyone has bought anything, by value, half each)."""

    def __init__(self, candidate: Candidate, fair: "_Fair"):
        self.clients, self.value, self.fair = candidate.clients, candidate.value, fair
        self.load = fair.load(self.clients, self.value)

    def add(self, orphan: Orphan) -> None:
        self.clients += 1
        self.value += orphan.value
        self.load = self.fair.load(self.clients, self.value)


class _Fair:
    """One fair share of the store's clients and of their value, per associate."""

    def __init__(self, orphans: list[Orphan], candidates: list[Candidate]):
        team = len(candidates)
        self.clients = Decimal(sum(c.clients for c in candidates) + len(orphans)) / team
        self.value = (sum((c.value for c in candidates), ZERO)
                      + sum((o.value for o in orphans), ZERO)) / team

    def load(self, clients: int, value: Decimal) -> Decimal:
        if not self.value:  # nobody has bought anything yet: count alone
            return clients / self.clients
        return (clients / self.clients + value / self.value) / 2


def pick_associates(orphans: list[Orphan], candidates: list[Candidate]) -> Suggestions:
    """Suggest an associate for every orphan, best client first, each pick with its reason."""
    strong_in = frozenset().union(*(c.strengths for c in candidates))
    queue = sorted(orphans, key=lambda o: -o.value)  # stable: equal values keep their order
    picks = {}
    if candidates:
        fair = _Fair(queue, candidates)
        books = {c.id: _Book(c, fair) for c in candidates}
        for orphan in queue:
            picks[orphan.id] = _pick(orphan, candidates, books, strong_in)
    return Suggestions(picks=picks, unmatched=_unmatched(queue, strong_in))


def _pick(orphan: Orphan, candidates, books, strong_in) -> Pick:
    def rank(c: Candidate):
        book = books[c.id]
        score = len(orphan.preferences & c.strengths) - book.load
        return (-score, book.clients, book.value, c.name, c.id)

    best = min(candidates, key=rank)
    book = books[best.id]
    pick = Pick(associate_id=best.id, associate=best.name, former_id=orphan.former_id,
                matches=tuple(sorted(orphan.preferences & best.strengths)),
                unmatched=tuple(sorted(orphan.preferences - strong_in)),
                clients=book.clients, value=book.value,
                score=(-rank(best)[0]).quantize(Decimal("0.01")), client_value=orphan.value)
    book.add(orphan)
    return pick


def _unmatched(orphans: list[Orphan], strong_in: frozenset[str]) -> tuple[tuple[str, int], ...]:
    loves = Counter(name for o in orphans for name in o.preferences - strong_in)
    return tuple(sorted(loves.items(), key=lambda item: (-item[1], item[0])))
