"""The manager's screens: what they show, what a bad form says, and what is not saved."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from crm.models import Assignment, AssignmentReason, Customer, Occasion
from crm.services import client_assign
from staff.models import StaffMember
from staff.roles import Role
from tests.factories import PASSWORD, CustomerFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db
def yesterday() -> datetime.date:
    """The day before today on the (possibly frozen) clock."""
    return timezone.localdate() - datetime.timedelta(days=1)


@pytest.fixture
def dana(store):
    return StaffMemberFactory(store=store, display_name="Dana Departed", departed_on=yesterday())


def orphans_of(member, store, count):
    Customer.objects.bulk_create(
        Customer(store=store, first_name="Orphan", last_name=f"{n:05d}",
                 email=f"orphan{n}@mail.example", assigned_to=member, lifetime_value=n)
        for n in range(count))
    customers = list(Customer.objects.filter(store=store, assigned_to=member))
    pearls = store.preferences.get(name="Pearls")
    Customer.preferences.through.objects.bulk_create(
        Customer.preferences.through(customer_id=c.pk, preference_id=pearls.pk)
        for c in customers)
    Occasion.objects.bulk_create(Occasion(customer=c, kind="birthday", month=3, day=9)
                                 for c in customers)
    return customers


def test_the_staff_page_lists_the_team_with_their_clients(manager_client, salesperson, dana,
                                                           store):
    orphans_of(dana, store, 2)
    page = manager_client.get(reverse("staff:home")).content.decode()
    assert "Sally Sales" in page
    assert "Dana Departed" in page
    assert "Left " in page
    assert "reassign clients immediately" in page.lower()


def test_adding_a_staff_member_from_the_form(manager_client, store):
    pearls = store.preferences.get(name="Pearls")
    response = manager_client.post(reverse("staff:member-add"), {
        "display_name": "Nina Novak", "username": "nina", "role": Role.SALESPERSON,
        "strengths": [pearls.pk], "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    nina = StaffMember.objects.get(user__username="nina")
    assert nina.store == store
    assert list(nina.strengths.all()) == [pearls]


@pytest.mark.parametrize(("change", "message"), [
    ({"password2": "something else entirely"}, "The two passwords differ"),
    ({"password1": "abc", "password2": "abc"}, "too short"),
    ({"username": "sally"}, "That username is taken"),
    ({"role": "owner"}, "Select a valid choice"),
    ({"display_name": ""}, "This field is required"),
])
def test_adding_a_staff_member_with_bad_input_says_why_and_keeps_the_form(
        manager_client, salesperson, change, message):
    data = {"display_name": "Nina Novak", "username": "nina", "role": Role.SALESPERSON,
            "password1": PASSWORD, "password2": PASSWORD} | change
    response = manager_client.post(reverse("staff:member-add"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert 'value="Nina Novak"' in response.content.decode() or not data["display_name"]
    assert not StaffMember.objects.filter(display_name="Nina Novak").exists()


def test_marking_an_associate_departed_from_the_form(manager_client, salesperson, client):
    response = manager_client.post(
        reverse("staff:member-depart", kwargs={"staff_member_id": salesperson.pk}),
        {"departed_on": yesterday().isoformat()})
    assert response.status_code == 302
    salesperson.refresh_from_db()
    assert salesperson.departed_on == yesterday()
    assert not salesperson.user.is_active


def test_a_departed_associate_is_logged_out_at_once(salesperson, manager_client, client):
    from django.test import Client

    sally = Client()
    sally.force_login(salesperson.user)
    assert sally.get(reverse("crm:home")).status_code == 200
    manager_client.post(reverse("staff:member-depart", kwargs={"staff_member_id": salesperson.pk}),
                        {"departed_on": yesterday().isoformat()})
    response = sally.get(reverse("crm:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("departed_on", ["", "not a date", "2999-01-01"])
def test_a_bad_departure_date_is_refused(manager_client, salesperson, departed_on):
    response = manager_client.post(
        reverse("staff:member-depart", kwargs={"staff_member_id": salesperson.pk}),
        {"departed_on": departed_on})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    salesperson.refresh_from_db()
    assert salesperson.departed_on is None


@pytest.mark.parametrize("departed_on", ["1899-01-01", "0026-11-30", "1999-12-31"])
def test_a_departure_before_2000_is_a_mistyped_year_and_nothing_is_saved(
        manager_client, salesperson, departed_on):
    from core.models import AuditEntry

    response = manager_client.post(
        reverse("staff:member-depart", kwargs={"staff_member_id": salesperson.pk}),
        {"departed_on": departed_on})
    page = response.content.decode()
    assert response.status_code == 200
    assert "check the year" in page
    assert f'value="{departed_on}"' in page
    salesperson.refresh_from_db()
    salesperson.user.refresh_from_db()
    assert salesperson.departed_on is None
    assert salesperson.user.is_active
    assert not AuditEntry.objects.filter(action="staff.departed").exists()


def test_changing_a_role_from_the_form(manager_client, salesperson):
    response = manager_client.post(
        reverse("staff:member-change", kwargs={"staff_member_id": salesperson.pk}),
        {"display_name": "Sally Sales", "role": Role.SERVICE})
    assert response.status_code == 302
    salesperson.refresh_from_db()
    assert salesperson.role == Role.SERVICE
    assert list(salesperson.user.groups.values_list("name", flat=True)) == ["service"]


def test_a_manager_demoting_themselves_is_told_why(manager_client, manager):
    response = manager_client.post(
        reverse("staff:member-change", kwargs={"staff_member_id": manager.pk}),
        {"display_name": "Maria", "role": Role.SALESPERSON})
    assert "your own manager role" in response.content.decode()
    manager.refresh_from_db()
    assert manager.role == Role.MANAGER


def test_another_stores_staff_member_is_not_found(other_manager_client, salesperson):
    response = other_manager_client.post(
        reverse("staff:member-depart", kwargs={"staff_member_id": salesperson.pk}),
        {"departed_on": yesterday().isoformat()})
    assert response.status_code == 404
    salesperson.refresh_from_db()
    assert salesperson.departed_on is None


def test_the_manager_turns_the_departure_policy_on(manager_client, store):
    manager_client.post(reverse("staff:store-policy"), {"reassign_on_departure": "on"})
    store.refresh_from_db()
    assert store.reassign_on_departure is True
    manager_client.post(reverse("staff:store-policy"), {})
    store.refresh_from_db()
    assert store.reassign_on_departure is False


def test_the_manager_decides_whether_managers_take_clients(manager_client, store):
    page = manager_client.get(reverse("staff:store-policy")).content.decode()
    assert "managers look after clients too" in page.lower()
    manager_client.post(reverse("staff:store-policy"), {"managers_take_clients": "on"})
    store.refresh_from_db()
    assert (store.managers_take_clients, store.reassign_on_departure) == (True, False)


def test_the_orphan_list_shows_what_matters_for_choosing(manager_client, dana, store,
                                                         salesperson):
    orphan = CustomerFactory(store=store, first_name="Olive", last_name="Orphan",
                             assigned_to=dana, lifetime_value=4200)
    orphan.preferences.add(store.preferences.get(name="Pearls"))
    Occasion.objects.create(customer=orphan, kind="anniversary", month=5, day=4)
    CustomerFactory(store=store, first_name="Kept", last_name="Client", assigned_to=salesperson)
    page = manager_client.get(reverse("staff:orphans")).content.decode()
    assert "Olive Orphan" in page
    assert "$4,200" in page
    assert "Pearls" in page
    assert "Anniversary May 4" in page
    assert "Dana Departed" in page
    assert "Kept Client" not in page


def test_the_orphan_list_filters_by_former_associate_preference_and_value(manager_client, dana,
                                                                          store):
    rich = CustomerFactory(store=store, first_name="Rich", assigned_to=dana, lifetime_value=9000)
    rich.preferences.add(store.preferences.get(name="Diamonds"))
    CustomerFactory(store=store, first_name="Never", assigned_to=None, lifetime_value=50)
    url = reverse("staff:orphans")

    def names(**query):
        page = manager_client.get(url, query).content.decode()
        return {n for n in ("Rich", "Never") if f"<strong>{n} " in page}

    assert names() == {"Rich", "Never"}
    assert names(former=dana.pk) == {"Rich"}
    assert names(former="null") == {"Never"}
    assert names(preference=store.preferences.get(name="Diamonds").pk) == {"Rich"}
    assert names(min_value="1000") == {"Rich"}
    sorted_page = manager_client.get(url, {"sort": "value"}).content.decode()
    assert sorted_page.index("<strong>Never ") < sorted_page.index("<strong>Rich ")


def test_a_bad_filter_value_is_shown_not_a_crash(manager_client, dana, store):
    response = manager_client.get(reverse("staff:orphans"), {"min_value": "lots"})
    assert response.status_code == 200
    assert "Enter a number" in response.content.decode()


# Who is asking (one query), then the page's own reads (filter choices, count, rows,
# preferences, occasions, associates with their strengths and counts; suggestions add four;
# the accept-all confirmation is the four suggestion queries and the filter choices).
@pytest.mark.parametrize(("view", "queries"), [("staff:orphans", 8),
                                               ("staff:orphans-suggest", 17),
                                               ("staff:suggestions-accept-all", 9),
                                               ("staff:orphans-print", 9)])
@pytest.mark.parametrize("count", [5, 200])
def test_orphan_pages_take_the_same_queries_for_5_or_200_orphans(
        manager_client, dana, store, salesperson, django_assert_max_num_queries, view, queries,
        count):
    orphans_of(dana, store, count)
    with django_assert_max_num_queries(queries):
        response = manager_client.get(reverse(view))
    assert response.status_code == 200


def test_ten_thousand_orphans_render_one_page_in_constant_queries(
        manager_client, dana, store, salesperson, django_assert_max_num_queries):
    orphans_of(dana, store, 10_000)
    with django_assert_max_num_queries(8):  # the floor's budget (issue 19)
        response = manager_client.get(reverse("staff:orphans"), {"page": "3"})
    assert "Page 3 of 200" in response.content.decode()


def _ticked(customers, shown):
    data = {"customers": [c.pk for c in customers]}
    data |= {f"shown-{c.pk}": shown.pk if shown else "" for c in customers}
    return data


def test_bulk_reassignment_from_the_list(manager_client, dana, store, salesperson):
    customers = orphans_of(dana, store, 3)
    response = manager_client.post(reverse("staff:orphans-reassign") + "?sort=value",
                                   _ticked(customers, dana) | {"associate": salesperson.pk})
    assert response.status_code == 302
    assert response["Location"].endswith("?sort=value")
    assert Customer.objects.filter(assigned_to=salesperson).count() == 3


def test_bulk_reassignment_to_a_departed_associate_says_so_and_keeps_the_ticks(
        manager_client, dana, store):
    customers = orphans_of(dana, store, 2)
    gone_too = StaffMemberFactory(store=store, display_name="Gina Gone", departed_on=yesterday())
    response = manager_client.post(reverse("staff:orphans-reassign"),
                                   _ticked(customers, dana) | {"associate": gone_too.pk})
    page = response.content.decode()
    assert "Gina Gone has left the store" in page
    assert page.count("checked") == 2
    assert Customer.objects.filter(assigned_to=dana).count() == 2


def test_bulk_reassignment_to_service_staff_says_so(manager_client, dana, store, service_clerk):
    customers = orphans_of(dana, store, 2)
    response = manager_client.post(reverse("staff:orphans-reassign"),
                                   _ticked(customers, dana) | {"associate": service_clerk.pk})
    assert "service counter" in response.content.decode()
    assert Customer.objects.filter(assigned_to=dana).count() == 2


def test_a_stale_orphan_list_is_refused_with_a_clear_message(manager_client, dana, store,
                                                             salesperson, manager):
    customers = orphans_of(dana, store, 3)
    tom = StaffMemberFactory(store=store, display_name="Tom")
    client_assign(customer=customers[0], associate=tom, by=manager,
                  reason=AssignmentReason.REASSIGNMENT)
    response = manager_client.post(reverse("staff:orphans-reassign"),
                                   _ticked(customers, dana) | {"associate": salesperson.pk})
    assert "Someone else changed who looks after Orphan 00000" in response.content.decode()
    assert not Customer.objects.filter(assigned_to=salesperson).exists()


@pytest.mark.parametrize("data", [
    {"associate": ""},
    {"customers": ["x"], "associate": "1"},
    {"customers": [], "associate": "1"},
])
def test_a_damaged_or_empty_reassignment_form_is_refused(manager_client, dana, store, data):
    orphans_of(dana, store, 1)
    response = manager_client.post(reverse("staff:orphans-reassign"), data)
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert not Assignment.objects.exists()


def test_suggestions_are_shown_and_accepted_as_reviewed(manager_client, dana, store,
                                                        salesperson):
    salesperson.strengths.add(store.preferences.get(name="Pearls"))
    tom = StaffMemberFactory(store=store, display_name="Tom")
    first, second, third = orphans_of(dana, store, 3)
    page = manager_client.get(reverse("staff:orphans-suggest")).content.decode()
    assert f'<option value="{salesperson.pk}" selected>' in page

    data = _ticked([first, second], dana) | {f"to-{first.pk}": salesperson.pk,
                                             f"to-{second.pk}": tom.pk}
    response = manager_client.post(reverse("staff:suggestions-accept"), data)

    assert response.status_code == 302
    first.refresh_from_db(), second.refresh_from_db(), third.refresh_from_db()
    assert (first.assigned_to, second.assigned_to, third.assigned_to) == (salesperson, tom, dana)


def test_accepting_a_suggestion_without_an_associate_is_refused(manager_client, dana, store):
    (orphan,) = orphans_of(dana, store, 1)
    response = manager_client.post(reverse("staff:suggestions-accept"), _ticked([orphan], dana))
    assert "Pick an associate for every ticked client" in response.content.decode()
    assert not Assignment.objects.exists()


def test_each_suggestion_says_why_and_loves_nobody_is_strong_in_are_flagged(
        manager_client, dana, store, salesperson):
    salesperson.strengths.add(store.preferences.get(name="Pearls"))
    CustomerFactory.create_batch(2, store=store, assigned_to=salesperson, lifetime_value=100)
    olive = CustomerFactory(store=store, first_name="Olive", last_name="Orphan",
                            assigned_to=dana, lifetime_value=4200)
    olive.preferences.add(*store.preferences.filter(name__in=["Pearls", "Colored gems"]))

    page = manager_client.get(reverse("staff:orphans-suggest")).content.decode()

    assert "Strong in Pearls" in page
    assert "Sally Sales has 2 clients · $200" in page
    assert "Nobody on the team is strong in:" in page
    assert "Colored gems (1 client)" in page
    assert "Nobody is strong in Colored gems" in page
    olive.refresh_from_db()
    assert olive.assigned_to == dana


def test_a_manager_is_not_suggested_unless_the_store_says_managers_take_clients(
        manager_client, manager, dana, store, salesperson):
    manager.strengths.add(store.preferences.get(name="Pearls"))
    orphans_of(dana, store, 3)  # pearl lovers all
    page = manager_client.get(reverse("staff:orphans-suggest")).content.decode()
    assert f'<option value="{manager.pk}" selected>' not in page
    assert page.count(f'<option value="{salesperson.pk}" selected>') == 3

    store.managers_take_clients = True
    store.save(update_fields=["managers_take_clients"])
    page = manager_client.get(reverse("staff:orphans-suggest")).content.decode()
    assert f'<option value="{manager.pk}" selected>' in page


def test_accept_all_first_shows_who_gets_how_many_and_changes_nothing(manager_client, dana,
                                                                      store, salesperson):
    orphans_of(dana, store, 60)
    suggest_page = manager_client.get(reverse("staff:orphans-suggest")).content.decode()
    assert "Accept all 60 suggestions" in suggest_page

    page = manager_client.get(reverse("staff:suggestions-accept-all")).content.decode()

    assert "Yes, hand on all 60 clients" in page
    assert "<td>Sally Sales</td><td class=\"text-end\">60</td>" in page
    assert Customer.objects.filter(assigned_to=dana).count() == 60
    assert not Assignment.objects.exists()


def _accept_all(manager_client, query=""):
    url = reverse("staff:suggestions-accept-all") + query
    page = manager_client.get(url).content.decode()
    moves = page.split('name="moves" value="', 1)[1].split('"', 1)[0]
    return url, {"moves": moves}


@pytest.mark.parametrize("count", [5, 174])
def test_accept_all_hands_every_orphan_on_in_one_post_and_constant_queries(
        manager_client, dana, store, salesperson, django_assert_max_num_queries, count):
    tom = StaffMemberFactory(store=store, display_name="Tom Watches")
    orphans_of(dana, store, count)
    url, data = _accept_all(manager_client)

    # 16, and one UPDATE that hands the clients' open tasks on with them.
    with django_assert_max_num_queries(17):
        response = manager_client.post(url, data)

    assert response.status_code == 302
    assert not Customer.objects.orphaned().exists()
    assert Customer.objects.filter(assigned_to__in=[salesperson, tom]).count() == count
    assert Assignment.objects.filter(set_by__display_name="Maria Manager",
                                     reason=AssignmentReason.REASSIGNMENT).count() == count
    followed = manager_client.get(response["Location"]).content.decode()
    assert f"{count} suggestions accepted." in followed


def test_accept_all_applies_only_the_filtered_list(manager_client, dana, store, salesperson):
    rich = CustomerFactory(store=store, first_name="Rich", assigned_to=dana, lifetime_value=9000)
    poor = CustomerFactory(store=store, first_name="Poor", assigned_to=dana, lifetime_value=10)
    url, data = _accept_all(manager_client, "?min_value=1000")
    response = manager_client.post(url, data)
    assert response["Location"] == reverse("staff:orphans") + "?min_value=1000"
    rich.refresh_from_db(), poor.refresh_from_db()
    assert (rich.assigned_to, poor.assigned_to) == (salesperson, dana)


def test_accept_all_is_refused_whole_when_a_client_changed_hands_meanwhile(
        manager_client, manager, dana, store, salesperson):
    customers = orphans_of(dana, store, 174)
    url, data = _accept_all(manager_client)
    tom = StaffMemberFactory(store=store, display_name="Tom")
    client_assign(customer=customers[7], associate=tom, by=manager,
                  reason=AssignmentReason.REASSIGNMENT)

    response = manager_client.post(url, data)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Someone else changed who looks after Orphan 00007" in page
    assert "Yes, hand on all 173 clients" in page  # the fresh list, to look at again
    assert Customer.objects.filter(assigned_to=dana).count() == 173
    assert not Customer.objects.filter(assigned_to=salesperson).exists()


@pytest.mark.parametrize("moves", ["", "1:2", "x:y:z", "1:2:3:4"])
def test_a_damaged_accept_all_form_is_refused(manager_client, dana, store, salesperson, moves):
    orphans_of(dana, store, 2)
    response = manager_client.post(reverse("staff:suggestions-accept-all"), {"moves": moves})
    assert response.status_code == 200
    assert "alert-danger" in response.content.decode()
    assert not Assignment.objects.exists()


def test_one_client_is_reassigned_from_their_own_page(manager_client, dana, store, salesperson):
    (orphan,) = orphans_of(dana, store, 1)
    url = reverse("staff:client-reassign", kwargs={"customer_id": orphan.pk})
    assert "Dana Departed" in manager_client.get(url).content.decode()
    response = manager_client.post(url, {"shown": dana.pk, "associate": salesperson.pk})
    assert response["Location"] == reverse("staff:orphans")
    orphan.refresh_from_db()
    assert orphan.assigned_to == salesperson


def test_reassigning_from_the_customer_page_returns_to_it(manager_client, store, salesperson):
    customer = CustomerFactory(store=store)
    url = reverse("staff:client-reassign", kwargs={"customer_id": customer.pk})
    response = manager_client.post(url + "?from=customer",
                                   {"shown": "", "associate": salesperson.pk})
    assert response["Location"] == reverse("crm:customer", kwargs={"customer_id": customer.pk})


def test_reassigning_one_client_with_a_stale_page_says_so(manager_client, store, salesperson,
                                                          manager):
    customer = CustomerFactory(store=store)
    client_assign(customer=customer, associate=manager, reason=AssignmentReason.WALK_IN)
    url = reverse("staff:client-reassign", kwargs={"customer_id": customer.pk})
    response = manager_client.post(url, {"shown": "", "associate": salesperson.pk})
    assert "Someone else changed" in response.content.decode()
    customer.refresh_from_db()
    assert customer.assigned_to == manager


def test_the_customer_page_shows_who_looked_after_them(manager_client, store, salesperson,
                                                       manager):
    customer = CustomerFactory(store=store)
    client_assign(customer=customer, associate=salesperson, by=manager,
                  reason=AssignmentReason.REASSIGNMENT)
    page = manager_client.get(reverse("crm:customer", kwargs={"customer_id": customer.pk}))
    html = page.content.decode()
    assert "Looked after by" in html
    assert "set by Maria Manager" in html
    assert reverse("staff:client-reassign", kwargs={"customer_id": customer.pk}) in html


def test_the_customer_page_panel_shows_the_history_in_one_query(
        store, dana, salesperson, manager, django_assert_num_queries):
    customer = CustomerFactory(store=store)
    client_assign(customer=customer, associate=dana, reason=AssignmentReason.WALK_IN)
    client_assign(customer=customer, associate=salesperson, by=manager,
                  reason=AssignmentReason.REASSIGNMENT, note="Dana left")
    template = Template('{% include "staff/partials/_customer_assignments.html" %}')
    with django_assert_num_queries(1):
        html = template.render(Context({"customer": customer}))
    assert html.index("Sally Sales") < html.index("Dana Departed")
    assert "set by Maria Manager" in html
    assert "Walk-in" in html
    assert "Dana left" in html


def test_a_salesperson_sees_the_history_but_no_reassign_button(sales_client, store, salesperson):
    customer = CustomerFactory(store=store)
    client_assign(customer=customer, associate=salesperson, reason=AssignmentReason.WALK_IN)
    html = sales_client.get(reverse("crm:customer", kwargs={"customer_id": customer.pk})
                            ).content.decode()
    assert "Looked after by" in html
    assert reverse("staff:client-reassign", kwargs={"customer_id": customer.pk}) not in html


def test_the_orphan_pickers_counts_and_strengths_are_a_recount(manager_client, manager, dana,
                                                               salesperson, service_clerk,
                                                               store):
    """The picker reads each associate's clients from the kept counts and their strengths
    in the same query: both equal to counting the customers and the strengths again; only
    who may take clients is offered."""
    from staff.selectors import sellers_to_pick

    pearls, gold = (store.preferences.get(name=name) for name in ("Pearls", "Gold"))
    gold.position, pearls.position = 0, 1
    gold.save(update_fields=["position"])
    pearls.save(update_fields=["position"])
    salesperson.strengths.set([pearls, gold])
    CustomerFactory.create_batch(3, store=store, assigned_to=salesperson)
    CustomerFactory(store=store, assigned_to=manager)
    orphans_of(dana, store, 2)
    picked = sellers_to_pick(store=store)
    assert [s.pk for s in picked] == [manager.pk, salesperson.pk]  # by name; no clerk, no Dana
    for seller in picked:
        member = StaffMember.objects.get(pk=seller.pk)
        assert seller.client_count == Customer.objects.filter(assigned_to=member).count()
        assert seller.strength_names == [p.name for p in member.strengths.order_by(
            "position", "name")]
    page = manager_client.get(reverse("staff:orphans")).content.decode()
    assert "Sally Sales (Gold, Pearls) · 3 clients" in page
    assert "Maria Manager · 1 clients" in page


@pytest.mark.parametrize("page", [1, 2, 5, 6])
def test_the_orphan_lists_first_pages_read_compiled_show_what_the_queryset_shows(
        manager_client, dana, store, other_store, page):
    """Pages 1-5 of the unfiltered list come from a compiled read (crm.selectors.orphans_at),
    the sixth from the ORM: each shows the same clients, loves and dates, in the same order,
    and only this store's."""
    from crm.selectors import COMPILED_ORPHAN_PAGES, orphans_at, orphans_of_store

    orphans_of(dana, store, 290)
    Customer.objects.filter(store=store, last_name__endswith="7").update(lifetime_value=7)
    CustomerFactory(store=other_store, assigned_to=None, lifetime_value=10_000)
    offset = (page - 1) * 50
    compiled = orphans_at(store=store, offset=offset, limit=50)
    assert (compiled is None) == (page > COMPILED_ORPHAN_PAGES)
    expected = [c.pk for c in orphans_of_store(store=store)[offset:offset + 50]]
    if compiled is not None:
        assert [c.pk for c in compiled] == expected

    response = manager_client.get(reverse("staff:orphans"), {"page": str(page)})
    shown = list(response.context["page"])
    assert [c.pk for c in shown] == expected
    assert all([p.name for p in c.loves] == ["Pearls"] for c in shown)
    assert all(len(c.upcoming) == 1 for c in shown)
    assert shown[0].assigned_to == dana
