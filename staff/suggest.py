"""Who should look after each orphaned client: matching strengths, balanced by load.

Pure arithmetic on small value objects so the rule can be read and tested without a database;
`staff.selectors.orphan_suggestions` feeds it from a few set-based queries.

The rule, in the store's words: each preference the client shares with an associate's
strengths counts one point, and carrying one "fair share" of clients more than a colleague
costs one point. The fair share is the store's clients (current plus orphans) divided among
the associates who can sell. Ties go to the associate with fewer clients, then by name.
Orphans are handed out best client first, and each pick adds to that associate's load, so
equal matches spread across the team instead of piling on one person.
"""

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    id: int
    name: str
    strengths: frozenset[int]
    load: int


@dataclass(frozen=True)
class Orphan:
    id: int
    preferences: frozenset[int]


def pick_associates(orphans: list[Orphan], candidates: list[Candidate]) -> dict[int, int]:
    """Map each orphan's id to the id of the associate suggested for them (in orphan order)."""
    if not candidates:
        return {}
    loads = {c.id: c.load for c in candidates}
    fair_share = max(1, math.ceil((sum(loads.values()) + len(orphans)) / len(candidates)))
    picks = {}
    for orphan in orphans:
        def rank(candidate, prefs=orphan.preferences):
            score = len(prefs & candidate.strengths) - loads[candidate.id] / fair_share
            return (-score, loads[candidate.id], candidate.name, candidate.id)

        best = min(candidates, key=rank)
        picks[orphan.id] = best.id
        loads[best.id] += 1
    return picks
