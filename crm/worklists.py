"""HERE, FOLLOW-UP and POTENTIAL as worklists: the associate's own customers unless they ask
for anyone's, each row saying why it is there and when, what is due first at the top.

The lists' membership rules stay in `crm.selectors` (customers_here, customers_follow_up,
customers_potential); this module orders them and words the reason. Ordering is SQL (it spans
pages); the words are written for the rows of one page, from what each row brings
(prefetched, or on PostgreSQL read in the same query as the page).
"""

import datetime
import functools
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import DateField, F, Func, IntegerField, OuterRef, Prefetch, Subquery
from django.db.models.expressions import Expression
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from core.packed import CompiledSlices, Packed, columns, rows_load
from core.pagination import LISTED
from crm import occasion_dates, selectors
from crm.models import AnyOf, Channel, Consent, Occasion, Purpose, Source, WalkIn


@dataclass(frozen=True)
class Why:
    """Why a customer is on a worklist (`text`) and the day it is about (`on`)."""

    text: str
    on: datetime.date | None = None


def _mine(customers, staff, *, anyone: bool):
    return customers if anyone or staff is None else customers.filter(assigned_to=staff)


def _short(date: datetime.date) -> str:
    return f"{date:%b} {date.day}"


# ---- HERE ----------------------------------------------------------------------------------

def here(*, store, staff, anyone: bool = False, now=None):
    """Visited today, the latest first, with what they looked at on their last walk-in."""
    looked_at = (WalkIn.objects.filter(customer=OuterRef("pk")).order_by("-created_at", "-id")
                 .values("looked_at")[:1])
    return (_mine(selectors.customers_here(store=store, now=now), staff, anyone=anyone)
            .annotate(looked_at_last=Subquery(looked_at))
            .order_by("-last_visit_at", "pk"))


def why_here(customer, *, store) -> Why:
    local = customer.last_visit_at.astimezone(store.tz)
    text = _("Walked in at %(time)s") % {"time": local.strftime("%H:%M")}
    if customer.looked_at_last:
        text += _("; looked at %(piece)s") % {"piece": customer.looked_at_last}
    return Why(text, local.date())


# ---- FOLLOW-UP -----------------------------------------------------------------------------

def follow_up(*, store, staff, lead_days: int, anyone: bool = False, now=None) -> "FollowUp":
    """FOLLOW-UP, what is due first: occasions in the window by date, soonest first; then
    customers who asked to hear from us, the most recent visit first."""
    associate = None if anyone else staff
    return FollowUp(_mine(selectors.customers_visited(store=store), staff, anyone=anyone),
                    store=store, lead_days=lead_days, now=now, associate=associate, whole=True)


class FollowUp:
    """FOLLOW-UP as two parts, each read in an order an index gives and stopped at the page's
    end, so a page costs what it shows rather than what the associate's book holds: the
    customers with an occasion coming up (by its date, then the latest visit), then those who
    asked to hear from us and have none coming (the latest visit first; a partial index,
    crm migration 0033). Membership is `selectors.customers_follow_up`'s rule, in its parts.

    Paged by `OnePassPaginator`: a slice is one query, each row carrying the list's length
    (`listed`, two index counts computed once). An associate's own list, unfiltered (`whole`),
    is read by a compiled query for its first COMPILED_ROWS rows (PostgreSQL): the window's
    days are two array parameters, so the query's text is the same every day, and building it
    in the ORM cost more than running it (11 ms of CPU a page at 1M; its planning 5 ms more).
    """

    def __init__(self, customers, *, store, lead_days: int, now=None, associate=None,
                 whole: bool = False):
        self.customers = customers  # what the list's filters narrow
        self.store, self.lead_days, self.now, self.associate = store, lead_days, now, associate
        self.whole = whole
        today = store.today(now)
        self.keys, self.dates = occasion_dates.keyed(occasion_dates.window(
            first=today, last=today + datetime.timedelta(days=lead_days)))
        self.due = selectors.occasion_due(store=store, lead_days=lead_days, now=now,
                                          associate=associate)
        self.asked = selectors.asked_for_reminders()

    def narrowed(self, customers) -> "FollowUp":
        """The same list drawn from `customers` (a narrower queryset: the filters')."""
        return FollowUp(customers, store=self.store, lead_days=self.lead_days, now=self.now,
                        associate=self.associate)

    def __getitem__(self, page: slice) -> list:
        if connection.vendor != "postgresql":  # SQLite (`make run`): prefetched into lists
            return list(self._shown(page.stop).prefetch_related(
                Prefetch("occasions", to_attr="occasions_on_file"),
                Prefetch("consents", queryset=_ASKED, to_attr="reminder_consents"))[page])
        lists = _row_lists()
        if self.whole and self.associate is not None and _compiled_slice(page):
            return rows_load(_PAGES[page.start or 0, page.stop].instances(
                store_id=self.store.pk, associate_id=self.associate.pk, keys=self.keys,
                dates=self.dates), lists)
        return rows_load(self._shown(page.stop).annotate(**columns(lists))[page], lists)

    def _shown(self, upto: int):
        return _shown(self.customers, due=self.due, asked=self.asked, store=self.store,
                      keys=self.keys, dates=self.dates, upto=upto)

    def count(self) -> int:
        first = self[0:1]
        return getattr(first[0], LISTED) if first else 0

    def __iter__(self):
        return iter(self[0:self.count()])


def _shown(customers, *, due, asked, store, keys, dates, upto: int):
    """The list's first `upto` rows of each part, in the list's order, each with the date its
    occasion falls on and the list's length."""
    falls_on = _falls_on(keys, dates)
    due_first = (customers.filter(due).annotate(occasion_on=falls_on)
                 .order_by("occasion_on", "-last_visit_at", "pk").values("pk")[:upto])
    asked_next = (customers.filter(asked).exclude(due)
                  .order_by("-last_visit_at", "pk").values("pk")[:upto])
    listed = (_how_many(customers.filter(asked))
              + _how_many(customers.filter(due).exclude(asked)))
    return (selectors.customer_list(store=store)
            .filter(AnyOf(F("pk"), ArraySubquery(due_first))
                    | AnyOf(F("pk"), ArraySubquery(asked_next)))
            .annotate(occasion_on=falls_on, **{LISTED: listed})
            .order_by(F("occasion_on").asc(nulls_last=True),
                      F("last_visit_at").desc(nulls_last=True), "pk"))


# The rows of an associate's whole list read by a compiled query: its first five pages of
# fifty (the list's page, crm.views.floor.PAGE_SIZE) and its first row (the count); any other
# slice by the ORM, so the compiled statements stay few.
COMPILED_ROWS = 250
COMPILED_PAGE = 50


def _compiled_slice(page: slice) -> bool:
    start, stop = page.start or 0, page.stop
    return (page.step is None and stop is not None and stop <= COMPILED_ROWS
            and ((start, stop) == (0, 1)
                 or (start % COMPILED_PAGE == 0 and stop - start == COMPILED_PAGE)))


def _associates_rows(start: int, stop: int, *, store_id, associate_id, keys, dates):
    """Rows [start:stop] of an associate's whole list: what `_shown` builds for those
    arguments (the same query the ORM path sends), for a compiled read."""
    customers = selectors.customers_visited(store=store_id).filter(assigned_to=associate_id)
    due = selectors.booked_for(store_id=store_id, associate_id=associate_id, keys=keys)
    return _shown(customers, due=due, asked=selectors.asked_for_reminders(), store=store_id,
                  keys=keys, dates=dates, upto=stop,
                  ).annotate(**columns(_row_lists()))[start:stop]


_PAGES = CompiledSlices(_associates_rows)


def _falls_on(keys: list[int], dates: list[datetime.date]) -> Subquery:
    """The soonest date one of the customer's occasions falls on in the window (NULL:
    none)."""
    return Subquery(Occasion.objects.filter(customer=OuterRef("pk"))
                    .annotate(falls_on=_FallsOn(keys, dates)).filter(falls_on__isnull=False)
                    .order_by("falls_on").values("falls_on")[:1])


class _FallsOn(Expression):
    """The date the query's own occasion row falls on within the window (`keys`, month * 100 +
    day, and the `dates` they fall on), NULL outside it: the one rule for when an occasion
    falls (crm.occasion_dates). On PostgreSQL the window's two arrays, each one parameter;
    elsewhere one SQL CASE over them."""

    output_field = DateField()

    def __init__(self, keys: list[int], dates: list[datetime.date]):
        super().__init__()
        self.keys, self.dates = list(keys), list(dates)

    def as_sql(self, compiler, connection):
        row = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        month, day = (f"{row}.{connection.ops.quote_name(name)}" for name in ("month", "day"))
        dates = [self.output_field.get_db_prep_value(date, connection) for date in self.dates]
        if connection.vendor == "postgresql":
            return (f"(%s::date[])[array_position(%s::integer[], {month} * 100 + {day})]",
                    [dates, self.keys])
        whens = " ".join(["WHEN %s THEN %s"] * len(self.keys))
        params = [value for pair in zip(self.keys, dates, strict=True) for value in pair]
        return f"CASE {month} * 100 + {day} {whens} END", params


_ASKED = Consent.objects.filter(purpose=Purpose.OCCASION_REMINDERS).order_by("-created_at", "-id")


@functools.cache
def _row_lists() -> dict[str, Packed]:
    """What a row's reason is written from, as columns of the page's own query (PostgreSQL):
    the customer's occasions and their answers on reminders, newest first. Two prefetches
    cost more in the ORM than the page's SQL."""
    mine = OuterRef("pk")
    return {"occasions_on_file": Packed(Occasion._default_manager.filter(customer=mine)),
            "reminder_consents": Packed(_ASKED.filter(customer=mine))}


def _how_many(customers):
    """The number of `customers`, as a subquery (uncorrelated: computed once a query)."""
    every = Func(function="COUNT", template="COUNT(*)", output_field=IntegerField())
    return Subquery(customers.order_by().annotate(n=every).values("n")[:1])


_ASKED_FOR = {Channel.PHONE: "asked for a call", Channel.SMS: "asked for reminders by text",
              Channel.EMAIL: "asked for reminders by email"}


def why_follow_up(customer, *, store, today: datetime.date) -> Why:
    if customer.occasion_on is not None:
        occasion = next((o for o in customer.occasions_on_file
                         if o.next_date(today) == customer.occasion_on), None)
        title = occasion.title if occasion else _("An occasion")
        days = (customer.occasion_on - today).days
        when = _("today") if days == 0 else (_("tomorrow") if days == 1 else
                                             _("in %(n)s days") % {"n": days})
        return Why(_("%(title)s on %(date)s (%(when)s)") % {
            "title": title, "date": _short(customer.occasion_on), "when": when},
            customer.occasion_on)
    visited = customer.last_visit_at.astimezone(store.tz).date()
    latest = {}
    for consent in customer.reminder_consents:  # newest first
        latest.setdefault((consent.address, consent.channel), consent)
    granted = [c for c in latest.values() if c.granted and c.address in customer.addresses]
    channels = {c.channel for c in granted}
    asked = next((_ASKED_FOR[ch] for ch in (Channel.PHONE, Channel.SMS, Channel.EMAIL)
                  if ch in channels), "asked to hear from us")
    return Why(_("Visited %(date)s and %(asked)s") % {"date": _short(visited), "asked": _(asked)},
               visited)


# ---- POTENTIAL -----------------------------------------------------------------------------

def potential(*, store, staff, anyone: bool = False):
    """POTENTIAL, the newest sign-up first (a fresh one is the warmest)."""
    return (_mine(selectors.customers_potential(store=store), staff, anyone=anyone)
            .order_by("-created_at", "pk"))


_SIGNED_UP_FOR = {Source.DRAWING: "signed up for the drawing",
                  Source.WEBSITE: "signed up on the website for the voucher"}


def why_potential(customer, *, store, now) -> Why:
    signed = _SIGNED_UP_FOR.get(customer.source, "signed up")
    ago = timesince(customer.created_at, now, depth=1)
    return Why(_("%(signed)s %(ago)s ago and never visited") % {
        "signed": _(signed).capitalize(), "ago": ago},
        customer.created_at.astimezone(store.tz).date())
