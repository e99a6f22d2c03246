"""Reads of customers, shaped once for the page that shows them and scoped to the store."""

import datetime
import functools
from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    Count,
    DateField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import Expression
from django.db.models.functions import Cast, Coalesce, JSONObject, TruncDate, TruncMonth
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.errors import LoupeError
from core.packed import FORWARD, Compiled, CompiledSlices, Packed, attach, columns, rows_load
from crm import occasion_dates
from crm.links import INVALID, VOUCHER_INVALID, sign_up_named_by, voucher_named_by
from crm.models import (
    AnyOf,
    Assignment,
    Channel,
    ClientCount,
    Consent,
    Customer,
    Drawing,
    DrawingEntry,
    Import,
    ImportProblem,
    Interaction,
    Occasion,
    OccasionKind,
    PiecePhoto,
    Preference,
    Purchase,
    Purpose,
    SignUp,
    Source,
    StoreBuyers,
    Voucher,
    VoucherProgram,
    WalkIn,
    WishItem,
    address_channels,
)
from crm.normalize import (
    consent_address_or_blank,
    normalize_email,
    phone_digits,
    phone_key,
    phone_national,
    search_text,
)
from crm.search import customers_named

# Fewer digits than this would match half the store's phone numbers.
MIN_PHONE_DIGITS = 4


def customer_for(*, store, customer_id) -> Customer:
    """The customer with this id in `store`; another store's customer is a 404, and so is an
    id that is no number (`?customer=` from a damaged link)."""
    if not str(customer_id).isdigit():
        raise Http404("No such customer.")
    return get_object_or_404(
        Customer.objects.for_store(store).select_related("assigned_to", "store"), pk=customer_id
    )


def store_for(*, store_id):
    """The store with this id (404 if there is none), for the public sign-up forms.

    Stores belong to the staff app above crm: the class comes from the customer's relation.
    """
    Store = Customer._meta.get_field("store").related_model
    return get_object_or_404(Store, pk=store_id)


def occasion_for(*, store, customer_id, occasion_id) -> Occasion:
    """One occasion of this customer in `store`, with its customer; anything else is a 404."""
    return get_object_or_404(
        Occasion.objects.select_related("customer__store")
        .filter(customer__store=store, customer_id=customer_id), pk=occasion_id)


def occasion_on_file(*, customer: Customer, kind: str, label: str = "") -> Occasion | None:
    """The occasion a date of `kind` told at a visit corrects: a birthday, an anniversary or
    a partner's birthday has one date; an "other" is the one with the same label."""
    found = Occasion.objects.filter(customer=customer, kind=kind)
    if kind == OccasionKind.OTHER:
        found = found.filter(label__iexact=(label or "").strip())
    return found.order_by("month", "day", "pk").first()


def walk_in_on_file(*, customer: Customer) -> dict:
    """What "Log a visit" shows of a known customer: the number as people write it, the
    email, every occasion, the consents granted now, and the occasion of each kind that the
    form's dates start from (the one `occasion_on_file` would correct)."""
    occasions = list(Occasion.objects.filter(customer=customer).order_by("month", "day", "pk"))
    first_of_kind = {}
    for occasion in occasions:
        first_of_kind.setdefault(occasion.kind, occasion)
    # Consent belongs to an address: only the profile's own addresses, each by its channel.
    granted = [(f"{row['channel']} {_shown(entry['address'])}", label)
               for entry in consent_by_address(customer=customer) if entry["on_profile"]
               for row in entry["channels"]
               for label, consent in row["purposes"] if consent is not None and consent.granted]
    return {"phone": phone_national(str(customer.phone or "")), "email": customer.email,
            "occasions": occasions, "first_of_kind": first_of_kind, "consents": granted}


def _shown(address: str) -> str:
    return address if "@" in address else phone_national(address)


def clients_of(*, staff_member):
    """The customers an associate looks after, shaped for the 'My clients' list (in the
    order of the index customer_store_book: a page reads its own rows, not the whole book)."""
    return _book(store_id=staff_member.store_id, associate_id=staff_member.pk)


def _book(*, store_id, associate_id):
    return (Customer.objects.filter(store=store_id, assigned_to=associate_id)
            .order_by("first_name", "last_name", "pk"))


class ClientRow(NamedTuple):
    """A row of 'My clients': the phone as stored (E.164 text), for `|phone` to show."""

    pk: int
    first_name: str
    last_name: str
    phone: str
    email: str

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def client_rows(*, staff_member):
    """`clients_of` with only what a row of 'My clients' shows (name, phone, email), as
    tuples for `ClientRow`: fifty whole profiles were built for a list of names, and each
    number parsed into a PhoneNumber only to be written out again."""
    return _client_rows_of(store_id=staff_member.store_id, associate_id=staff_member.pk)


def _client_rows_of(*, store_id, associate_id):
    return _book(store_id=store_id, associate_id=associate_id).values_list(
        "pk", "first_name", "last_name", Cast("phone", CharField()), "email")


# The first pages of My clients, the ones an associate opens, each a compiled read (as the
# orphan list's: core.packed.CompiledSlices). Building the slice's query in the ORM cost
# more CPU than reading its fifty rows from the index.
COMPILED_CLIENT_PAGES = 5
_CLIENT_PAGES = CompiledSlices(
    lambda start, stop, **ids: _client_rows_of(**ids)[start:stop])


def client_rows_at(*, staff_member, offset: int, limit: int) -> list[ClientRow] | None:
    """`client_rows(staff_member=...)[offset:offset + limit]` as `ClientRow`s, read by a
    compiled query (PostgreSQL, the first COMPILED_CLIENT_PAGES pages); None elsewhere, for
    the caller to read the slice."""
    if connection.vendor != "postgresql" or offset >= COMPILED_CLIENT_PAGES * limit:
        return None
    rows = _CLIENT_PAGES[offset, offset + limit].rows(store_id=staff_member.store_id,
                                                      associate_id=staff_member.pk)
    return [ClientRow(*row) for row in rows]


def _client_count_read(*, store_id, associate_id):
    return ClientCount.objects.filter(store=store_id, associate_id=associate_id).values("clients")


_CLIENT_COUNT = Compiled(_client_count_read)


def client_count(*, staff_member) -> int:
    """How many customers an associate looks after, from the counts the triggers keep
    (crm.ClientCount, read by a compiled query); counted where there are no triggers
    (SQLite)."""
    if connection.vendor != "postgresql":
        return clients_of(staff_member=staff_member).count()
    kept = _CLIENT_COUNT.fetch(store_id=staff_member.store_id, associate_id=staff_member.pk)
    return kept["clients"] if kept else 0


def preferences_of(*, store):
    """The store's preference list, in the managers' order (retired lines included)."""
    return Preference.objects.for_store(store).order_by("position", "name")


def preference_for(*, store, preference_id) -> Preference:
    """A line of the store's list; another store's is a 404."""
    return get_object_or_404(Preference.objects.for_store(store), pk=preference_id)


def orphans_of_store(*, store):
    """Orphaned clients with what a manager weighs when handing them on: what they love
    (`loves`) and their occasions (`dated_occasions`), as lists once `orphan_lists_load` has
    read the rows. On PostgreSQL both are columns of the rows' own query (a prefetch each cost
    more in the ORM than the page's SQL); elsewhere they are prefetched into lists (a prefetch
    into the related managers clones a queryset per row)."""
    orphans = (Customer.objects.for_store(store).orphaned().select_related("assigned_to")
               .order_by("-lifetime_value", "last_name", "first_name", "pk"))
    if connection.vendor != "postgresql":
        return orphans.prefetch_related(
            Prefetch("preferences", queryset=Preference.objects.order_by("position", "name"),
                     to_attr="loves"),
            Prefetch("occasions", queryset=Occasion.objects.order_by("month", "day"),
                     to_attr="dated_occasions"))
    return orphans.annotate(**columns(_orphan_lists()))


@functools.cache
def _orphan_lists() -> dict[str, Packed]:
    mine = OuterRef("pk")
    return {"loves": Packed(Preference._default_manager.filter(customers=mine)
                            .order_by("position", "name")),
            "dated_occasions": Packed(Occasion._default_manager.filter(customer=mine)
                                      .order_by("month", "day"))}


def orphan_lists_load(orphans) -> list[Customer]:
    """The rows of `orphans_of_store` (a page of them), their `loves` and `dated_occasions`
    as lists of instances."""
    if connection.vendor != "postgresql":
        return list(orphans)
    return rows_load(orphans, _orphan_lists())


# The first pages of the unfiltered list, the ones a manager opens, each a compiled read
# (core.packed.Compiled: a slice's LIMIT and OFFSET are part of its SQL, so one per page;
# deeper pages, rarely opened, are built by the ORM rather than kept prepared).
COMPILED_ORPHAN_PAGES = 5
_ORPHAN_PAGES = CompiledSlices(
    lambda start, stop, *, store_id: orphans_of_store(store=store_id)[start:stop])


def orphans_at(*, store, offset: int, limit: int) -> list[Customer] | None:
    """The rows of `orphans_of_store(store=store)[offset:offset + limit]` as iterating it gives
    them (their lists for `orphan_lists_load`), read by a compiled query (PostgreSQL, the
    first COMPILED_ORPHAN_PAGES pages); None elsewhere, for the caller to read the slice."""
    if connection.vendor != "postgresql" or offset >= COMPILED_ORPHAN_PAGES * limit:
        return None
    return _ORPHAN_PAGES[offset, offset + limit].instances(store_id=store.pk)


def orphan_count(*, store) -> int:
    """The store's orphaned clients, from the counts the triggers keep (crm.ClientCount): one
    row for "nobody" and one per associate who has left, however many customers there are."""
    if connection.vendor != "postgresql":
        return Customer.objects.for_store(store).orphaned().count()
    StaffMember = Customer._meta.get_field("assigned_to").related_model
    departed = StaffMember.objects.filter(store=store, departed_on__isnull=False).values("pk")
    counted = (ClientCount.objects.filter(store=store)
               .filter(Q(associate_id=0) | Q(associate_id__in=departed))
               .aggregate(total=Sum("clients")))
    return counted["total"] or 0


def buyers_of_store(*, store) -> tuple[int, Decimal]:
    """How many of the store's customers have bought (a lifetime value above zero) and their
    lifetime value together, from the totals the triggers keep (crm.StoreBuyers); counted from
    the customers where there are no triggers (SQLite)."""
    if connection.vendor != "postgresql":
        counted = Customer.objects.for_store(store).filter(lifetime_value__gt=0).aggregate(
            buyers=Count("pk"), sales=Sum("lifetime_value"))
        return counted["buyers"], counted["sales"] or Decimal(0)
    kept = StoreBuyers.objects.filter(store=store).values_list("buyers", "sales").first()
    return kept or (0, Decimal(0))


def client_counts():
    """Each associate's clients (an expression on a StaffMember queryset), read from the
    counts the triggers keep; counted from the customers where there are no triggers."""
    if connection.vendor != "postgresql":
        return Count("clients", distinct=True)
    kept = ClientCount.objects.filter(store=OuterRef("store"), associate_id=OuterRef("pk"))
    return Coalesce(Subquery(kept.values("clients")[:1]), 0)


def assignment_history(*, customer):
    """Who has looked after this customer, newest first."""
    return (Assignment.objects.filter(customer=customer)
            .select_related("associate", "set_by").order_by("-started_at", "-id"))


def assignments_shown(*, customer) -> list[Assignment]:
    """`assignment_history` as a list, for the customer page's panel (read with the page on
    PostgreSQL, `_assignments_panel`)."""
    read = panel_read(customer, "assignments")
    if read is not None:
        return read["assignments"]
    return list(assignment_history(customer=customer))


def consent_current(*, customer: Customer, channel: str, address: str, purpose: str) -> bool:
    """Whether the customer's latest word for this address, channel and purpose is yes.

    A blank address, or one that cannot be an address, has no consent.
    """
    address = consent_address_or_blank(address, channel=channel)
    if not address:
        return False
    latest = Consent.objects.current_row(customer=customer, channel=channel, address=address,
                                         purpose=purpose)
    return latest is not None and latest.granted


def _by_email(store, text):
    email = text.strip().lower()
    return Customer.objects.for_store(store).filter(
        Q(email__contains=email) | Q(secondary_email__contains=email)
    ).order_by("last_name", "first_name", "pk")


def _by_phone(store, text):
    e164 = phone_key(text)
    digits = phone_digits(text)
    match = Q(phone__contains=digits)
    if e164:
        match |= Q(phone=e164)
    return Customer.objects.for_store(store).filter(match).order_by("last_name", "first_name",
                                                                    "pk")


def customer_search(*, store, query: str, limit: int = 20):
    """One box: a name (prefix or fuzzy), phone digits in any format, or an email.

    Returns at most `limit` customers with their associate, best match first.
    """
    text = search_text(query)
    if not text:
        return []
    if "@" in text or ("." in text and " " not in text and len(text) > 3):
        found = _by_email(store, text)
    elif len(phone_digits(text)) >= MIN_PHONE_DIGITS and not any(c.isalpha() for c in text):
        found = _by_phone(store, text)
    else:
        return customers_named(store=store, text=text, limit=limit)
    return list(found.select_related("assigned_to")[:limit])


def customer_with_pos_id(*, store, pos_id: str) -> Customer | None:
    """The customer the store's POS knows by this id (None for a blank id or no match)."""
    pos_id = (pos_id or "").strip()
    if not pos_id:
        return None
    return Customer.objects.for_store(store).select_related("assigned_to") \
        .filter(pos_id=pos_id).first()


def customer_duplicates(*, store, email: str = "", phone: str = ""):
    """Customers of `store` who already have this email (either field) or phone (E.164).

    Contact details that cannot be normalised yet (half typed) match nobody.
    """
    match = Q()
    try:
        email = normalize_email(email)
    except LoupeError:
        email = ""
    phone = phone_key(phone)
    if email:
        match |= Q(email=email) | Q(secondary_email=email)
    if phone:
        match |= Q(phone=phone)
    if not match:
        return Customer.objects.none()
    return (Customer.objects.for_store(store).filter(match).select_related("assigned_to")
            .order_by("last_name", "first_name", "pk"))


# The customer page shows the latest entries of the timeline.
TIMELINE_LENGTH = 50


def customer_list(*, store):
    """The store's customers shaped for a list row (name, contact, associate, last visit)."""
    return (Customer.objects.for_store(store).select_related("assigned_to")
            .order_by("last_name", "first_name", "pk"))


def _falls_between(first: datetime.date, last: datetime.date) -> Q:
    """Occasions that fall between the two dates (both included)."""
    match = Q()
    for month, day, _date in occasion_dates.window(first=first, last=last):
        match |= Q(month=month, day=day)
    return match


def _on_the_profile(customer: str) -> Q:
    """Consent rows (in a subquery of customers) for an address the profile has now."""
    return (Q(channel=Channel.EMAIL, address=OuterRef(f"{customer}email"))
            | Q(channel=Channel.EMAIL, address=OuterRef(f"{customer}secondary_email"))
            | Q(channel__in=[Channel.SMS, Channel.PHONE], address=OuterRef(f"{customer}phone")))


def consent_granted_now(customer: str = ""):
    """Customers whose latest word on occasion reminders, for some address they have now,
    is yes. In a queryset of rows that point to a customer (walk-ins), `customer="customer__"`
    reads the customer already joined instead of looking them up again."""
    later = Consent.objects.filter(customer=OuterRef("customer"), address=OuterRef("address"),
                                   channel=OuterRef("channel"), purpose=OuterRef("purpose"))
    later = later.filter(Q(created_at__gt=OuterRef("created_at"))
                         | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk")))
    return Exists(Consent.objects.filter(customer=OuterRef(f"{customer}pk"), granted=True,
                                         purpose=Purpose.OCCASION_REMINDERS)
                  .filter(_on_the_profile(customer)).exclude(address="")
                  .filter(~Exists(later)))


def customers_here(*, store, now=None):
    """HERE: visited today (the store's today)."""
    tz = store.tz
    today = store.today(now)
    start = datetime.datetime.combine(today, datetime.time.min, tzinfo=tz)
    return customer_list(store=store).filter(last_visit_at__gte=start,
                                             last_visit_at__lt=start + datetime.timedelta(days=1))


def customers_visited(*, store):
    """Customers of `store` who have been in at least once: who FOLLOW-UP is drawn from."""
    return customer_list(store=store).filter(last_visit_at__isnull=False)


def occasion_due(*, store, lead_days: int, now=None, associate=None) -> Q:
    """Customers (of the query) with an occasion coming up: today or within the store's
    reminder lead, `lead_days`; with `associate`, that associate's customers only.

    An associate's are read from their occasions of the window by index on PostgreSQL (each
    occasion carries its customer's store and associate, crm migration 0033), rather than by
    looking up the occasions of every customer the query reads."""
    today = store.today(now)
    last = today + datetime.timedelta(days=lead_days)
    if associate is None or connection.vendor != "postgresql":
        mine = Q() if associate is None else Q(assigned_to=associate)
        return mine & Q(Exists(Occasion.objects.filter(_falls_between(today, last),
                                                       customer=OuterRef("pk"))))
    keys, _dates = occasion_dates.keyed(occasion_dates.window(first=today, last=last))
    return booked_for(store_id=store.pk, associate_id=associate.pk, keys=keys)


def booked_for(*, store_id: int, associate_id: int, keys: list[int]) -> Q:
    """The associate's customers with an occasion stored on one of `keys` (month * 100 + day),
    read from the occasions by index (PostgreSQL); `keys` is one array parameter whatever
    its length, so the query's text is the same every day."""
    booked = (Occasion.objects
              .alias(book_store=_KeptOnTheRow("customer_store_id", BigIntegerField()),
                     book_associate=_KeptOnTheRow("customer_assigned_to_id", BigIntegerField()),
                     day_key=F("month") * 100 + F("day"))
              .filter(AnyOf(F("day_key"), Value(list(keys), ArrayField(IntegerField()))),
                      book_store=store_id, book_associate=associate_id))
    return Q(assigned_to=associate_id, pk__in=booked.values("customer_id"))


def customers_follow_up(*, store, lead_days: int, now=None):
    """FOLLOW-UP: visited, and asked to be reminded or have an occasion coming up."""
    return customers_visited(store=store).filter(
        asked_for_reminders() | occasion_due(store=store, lead_days=lead_days, now=now))


def asked_for_reminders():
    """consent_granted_now() for the customers of the query itself: on PostgreSQL the answer
    the triggers keep on the row (crm migration 0028, never stale), elsewhere the ledger."""
    if connection.vendor != "postgresql":
        return consent_granted_now()
    return _KeptOnTheRow("occasion_reminders_now")


class _KeptOnTheRow(Expression):
    """A column the triggers keep and the model does not declare (so no `save()` writes an
    old value back), read from the query's own row (a customer's, an occasion's)."""

    def __init__(self, column: str, output_field=None):
        super().__init__(output_field=output_field or BooleanField())
        self.column = column

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{alias}.{connection.ops.quote_name(self.column)}", []


def customers_potential(*, store):
    """POTENTIAL: captured from the website or the drawing, never visited."""
    return customer_list(store=store).filter(source__in=[Source.WEBSITE, Source.DRAWING],
                                             last_visit_at__isnull=True)


def _page_prefetches():
    timeline = Interaction.objects.select_related("staff").order_by("-occurred_at", "-id")
    return ["preferences", "occasions", "wish_items__photos", "purchases__associate",
            "purchases__photos",
            Prefetch("consents", queryset=Consent.objects.select_related("recorded_by")
                     .order_by("-created_at", "-id")),
            Prefetch("interactions", queryset=timeline[:TIMELINE_LENGTH],
                     to_attr="recent_interactions")]


@functools.cache
def _page_lists() -> dict[str, Packed]:
    """The same lists as `_page_prefetches`, in the same order, as columns of one query
    (built once: their querysets are only compiled into that query, never run)."""
    mine = OuterRef("pk")
    return {
        "preferences": Packed(Preference._default_manager.filter(customers=mine)),
        "occasions": Packed(Occasion._default_manager.filter(customer=mine)),
        "wish_items": Packed(WishItem._default_manager.filter(customer=mine), photos=Packed(
            PiecePhoto._default_manager.filter(wish_item=mine))),
        "purchases": Packed(Purchase._default_manager.filter(customer=mine), associate=FORWARD,
                            photos=Packed(PiecePhoto._default_manager.filter(purchase=mine))),
        "consents": Packed(Consent._default_manager.filter(customer=mine)
                           .order_by("-created_at", "-id"), recorded_by=FORWARD),
        "recent_interactions": Packed(
            Interaction._default_manager.filter(customer=mine)
            .order_by("-occurred_at", "-id")[:TIMELINE_LENGTH], staff=FORWARD),
    }


# The panels other rooms draw on the customer page (repairs, appointments, follow-ups) and
# crm's own assignments, read in the page's one query: name -> a function returning the
# panel's lists as `Packed` relative to the customer (`OuterRef("pk")`). A room adds its own
# in its AppConfig.ready() (crm imports no room), before any page is read and compiled.
_PANELS: dict[str, Callable[[], dict[str, Packed]]] = {}


def customer_page_panel(name: str, lists: Callable[[], dict[str, Packed]]) -> None:
    """Read the panel `name`'s `lists()` with the customer page's one query (PostgreSQL):
    `panel_read(customer, name)` then returns them for that page's customer."""
    _PANELS[name] = lists


def panel_read(customer: Customer, name: str) -> dict[str, list] | None:
    """The lists of the panel `name` read with `customer`'s page (this request's), or None for
    a customer read any other way: the panel reads its own."""
    return getattr(customer, "page_panels", {}).get(name)


def _assignments_panel() -> dict[str, Packed]:
    history = Assignment._default_manager.filter(customer=OuterRef("pk"))
    return {"assignments": Packed(history.order_by("-started_at", "-id"),
                                  associate=FORWARD, set_by=FORWARD)}


customer_page_panel("assignments", _assignments_panel)


@functools.cache
def _panel_lists() -> dict[str, dict[str, Packed]]:
    return {name: lists() for name, lists in _PANELS.items()}


def _page_read(*, store_id, customer_id):
    lists = _page_lists()
    customer = Packed(Customer.objects.filter(store_id=store_id, pk=customer_id),
                      assigned_to=FORWARD, store=FORWARD)
    panels = {name: JSONObject(**columns(panel)) for name, panel in _panel_lists().items()}
    return customer.queryset.values(page=JSONObject(
        customer=customer.row(), **columns(lists), panels=JSONObject(**panels)))


# The page's one query, compiled once per process (core.packed.Compiled).
_PAGE = Compiled(_page_read)


def _packed_page(store, customer_id) -> Customer:
    """The customer and every list of their page in one query (PostgreSQL)."""
    found = _PAGE.fetch(store_id=store.pk, customer_id=int(customer_id))
    if found is None:
        raise Http404("No customer of this store has this id.")
    page = found["page"]
    customer = Packed(Customer.objects.all(), assigned_to=FORWARD,
                      store=FORWARD).load_one(page["customer"])
    for name, packed in _page_lists().items():
        rows = packed.load(page[name])
        if name == "recent_interactions":
            customer.recent_interactions = rows
        else:
            attach(customer, name, rows)
    customer.page_panels = {
        name: {list_name: packed.load(page["panels"][name][list_name])
               for list_name, packed in panel.items()}
        for name, panel in _panel_lists().items()}
    return customer


def customer_page(*, store, customer_id, packed: bool | None = None) -> Customer:
    """One customer with everything the profile page shows: one query on PostgreSQL
    (`packed`), a query per list elsewhere."""
    if packed is None:
        packed = connection.vendor == "postgresql"
    customer = (_packed_page(store, customer_id) if packed else get_object_or_404(
        Customer.objects.for_store(store).select_related("assigned_to", "store")
        .prefetch_related(*_page_prefetches()), pk=customer_id))
    today = store.today()
    for occasion in customer.occasions.all():
        occasion.next_on = occasion.next_date(today)
    customer.consent_by_address = consent_by_address(customer=customer)
    return customer


def customer_at_the_counter(*, store, customer_id) -> Customer:
    """The counter's narrow view of one customer of `store` (404 otherwise): contact details
    and, per address on the profile, the current repair-notice consent. Nothing else is read
    (no occasions, notes, timeline or purchases)."""
    customer = get_object_or_404(
        Customer.objects.for_store(store).filter(erased_at__isnull=True).prefetch_related(
            Prefetch("consents", queryset=Consent.objects.filter(
                purpose=Purpose.REPAIR_NOTICES).order_by("-created_at", "-id"))),
        pk=customer_id)
    customer.repair_consent = [
        entry for entry in consent_by_address(customer=customer,
                                              purposes={Purpose.REPAIR_NOTICES})
        if entry["on_profile"]]
    return customer


def consent_by_address(*, customer: Customer, purposes=None) -> list[dict]:
    """The profile's addresses, each with its current consent per channel and purpose (all
    purposes, or those in `purposes`), then the addresses the ledger knows that are no longer
    on the profile (marked so).

    Reads `customer.consents.all()`, newest first (prefetched by `customer_page`).
    """
    shown = [(p, label) for p, label in Purpose.choices if purposes is None or p in purposes]
    latest = {}
    for consent in customer.consents.all():
        latest.setdefault((consent.address, consent.channel, consent.purpose), consent)
    on_profile = customer.addresses
    former = sorted({address for address, _, _ in latest} - {*on_profile, ""})
    return [{"address": address, "on_profile": address in on_profile,
             "channels": [{"channel": Channel(channel).label,
                           "purposes": [(label, latest.get((address, channel, purpose)))
                                        for purpose, label in shown]}
                          for channel in address_channels(address)]}
            for address in [*on_profile, *former]]


def customer_history(*, customer: Customer) -> list[dict]:
    """Who changed what: the profile's, its occasions' and its consent rows' history, newest
    first, each with the fields that changed."""
    records = [
        *customer.history.select_related("history_user").order_by("history_date", "history_id"),
        *Occasion.history.filter(customer_id=customer.pk).select_related("history_user")
        .order_by("history_date", "history_id"),
        *Consent.history.filter(customer_id=customer.pk).select_related("history_user")
        .order_by("history_date", "history_id"),
    ]
    previous = {}
    entries = []
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        key = (record.instance_type, record.id)
        before = previous.get(key)
        changes = ([(c.field, c.old, c.new) for c in record.diff_against(before).changes]
                   if before is not None and record.history_type == "~" else [])
        previous[key] = record
        entries.append({"record": record, "what": record.instance_type._meta.verbose_name,
                        "changes": changes})
    return entries[::-1]


def merge_candidates(*, customer: Customer, query: str = "", limit: int = 20) -> list[Customer]:
    """Profiles a manager might merge `customer` into: a search, or its likely duplicates."""
    if search_text(query):
        found = customer_search(store=customer.store, query=query, limit=limit + 1)
    else:
        same_name = Q(first_name__iexact=customer.first_name,
                      last_name__iexact=customer.last_name)
        contacts = customer_duplicates(store=customer.store, email=customer.email,
                                       phone=str(customer.phone or ""))
        found = (customer_list(store=customer.store)
                 .filter(Q(pk__in=contacts.values("pk")) | same_name)[:limit + 1])
    return [c for c in found if c.pk != customer.pk][:limit]


def sign_up_for_link(*, token: str) -> SignUp:
    """The sign-up a confirmation link names, with its store (reading changes nothing).

    A LoupeError for a link we did not sign, one that expired, or one whose sign-up is gone.
    """
    sign_up_id, email = sign_up_named_by(token)
    found = SignUp.objects.select_related("store").filter(pk=sign_up_id, email=email).first()
    if found is None:
        raise LoupeError(INVALID, code="invalid_link")
    return found


def voucher_for_link(*, token: str) -> Voucher:
    """The voucher a voucher link names (a LoupeError for a link we did not sign)."""
    voucher_id, code = voucher_named_by(token)
    found = (Voucher.objects.select_related("program", "store")
             .filter(pk=voucher_id, code=code).first())
    if found is None:
        raise LoupeError(VOUCHER_INVALID, code="invalid_link")
    return found


def voucher_program_current(*, store) -> VoucherProgram | None:
    """The voucher the website offers now (None: no offer)."""
    return VoucherProgram.objects.filter(store=store, active=True).first()


def drawing_open(*, store, now=None) -> Drawing | None:
    """The drawing taking entries now, for the public drawing form."""
    return (Drawing.objects.for_store(store).open_at(now or timezone.now())
            .order_by("closes_at").first())


def drawings_of(*, store):
    """The store's drawings, newest month first, each with its entry count and winner."""
    return (Drawing.objects.for_store(store).select_related("winner", "drawn_by")
            .annotate(entries_count=Count("entries")).order_by("-month"))


def drawing_for(*, store, drawing_id) -> Drawing:
    """One drawing of `store` (another store's is a 404), with its winner."""
    return get_object_or_404(
        Drawing.objects.for_store(store).select_related("store", "winner__customer",
                                                        "drawn_by"), pk=drawing_id)


def drawing_public(*, drawing_id) -> Drawing:
    """Any store's drawing, for its public rules page."""
    return get_object_or_404(Drawing.objects.select_related("store"), pk=drawing_id)


def drawing_entrants(*, drawing: Drawing):
    """The printable entrant list: every entry in the order they came in."""
    return DrawingEntry.objects.filter(drawing=drawing).select_related("customer")


# How long after confirming a visit or a purchase still counts as the sign-up bringing them in.
CAME_IN_DAYS = 90


def promotion_results(*, store, since: datetime.datetime) -> list[dict]:
    """Sign-ups since `since`, per month (the store's calendar) and form: how many came,
    confirmed, earned a voucher, redeemed it, entered the drawing, and visited (a walk-in) or
    bought within CAME_IN_DAYS of confirming. One query, whatever the number of sign-ups.
    """
    window = datetime.timedelta(days=CAME_IN_DAYS)
    visited = WalkIn.objects.filter(
        customer=OuterRef("customer"), created_at__gte=OuterRef("confirmed_at"),
        created_at__lte=ExpressionWrapper(OuterRef("confirmed_at") + window,
                                          output_field=DateTimeField()))
    bought = Purchase.objects.filter(
        customer=OuterRef("customer"), purchased_on__gte=OuterRef("confirmed_on"),
        purchased_on__lte=ExpressionWrapper(OuterRef("confirmed_on") + window,
                                            output_field=DateField()))
    rows = (SignUp.objects.filter(store=store, created_at__gte=since)
            .annotate(month=TruncMonth("created_at", tzinfo=store.tz),
                      confirmed_on=TruncDate("confirmed_at", tzinfo=store.tz))
            .annotate(came_in=Q(confirmed_at__isnull=False, customer__isnull=False)
                      & (Exists(visited) | Exists(bought)))
            .values("month", "source")
            .annotate(sign_ups=Count("pk"),
                      confirmed=Count("pk", filter=Q(confirmed_at__isnull=False)),
                      vouchers=Count("voucher"),
                      redeemed=Count("voucher", filter=Q(voucher__redeemed_at__isnull=False)),
                      entries=Count("drawing_entry"),
                      came_in_count=Count("pk", filter=Q(came_in=True)))
            .order_by("-month", "source"))
    labels = dict(Source.choices)
    return [{**row, "came_in": row.pop("came_in_count"), "source_label": labels[row["source"]],
             "month": row["month"].date() if hasattr(row["month"], "date") else row["month"]}
            for row in rows]


def customers_for_export(*, store):
    """The store's customers with what the export's columns read, in two queries plus one
    for the consent ledger (`current_consents_of_store`), however many customers."""
    return (Customer.objects.for_store(store).select_related("assigned_to")
            .prefetch_related(Prefetch("occasions",
                                       queryset=Occasion.objects.order_by("month", "day", "pk")))
            .order_by("last_name", "first_name", "pk"))


def current_consents_of_store(*, store) -> dict[int, dict[tuple[str, str], list[str]]]:
    """customer id -> (channel, purpose) -> the addresses whose current consent (the
    ledger's latest row per address, channel and purpose) is a grant, in one query."""
    # Newest first within each (customer, address, channel, purpose): the first row of each
    # is the current word (portable: make run's SQLite has no DISTINCT ON).
    rows = (Consent.objects.filter(customer__store=store)
            .order_by("customer_id", "address", "channel", "purpose", "-created_at", "-id")
            .values_list("customer_id", "address", "channel", "purpose", "granted"))
    found: dict[int, dict[tuple[str, str], list[str]]] = {}
    previous = None
    for customer_id, address, channel, purpose, granted in rows.iterator(chunk_size=5000):
        key = (customer_id, address, channel, purpose)
        if key != previous and granted:
            found.setdefault(customer_id, {}).setdefault((channel, purpose), []).append(address)
        previous = key
    return found


def associates_by_name(*, store) -> dict:
    """The store's staff (departed included: old receipts name them) by display name and by
    login, lower-case, as a POS file's associate column may give either.

    StaffMember rows come through the store's relation (crm does not import staff)."""
    found = {}
    for member in store.staff.select_related("user"):
        found.setdefault(member.user.username.lower(), member)
        found.setdefault(member.display_name.strip().lower(), member)
    return found


# The import page lists the store's latest imports; the problems page shows this many a page.
RECENT_IMPORTS = 10


def import_for(*, store, import_id) -> Import:
    """One of the store's imports; another store's is a 404."""
    return get_object_or_404(Import.objects.for_store(store).select_related("by", "store"),
                             pk=import_id)


def imports_of_store(*, store):
    return Import.objects.for_store(store).select_related("by")[:RECENT_IMPORTS]


def import_problems(*, run: Import):
    return ImportProblem.objects.filter(run=run).order_by("line", "pk")


def piece_photo_for(*, store, photo_id) -> PiecePhoto:
    """A photo of a piece of one of the store's customers; another store's is a 404."""
    return get_object_or_404(PiecePhoto.objects.for_store(store), pk=photo_id)


def pieces_of(*, customer: Customer) -> dict:
    """The wish-list items and purchases a photo may show."""
    return {"wish_items": list(customer.wish_items.order_by("-created_at", "-id")),
            "purchases": list(customer.purchases.order_by("-purchased_on", "-id"))}


def purchases_due_aftercare(*, store, bought_from, bought_until, min_amount):
    """The store's purchases bought between the two dates (inclusive) from `min_amount`,
    with their customer and lines, for the aftercare planner."""
    return (Purchase.objects.filter(store=store, purchased_on__gte=bought_from,
                                    purchased_on__lte=bought_until, amount__gte=min_amount)
            .select_related("customer__assigned_to", "associate").prefetch_related("lines")
            .order_by("purchased_on", "pk"))
