"""Who the suggestion picks: a matching strength first, and load spread across the team."""

import pytest

from staff.selectors import orphan_suggestions
from staff.suggest import Candidate, Orphan, pick_associates
from tests.factories import CustomerFactory, StaffMemberFactory

PEARLS, DIAMONDS, BRIDAL, WATCHES = 1, 2, 3, 4


def ann(*strengths, load=0):
    return Candidate(id=1, name="Ann", strengths=frozenset(strengths), load=load)


def ben(*strengths, load=0):
    return Candidate(id=2, name="Ben", strengths=frozenset(strengths), load=load)


def cal(*strengths, load=0):
    return Candidate(id=3, name="Cal", strengths=frozenset(strengths), load=load)


def loves(*preferences, n=0):
    return Orphan(id=100 + n, preferences=frozenset(preferences))


# (story, orphans, associates, expected pick names in orphan order)
CASES = [
    ("a pearl lover goes to the pearl specialist",
     [loves(PEARLS)], [ann(), ben(PEARLS)], ["Ben"]),
    ("two shared loves beat one",
     [loves(DIAMONDS, BRIDAL)], [ann(DIAMONDS), ben(DIAMONDS, BRIDAL)], ["Ben"]),
    ("with no preference the lighter book gets the client",
     [loves()], [ann(load=3), ben(load=0)], ["Ben"]),
    ("a match outweighs a small difference in load",
     [loves(PEARLS)], [ann(load=1), ben(PEARLS, load=3)], ["Ben"]),
    ("a match does not outweigh a book far heavier than a fair share",
     [loves(PEARLS)], [ann(load=0), ben(PEARLS, load=10)], ["Ann"]),
    ("equal matches are spread, not piled on one associate",
     [loves(PEARLS, n=1), loves(PEARLS, n=2)], [ann(PEARLS), ben(PEARLS)], ["Ann", "Ben"]),
    ("clients without preferences are dealt round the team",
     [loves(n=1), loves(n=2), loves(n=3)], [ann(), ben(), cal()], ["Ann", "Ben", "Cal"]),
    ("the best client (first in line) gets the specialist when both want them",
     [loves(WATCHES, n=1), loves(WATCHES, n=2)], [ann(), ben(WATCHES, load=1)], ["Ben", "Ann"]),
    ("a tie goes alphabetically", [loves(PEARLS)], [ben(), ann()], ["Ann"]),
]


@pytest.mark.parametrize(("story", "orphans", "associates", "expected"), CASES,
                         ids=[case[0] for case in CASES])
def test_suggestion_picks(story, orphans, associates, expected):
    names = {c.id: c.name for c in associates}
    picks = pick_associates(orphans, associates)
    assert [names[picks[o.id]] for o in orphans] == expected


def test_nobody_to_suggest_leaves_everyone_unpicked():
    assert pick_associates([loves(PEARLS)], []) == {}


@pytest.mark.django_db
def test_departed_and_service_staff_are_never_suggested(store):
    from staff.roles import Role

    pearls = store.preferences.get(name="Pearls")
    gone = StaffMemberFactory(store=store, display_name="Ann Gone", departed_on="2026-01-01")
    counter = StaffMemberFactory(store=store, display_name="Ben Bench", role=Role.SERVICE)
    elsewhere = StaffMemberFactory(display_name="Abe Elsewhere")
    for member in (gone, counter, elsewhere):
        member.strengths.add(pearls)
    seller = StaffMemberFactory(store=store, display_name="Zoe Floor")
    client = CustomerFactory(store=store)
    client.preferences.add(pearls)

    picks = orphan_suggestions(store=store, orphans=store.customers.all())

    assert picks == {client.pk: seller.pk}


@pytest.mark.django_db
def test_a_manager_can_be_suggested(store, manager):
    client = CustomerFactory(store=store)
    assert orphan_suggestions(store=store, orphans=store.customers.all()) == {
        client.pk: manager.pk}


@pytest.mark.django_db
def test_ten_thousand_orphans_are_suggested_in_four_queries(store,
                                                            django_assert_max_num_queries):
    from crm.models import Customer

    prefs = list(store.preferences.all())
    team = [StaffMemberFactory(store=store, display_name=f"Associate {n}") for n in range(8)]
    for n, member in enumerate(team):
        member.strengths.add(prefs[n % len(prefs)], prefs[(n + 3) % len(prefs)])
    Customer.objects.bulk_create(
        Customer(store=store, first_name="Orphan", last_name=str(n), lifetime_value=n % 997)
        for n in range(10_000))
    ids = list(Customer.objects.filter(store=store).values_list("pk", flat=True))
    Customer.preferences.through.objects.bulk_create(
        Customer.preferences.through(customer_id=pk, preference_id=prefs[pk % len(prefs)].pk)
        for pk in ids)

    with django_assert_max_num_queries(4):
        picks = orphan_suggestions(store=store, orphans=Customer.objects.orphaned())

    assert len(picks) == 10_000
    loads = sorted(list(picks.values()).count(m.pk) for m in team)
    assert loads[-1] - loads[0] <= 10_000 // 8  # spread, not piled on one associate
