"""Who the suggestion picks and why: a matching strength first, load spread by count and value,
the best clients spread across the team, and loves nobody is strong in said out loud."""

from decimal import Decimal

import pytest

from staff.selectors import orphan_suggestions
from staff.suggest import Candidate, Orphan, pick_associates
from tests.factories import CustomerFactory, StaffMemberFactory

PEARLS, DIAMONDS, BRIDAL, WATCHES, GEMS = "Pearls", "Diamonds", "Bridal", "Watches", "Colored gems"


def ann(*strengths, load=0, value=0):
    return Candidate(id=1, name="Ann", strengths=frozenset(strengths), clients=load,
                     value=Decimal(value))


def ben(*strengths, load=0, value=0):
    return Candidate(id=2, name="Ben", strengths=frozenset(strengths), clients=load,
                     value=Decimal(value))


def cal(*strengths, load=0, value=0):
    return Candidate(id=3, name="Cal", strengths=frozenset(strengths), clients=load,
                     value=Decimal(value))


def loves(*preferences, n=0, value=0):
    return Orphan(id=100 + n, preferences=frozenset(preferences), value=Decimal(value))


def best_seven_and_the_rest():
    """Seven big buyers who love nothing in particular, then thirty small ones."""
    return ([loves(n=n, value=12_000 - 1_000 * n) for n in range(7)]
            + [loves(n=10 + n, value=300) for n in range(30)])


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
    ("the best client is served first whatever order they come in",
     [loves(WATCHES, n=1, value=100), loves(WATCHES, n=2, value=9_000)],
     [ann(), ben(WATCHES, load=1)], ["Ann", "Ben"]),
    ("with equal numbers of clients, the book worth less gets the client",
     [loves(value=2_000)], [ann(load=40, value=90_000), ben(load=40, value=30_000)], ["Ben"]),
    ("value does not outweigh a shared strength",
     [loves(PEARLS, value=2_000)], [ann(load=40, value=30_000),
                                    ben(PEARLS, load=40, value=50_000)], ["Ben"]),
    ("a tie goes alphabetically", [loves(PEARLS)], [ben(), ann()], ["Ann"]),
]


@pytest.mark.parametrize(("story", "orphans", "associates", "expected"), CASES,
                         ids=[case[0] for case in CASES])
def test_suggestion_picks(story, orphans, associates, expected):
    names = {c.id: c.name for c in associates}
    picks = pick_associates(orphans, associates).picks
    assert [names[picks[o.id].associate_id] for o in orphans] == expected


def test_the_seven_best_orphans_are_spread_across_the_team():
    # Cal carries a few clients fewer (the same value): counting clients alone, all seven of
    # the best clients were suggested to him.
    team = [ann(load=60, value=200_000), ben(load=61, value=200_000),
            cal(load=52, value=200_000)]
    picks = pick_associates(best_seven_and_the_rest(), team).picks
    best_seven = [pick.associate for pick in list(picks.values())[:7]]
    assert set(best_seven) == {"Ann", "Ben", "Cal"}
    assert max(best_seven.count(name) for name in ("Ann", "Ben", "Cal")) <= 4


def test_a_book_of_fewer_but_richer_clients_is_not_given_the_best_ones():
    team = [ann(load=62, value=200_000), ben(load=64, value=205_000),
            cal(load=50, value=300_000)]
    picks = pick_associates(best_seven_and_the_rest(), team).picks
    best_seven = [pick.associate for pick in list(picks.values())[:7]]
    assert "Cal" not in best_seven
    assert "Cal" in {pick.associate for pick in picks.values()}  # he still gets small ones


def test_each_pick_says_which_strengths_matched_and_the_associates_load():
    suggestions = pick_associates(
        [loves(PEARLS, DIAMONDS, GEMS, n=1, value=4_000)],
        [ann(WATCHES, load=3, value=1_000), ben(PEARLS, DIAMONDS, load=5, value=8_000)])
    pick = suggestions.picks[101]
    assert pick.associate == "Ben"
    assert pick.matches == (DIAMONDS, PEARLS)
    assert (pick.clients, pick.value) == (5, Decimal(8_000))
    assert pick.unmatched == (GEMS,)
    assert pick.score > 0


def test_loves_nobody_is_strong_in_are_counted_for_the_warning():
    suggestions = pick_associates(
        [loves(GEMS, n=1), loves(GEMS, PEARLS, n=2), loves(WATCHES, n=3), loves(n=4)],
        [ann(WATCHES), ben(WATCHES)])
    assert suggestions.unmatched == ((GEMS, 2), (PEARLS, 1))
    assert suggestions.picks[102].unmatched == (GEMS, PEARLS)
    assert suggestions.picks[102].matches == ()
    assert suggestions.picks[103].unmatched == ()


def test_nobody_to_suggest_leaves_everyone_unpicked_but_still_warns():
    suggestions = pick_associates([loves(PEARLS)], [])
    assert suggestions.picks == {}
    assert suggestions.unmatched == ((PEARLS, 1),)


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

    suggestions = orphan_suggestions(store=store, orphans=store.customers.all())

    assert {pk: pick.associate_id for pk, pick in suggestions.picks.items()} == {
        client.pk: seller.pk}
    assert suggestions.unmatched == (("Pearls", 1),)


@pytest.mark.django_db
def test_a_manager_is_not_suggested_unless_the_store_says_managers_take_clients(
        store, manager, salesperson):
    bridal = store.preferences.get(name="Bridal")
    manager.strengths.add(bridal)
    client = CustomerFactory(store=store, lifetime_value=9_000)
    client.preferences.add(bridal)

    picks = orphan_suggestions(store=store, orphans=store.customers.all()).picks
    assert picks[client.pk].associate_id == salesperson.pk

    store.managers_take_clients = True
    store.save(update_fields=["managers_take_clients"])
    picks = orphan_suggestions(store=store, orphans=store.customers.all()).picks
    assert picks[client.pk].associate_id == manager.pk
    assert picks[client.pk].matches == ("Bridal",)


@pytest.mark.django_db
def test_an_associates_book_is_weighed_by_what_their_clients_bought(store):
    big = StaffMemberFactory(store=store, display_name="Ann Big Book")
    small = StaffMemberFactory(store=store, display_name="Ben Small Book")
    for member, value in ((big, 20_000), (small, 500)):
        CustomerFactory.create_batch(3, store=store, assigned_to=member, lifetime_value=value)
    orphan = CustomerFactory(store=store, assigned_to=None, lifetime_value=5_000)

    suggestions = orphan_suggestions(store=store, orphans=store.customers.orphaned())

    pick = suggestions.picks[orphan.pk]
    assert pick.associate_id == small.pk
    assert (pick.clients, pick.value) == (3, Decimal(1_500))


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
        picks = orphan_suggestions(store=store, orphans=Customer.objects.orphaned()).picks

    assert len(picks) == 10_000
    loads = sorted([p.associate_id for p in picks.values()].count(m.pk) for m in team)
    assert loads[-1] - loads[0] <= 10_000 // 8  # spread, not piled on one associate
