"""HERE, FOLLOW-UP and POTENTIAL as worklists: the associate's own customers unless they ask
for anyone's, each row saying why it is there and when, what is due first at the top.

The lists' membership rules stay in `crm.selectors` (customers_here, customers_follow_up,
customers_potential); this module orders them and words the reason. Ordering is SQL (it spans
pages); the words are written for the rows of one page, from prefetched rows.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Case, DateField, F, OuterRef, Prefetch, Subquery, Value, When
from django.utils.timesince import timesince
from django.utils.translation import gettext as _

from crm import occasion_dates, selectors
from crm.models import Channel, Consent, Occasion, Purpose, Source, WalkIn


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

def follow_up(*, store, staff, lead_days: int, anyone: bool = False, now=None):
    """FOLLOW-UP, what is due first: occasions in the window by date, soonest first; then
    customers who asked to hear from us, the most recent visit first."""
    today = store.today(now)
    # The one rule for when an occasion falls (crm.occasion_dates), as SQL: each (month, day)
    # of the window with the date it falls on.
    window = occasion_dates.window(first=today, last=today + datetime.timedelta(days=lead_days))
    falls_on = Case(*[When(month=month, day=day, then=Value(date))
                      for month, day, date in window],
                    default=None, output_field=DateField())
    soonest = (Occasion.objects.filter(customer=OuterRef("pk")).annotate(falls_on=falls_on)
               .filter(falls_on__isnull=False).order_by("falls_on").values("falls_on")[:1])
    asked = (Consent.objects.filter(purpose=Purpose.OCCASION_REMINDERS)
             .order_by("-created_at", "-id"))
    return (_mine(selectors.customers_follow_up(store=store, lead_days=lead_days, now=now),
                  staff, anyone=anyone)
            .annotate(occasion_on=Subquery(soonest))
            # Into lists (to_attr): a prefetch into the related managers clones a queryset
            # per row.
            .prefetch_related(Prefetch("occasions", to_attr="occasions_on_file"),
                              Prefetch("consents", queryset=asked, to_attr="reminder_consents"))
            .order_by(F("occasion_on").asc(nulls_last=True),
                      F("last_visit_at").desc(nulls_last=True), "pk"))


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
