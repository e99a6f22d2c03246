"""A manager hands a departed associate's clients on at once: every value the database keeps
from the customer rows (crm migrations 0021-0034) is, after the one UPDATE, what counting the
rows again finds: the client counts, the names, the store's buyers, each occasion's and each
walk-in's copy of its customer, the consent answers kept on the profile."""

import datetime
import re
import uuid
from decimal import Decimal

import pytest
from django.db import connection

from crm.models import (
    Channel,
    ClientCount,
    Consent,
    Customer,
    CustomerName,
    Occasion,
    OccasionKind,
    Purpose,
    WalkIn,
)
from crm.selectors import buyers_of_store, consent_granted_now
from crm.services import Move, clients_reassign
from crm.services.customers import consent_record
from tests.factories import CustomerFactory, OccasionFactory, StaffMemberFactory

NOW = datetime.datetime(2026, 11, 30, 15, 0, tzinfo=datetime.UTC)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(NOW, tick=False)]
PER_STORE = ("clients", "names", "buyers")


def _kept(store) -> dict:
    """What the triggers keep, read as the pages read it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, customer_store_id, customer_assigned_to_id FROM crm_occasion")
        occasions = {pk: (s, a) for pk, s, a in cursor.fetchall()}
        cursor.execute("SELECT id, customer_store_id, customer_reachable_now, "
                       "customer_consents_now FROM crm_walkin")
        walk_ins = {pk: tuple(rest) for pk, *rest in cursor.fetchall()}
        cursor.execute("SELECT id, events_word_email, events_word_secondary_email, "
                       "events_word_phone, occasion_reminders_now FROM crm_customer")
        answers = {pk: tuple(rest) for pk, *rest in cursor.fetchall()}
    return {
        "clients": {r.associate_id: r.clients for r in ClientCount.objects.filter(store=store)
                    if r.clients},
        "names": {r.name: r.customers for r in CustomerName.objects.filter(store=store)},
        "buyers": buyers_of_store(store=store),
        "occasions": occasions,
        "walk_ins": walk_ins,
        "answers": answers,
    }


def _events_word(customer, channel, address) -> str:
    row = address and Consent.objects.current_row(customer=customer, channel=channel,
                                                  address=address, purpose=Purpose.EVENTS)
    if not row:
        return ""
    return "granted" if row.granted else row.method


def _recounted(store) -> dict:
    """The same values counted again from the customers and the ledger, row by row."""
    customers = list(Customer.objects.all())
    ours = [c for c in customers if c.store_id == store.pk]
    clients, names = {}, {}
    for c in ours:
        clients[c.assigned_to_id or 0] = clients.get(c.assigned_to_id or 0, 0) + 1
        for name in (c.first_name, c.last_name):
            if name:
                names[name] = names.get(name, 0) + 1
    values = [c.lifetime_value for c in ours if c.lifetime_value > 0]
    consenting = set(Customer.objects.filter(consent_granted_now()).values_list("pk", flat=True))
    return {
        "clients": clients,
        "names": names,
        "buyers": (len(values), sum(values, Decimal(0))),
        "occasions": {o.pk: (o.customer.store_id, o.customer.assigned_to_id)
                      for o in Occasion.objects.select_related("customer")},
        "walk_ins": {w.pk: (w.customer.store_id, bool(w.customer.phone or w.customer.email),
                            w.customer_id in consenting)
                     for w in WalkIn.objects.select_related("customer")},
        "answers": {c.pk: (_events_word(c, Channel.EMAIL, c.email),
                           _events_word(c, Channel.EMAIL, c.secondary_email),
                           _events_word(c, Channel.SMS, str(c.phone) if c.phone else ""),
                           c.pk in consenting)
                    for c in customers},
    }


@pytest.fixture
def book(store, other_store, salesperson):
    """A departed associate's clients with dates, visits, purchases and consent, a client of
    the salesperson's, and a customer of another store who must not move."""
    gone = StaffMemberFactory(store=store, departed_on=NOW.date() - datetime.timedelta(days=3))
    theirs = [CustomerFactory(store=store, assigned_to=gone, first_name=first,
                              last_name="Okafor", lifetime_value=value)
              for first, value in (("Ada", 0), ("Bea", 120), ("Cy", 0), ("Dee", 4_500))]
    nobodys = CustomerFactory(store=store, assigned_to=None, first_name="Eve", last_name="Lund")
    mine = CustomerFactory(store=store, assigned_to=salesperson, lifetime_value=75)
    elsewhere = CustomerFactory(store=other_store, assigned_to=None, lifetime_value=300)
    for n, customer in enumerate([*theirs, nobodys, mine, elsewhere]):
        OccasionFactory(customer=customer, kind=OccasionKind.BIRTHDAY, month=12, day=n + 1)
        WalkIn.objects.create(key=uuid.uuid4(), customer=customer, logged_by=salesperson,
                              created_at=NOW)
    for customer, purpose, granted in ((theirs[0], Purpose.OCCASION_REMINDERS, True),
                                       (theirs[1], Purpose.EVENTS, True),
                                       (theirs[3], Purpose.EVENTS, False),
                                       (nobodys, Purpose.OCCASION_REMINDERS, True)):
        consent_record(customer=customer, channel=Channel.EMAIL, address=customer.email,
                       purpose=purpose, granted=granted,
                       method="tablet" if granted else "unsubscribe", at=NOW)
    return gone, theirs, nobodys


def test_a_bulk_handover_leaves_every_kept_value_equal_to_a_recount(store, other_store, book,
                                                                    salesperson, manager):
    gone, theirs, nobodys = book
    other = StaffMemberFactory(store=store)
    before = {k: v for k, v in _kept(other_store).items() if k in PER_STORE}
    assert _kept(store) == _recounted(store)

    moved = clients_reassign(store=store, by=manager, moves=[
        *(Move(customer_id=c.pk, shown_associate_id=gone.pk,
               associate_id=(salesperson, other)[n % 2].pk) for n, c in enumerate(theirs)),
        Move(customer_id=nobodys.pk, shown_associate_id=None, associate_id=other.pk)])

    assert moved == 5
    kept = _kept(store)
    assert kept == _recounted(store)
    assert kept["clients"] == {salesperson.pk: 3, other.pk: 3}
    assert {kept["occasions"][o.pk] for o in Occasion.objects.filter(customer__in=theirs)} == {
        (store.pk, salesperson.pk), (store.pk, other.pk)}
    after = {k: v for k, v in _kept(other_store).items() if k in PER_STORE}
    assert after == before  # the other store's counts untouched


def test_a_handover_and_a_change_of_address_in_one_statement_keep_both(store, book,
                                                                       salesperson):
    """One UPDATE that moves a client and changes her email: the occasion follows the
    associate, the walk-in and the consent answers follow the address (no consent there)."""
    gone, theirs, _ = book
    ada = theirs[0]
    assert _kept(store)["answers"][ada.pk][3] is True  # reminders asked at her email
    Customer.objects.filter(pk=ada.pk).update(assigned_to=salesperson, email="ada@new.example")

    kept = _kept(store)
    assert kept == _recounted(store)
    assert kept["answers"][ada.pk][3] is False
    assert {kept["occasions"][o.pk] for o in Occasion.objects.filter(customer=ada)} == {
        (store.pk, salesperson.pk)}



# A transition table given a name of its own in a trigger's SQL: it is joined to something.
_ALIASED = re.compile(r"\b(old_rows|new_rows)\s+(?:AS\s+)?(?!EXCEPT\b|UNION\b|WHERE\b|GROUP\b)"
                      r"[a-z_]\w*", re.IGNORECASE)


def test_no_keeping_trigger_joins_a_statements_old_and_new_rows():
    """PL/pgSQL keeps a statement's plan for the connection's life, made for the transition
    tables of its first call: a join of old and new rows planned for one row is a nested loop
    that compares every row with every other when a later statement writes thousands
    (crm 0038)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT p.proname, p.prosrc FROM pg_trigger t "
                       "JOIN pg_proc p ON p.oid = t.tgfoid WHERE NOT t.tgisinternal")
        functions = cursor.fetchall()
    assert len(functions) >= 7
    joined = {name: _ALIASED.findall(source) for name, source in functions
              if _ALIASED.search(source)}
    assert joined == {}


def _one_row_plans(store, book, salesperson):
    """This connection's trigger plans made for one-row statements, each kept value changed
    (and generic plans forced, as PL/pgSQL may choose them itself after five calls)."""
    _, theirs, _ = book
    ada = Customer.objects.get(pk=theirs[0].pk)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
    for _ in range(6):
        for changes in ({"assigned_to": salesperson}, {"assigned_to": ada.assigned_to},
                        {"email": "ada@elsewhere.example"}, {"email": ada.email},
                        {"lifetime_value": 10}, {"lifetime_value": ada.lifetime_value}):
            Customer.objects.filter(pk=ada.pk).update(**changes)


def test_a_handover_after_one_row_updates_on_the_same_connection_is_counted_right(
        store, other_store, book, salesperson, manager):
    _one_row_plans(store, book, salesperson)
    gone = StaffMemberFactory(store=store, departed_on=NOW.date())
    many = CustomerFactory.create_batch(300, store=store, assigned_to=gone, lifetime_value=40)
    for customer in many[:50]:
        OccasionFactory(customer=customer, kind=OccasionKind.ANNIVERSARY, month=6, day=1)
        WalkIn.objects.create(key=uuid.uuid4(), customer=customer, logged_by=salesperson,
                              created_at=NOW)
    assert _kept(store) == _recounted(store)

    moved = clients_reassign(store=store, by=manager, moves=[
        Move(customer_id=c.pk, shown_associate_id=gone.pk, associate_id=salesperson.pk)
        for c in many])

    assert moved == 300
    assert _kept(store) == _recounted(store)
    Customer.objects.filter(pk__in=[c.pk for c in many[:100]]).update(
        email="", phone="", lifetime_value=0)
    assert _kept(store) == _recounted(store)
