"""The store's health, each figure aggregated in SQL and scoped to the store.

Every function here costs a fixed number of queries however many customers the store has
(the tests assert it). The rules the figures share live here once:

- a customer's *last contact* is the latest of their profile's creation, their last visit,
  their last purchase (its day's midnight on the store's clock) and their last reply;
- a customer has *lapsed* when their last contact is before the store's lapse cutoff: the
  store's midnight `Store.lapsed_after_months` months before today;
- the *top 30 %* are the first 30 % (rounded up) of the store's buyers by lifetime value.
"""

import calendar
import datetime
import math
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    DateField,
    DateTimeField,
    Exists,
    Expression,
    ExpressionWrapper,
    F,
    Func,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, ExtractYear, Greatest, TruncDate, TruncMonth

from appointments import selectors as appointments_selectors
from core.models import AuditEntry
from core.packed import FORWARD, Compiled, Packed
from crm import selectors as crm_selectors
from crm.models import (
    Assignment,
    Customer,
    Interaction,
    InteractionKind,
    Occasion,
    Purchase,
    Source,
    WalkIn,
)
from crm.selectors import consent_granted_now
from followups import selectors as followups_selectors
from followups.models import CallOutcome, MessageStatus
from insights.models import (
    CapturedOnDay,
    ContactsOnDay,
    Goal,
    LastContact,
    OrphansAtMonthEnd,
    RollUpMark,
)
from repairs import selectors as repairs_selectors
from staff import selectors as staff_selectors

TOP_SHARE = Decimal("0.3")
CHART_MONTHS = 12
# A visit, purchase or reply this long after a reminder counts as the reminder's doing.
FUNNEL_DAYS = 30
SENT = (MessageStatus.SENT, MessageStatus.DELIVERED)


# ---- dates ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    """Days on the store's calendar, both ends included."""

    start: datetime.date
    end: datetime.date

    def moments(self, tz) -> tuple[datetime.datetime, datetime.datetime]:
        """[start, end) as moments: the store's midnight on the first day and after the last."""
        return (_midnight(self.start, tz),
                _midnight(self.end + datetime.timedelta(days=1), tz))

    @classmethod
    def month_to_date(cls, today: datetime.date) -> "Period":
        return cls(today.replace(day=1), today)

    @classmethod
    def year_to_date(cls, today: datetime.date) -> "Period":
        return cls(datetime.date(today.year, 1, 1), today)


def _midnight(day: datetime.date, tz) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)


def month_shift(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (earlier when negative), the month's last day if shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return datetime.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def chart_months(today: datetime.date) -> list[datetime.date]:
    """The first day of each of the last CHART_MONTHS months, this one last."""
    first = today.replace(day=1)
    return [month_shift(first, n) for n in range(1 - CHART_MONTHS, 1)]


def month_end(month: datetime.date, tz) -> datetime.datetime:
    """The moment a month (given by its first day) ends: the next month's first midnight."""
    return _midnight(month_shift(month, 1), tz)


def lapse_cutoff(store, today: datetime.date) -> datetime.datetime:
    """Contact before this moment is too long ago: the customer has lapsed."""
    return _midnight(month_shift(today, -store.lapsed_after_months), store.tz)


# ---- last contact and lapsed ---------------------------------------------------------------

class _LocalMidnight(Func):
    """A date's midnight on a named clock, as a moment (PostgreSQL's timezone(zone, ts))."""

    template = "timezone(%(expressions)s::timestamp)"
    output_field = DateTimeField()


def last_contact(store):
    """The moment of a customer's last contact (see the module's docstring)."""
    purchased = (Purchase.objects.filter(customer=OuterRef("pk")).order_by()
                 .values("customer").annotate(last=Max("purchased_on")).values("last"))
    replied = (Interaction.objects.filter(customer=OuterRef("pk"), kind=InteractionKind.REPLY)
               .order_by().values("customer").annotate(last=Max("occurred_at"))
               .values("last"))
    # PostgreSQL's GREATEST skips nulls; created_at never is.
    return Greatest("created_at", "last_visit_at",
                    _LocalMidnight(Value(store.timezone), Subquery(purchased)),
                    Subquery(replied), output_field=DateTimeField())


def lapsed_q(store, today: datetime.date) -> Q:
    """Customers who have lapsed by `today`, read from the last-contact roll-up; a visit since
    its last refresh counts at once (purchases and replies within the hour)."""
    cutoff = lapse_cutoff(store, today)
    return (Q(contact_rollup__at__lt=cutoff)
            & (Q(last_visit_at__isnull=True) | Q(last_visit_at__lt=cutoff)))


def _lapsed_contacts(store, today: datetime.date):
    """The roll-up rows of the store's lapsed customers, as of its last refresh (the counts
    read the index alone; the list, `lapsed_q`, also drops anyone who visited since)."""
    return LastContact.objects.filter(store=store, at__lt=lapse_cutoff(store, today))


def rolled_up_through():
    """When the roll-ups were last brought up to date (None: never yet)."""
    mark = RollUpMark.objects.filter(name="last_contact").first()
    return mark.through if mark else None


def _orphaned_q(prefix: str = "") -> Q:
    return (Q(**{f"{prefix}assigned_to__isnull": True})
            | Q(**{f"{prefix}assigned_to__departed_on__isnull": False}))


def lapsed_customers(*, store, today: datetime.date):
    """Lapsed customers, most valuable first, with their associate, last contact and
    occasions (for the next one)."""
    return (Customer.objects.for_store(store).filter(lapsed_q(store, today))
            .select_related("assigned_to")
            .prefetch_related(Prefetch("occasions", queryset=Occasion.objects.order_by()))
            .annotate(last_contact=F("contact_rollup__at"))
            .order_by("-lifetime_value", "pk"))


def add_reach_out_details(*, store, customers, today: datetime.date) -> None:
    """Give each (prefetched) lapsed customer `next_occasion` (date, occasion) or None and
    `reach_out_open` (an open "reach out" call exists): one query for the lot."""
    open_ids = followups_selectors.open_reach_outs(store=store,
                                                   customer_ids=[c.pk for c in customers])
    for customer in customers:
        dated = sorted(((o.next_date(today), o) for o in customer.occasions.all()),
                       key=lambda pair: (pair[0], pair[1].pk))
        customer.next_occasion = dated[0] if dated else None
        customer.reach_out_open = customer.pk in open_ids
        customer.is_orphan = (customer.assigned_to is None
                              or not customer.assigned_to.is_active)


# ---- the customer base ---------------------------------------------------------------------

def _by_month(rows, since: datetime.date, day_field: str, tz=None) -> Case:
    """The month of each row from `since` on; None (one bucket) for the rows before it."""
    month = TruncMonth(day_field, tzinfo=tz, output_field=DateField())
    after = {f"{day_field}__gte": _midnight(since, tz) if tz else since}
    return rows.annotate(month=Case(When(Q(**after), then=month), default=None,
                                    output_field=DateField()))


def _month_counts(rows, key: str = "month") -> dict:
    found: dict = {}
    for row in rows:
        # Inside a CASE, PostgreSQL's date_trunc answers with a timestamp: its date is meant.
        month = row[key].date() if isinstance(row[key], datetime.datetime) else row[key]
        k = (month, row.get("source"))
        found[k] = found.get(k, 0) + row["n"]
    return found


def _captured(store, months, through) -> dict:
    """(month, source) -> profiles created; (None, source) for the months before the chart.
    Days before the last refresh's from the daily roll-up, the rest counted live."""
    tz, since = store.tz, months[0]
    live = Customer.objects.for_store(store)
    counted = {}
    if through is not None:
        tail = store.today(through)
        kept = _by_month(CapturedOnDay.objects.filter(store=store, day__lt=tail), since, "day")
        counted = _month_counts(kept.values("month", "source").annotate(n=Sum("customers"))
                                .order_by())
        live = live.filter(created_at__gte=_midnight(tail, tz))
    fresh = _by_month(live, since, "created_at", tz).values("month", "source")
    for key, n in _month_counts(fresh.annotate(n=Count("pk")).order_by()).items():
        counted[key] = counted.get(key, 0) + n
    return counted


def _lapsing(store, today, months) -> dict:
    """month -> customers whose last contact (as of the last refresh) fell in it and who
    have lapsed; None for those before the chart's reach. From the daily roll-up."""
    shift = store.lapsed_after_months
    cutoff_day = month_shift(today, -shift)
    rows = _by_month(ContactsOnDay.objects.filter(store=store, day__lt=cutoff_day),
                     month_shift(months[0], -shift), "day")
    counted = _month_counts(rows.values("month").annotate(n=Sum("customers")).order_by())
    return {(month_shift(m, shift) if m else None): n for (m, _), n in counted.items()}


def customer_base(*, store, today: datetime.date) -> dict:
    """Customers captured per month by source against customers lapsed per month, over the
    last CHART_MONTHS months, with this year's net growth and the store's target, and when
    the roll-ups were last refreshed. Four queries, read from the daily roll-ups
    (`insights.daily`) whatever the store's size."""
    months = chart_months(today)
    through = rolled_up_through()
    new = _captured(store, months, through)
    lapsed = _lapsing(store, today, months)
    totals = {"customers": sum(new.values()), "lapsed": sum(lapsed.values())}
    sources = [s for s in Source.values if any(new.get((m, s)) for m in months)]
    rows = [{"month": m, "by_source": {s: new.get((m, s), 0) for s in sources},
             "new": sum(new.get((m, s), 0) for s in Source.values),
             "lapsed": lapsed.get(m, 0)} for m in months]
    for row in rows:
        row["net"] = row["new"] - row["lapsed"]
    this_year = [r for r in rows if r["month"].year == today.year]
    net = sum(r["net"] for r in this_year)
    target = store.yearly_growth_target
    year_days = 366 if calendar.isleap(today.year) else 365
    due_by_now = round(target * today.timetuple().tm_yday / year_days) if target else 0
    return {"rows": rows, "sources": [(s, Source(s).label) for s in sources],
            "customers": totals["customers"], "lapsed_now": totals["lapsed"],
            "active": totals["customers"] - totals["lapsed"],
            "year": today.year, "new_this_year": sum(r["new"] for r in this_year),
            "lapsed_this_year": sum(r["lapsed"] for r in this_year), "net_this_year": net,
            "target": target, "target_by_now": due_by_now,
            "on_track": net >= due_by_now, "rolled_up_through": through}


def chart_data(base: dict) -> dict:
    """What static/js/insights.js draws, for json_script: plain strings and numbers."""
    return {"months": [f"{r['month']:%b %Y}" for r in base["rows"]],
            "sources": [{"label": label, "values": [r["by_source"][s] for r in base["rows"]]}
                        for s, label in base["sources"]],
            "lapsed": [r["lapsed"] for r in base["rows"]],
            "net": [r["net"] for r in base["rows"]]}


# ---- the top 30 % --------------------------------------------------------------------------

def _orphan_among_many(store) -> Q:
    """An orphan (no associate, or one who has left) for a condition tested on every row of
    a long list: who has left is read once and hashed (a join, or an array searched row by
    row, cost half as much again on the top's 72,000 rows at the 1M size)."""
    departed = staff_selectors.members_of_store(store=store).filter(departed_on__isnull=False)
    return Q(assigned_to__isnull=True) | Q(assigned_to__in=departed.order_by().values("pk"))


def _top_customers(store, buyers: int):
    count = math.ceil(buyers * TOP_SHARE)
    return (Customer.objects.for_store(store).filter(lifetime_value__gt=0)
            .order_by("-lifetime_value", "pk")[:count])


def top_customers(*, store, shown: int = 10) -> dict:
    """The share of all sales that comes from the top 30 % of buyers, how many of them are
    orphans, and the first `shown` of them with their associate. Three queries: the buyers
    and their sales are the totals crm's triggers keep, the top's figures one pass down the
    value index (orphans now, never a kept answer)."""
    buyers, sales = crm_selectors.buyers_of_store(store=store)
    top = _top_customers(store, buyers)
    # Aggregated over the slice itself (a subquery read down the value index).
    theirs = (top.annotate(orphan=Case(When(_orphan_among_many(store), then=1), default=0))
              .aggregate(n=Count("pk"), sales=Sum("lifetime_value"), orphans=Sum("orphan")))
    top_sales = theirs["sales"] or Decimal(0)
    people = list(top.select_related("assigned_to")[:shown]) if buyers else []
    return {"buyers": buyers, "count": theirs["n"], "sales": sales, "top_sales": top_sales,
            "share": (top_sales / sales * 100) if sales else Decimal(0),
            "orphans": theirs["orphans"] or 0, "people": people}


# ---- per associate -------------------------------------------------------------------------

FIGURES = ("walk_ins", "reachable", "consent", "calls_due", "on_time", "reached",
           "voicemails", "appointments", "take_ins", "take_ins_email", "sales", "sales_amount",
           "new_profiles")


def _by(rows, key: str, fields) -> dict:
    return {row[key]: {f: row[f] for f in fields} for row in rows}


class _KeptOnWalkIn(Expression):
    """A column crm migration 0030 keeps on the walk-in's own row by triggers (never stale:
    set in the statement that changes the walk-in or its customer): the customer's store,
    whether they have a phone or an email, and whether they have occasion-reminder consent
    now. The dashboard reads them from one index instead of looking up each customer."""

    def __init__(self, column: str, output_field):
        super().__init__(output_field=output_field)
        self.column = column
        # The walk-in's customer column: resolved, it names the walk-in's alias (relabelled
        # with it when the query becomes a subquery).
        self.walk_in = F("customer_id")

    @property
    def conditional(self):
        return isinstance(self.output_field, BooleanField)

    def get_source_expressions(self):
        return [self.walk_in]

    def set_source_expressions(self, exprs):
        (self.walk_in,) = exprs

    def as_sql(self, compiler, connection):
        return f"{compiler.quote_name_unless_alias(self.walk_in.alias)}.{self.column}", []


def _kept() -> bool:
    """Whether the walk-ins carry their customer's answers (PostgreSQL's triggers); SQLite
    (`make run`) has none and asks the customer and the ledger."""
    return connection.vendor == "postgresql"


def _reachable():
    """Walk-ins whose customer has a phone or an email now."""
    if _kept():
        return _KeptOnWalkIn("customer_reachable_now", BooleanField())
    return ~Q(customer__phone="") | ~Q(customer__email="")


def _consenting():
    """Walk-ins whose customer has occasion-reminder consent now (crm's rule)."""
    if _kept():
        return _KeptOnWalkIn("customer_consents_now", BooleanField())
    return Q(consent_granted_now(customer="customer__"))


def _walk_ins(store, start, end):
    """The period's walk-ins of the store's customers (the store each customer is with now)."""
    rows = WalkIn.objects.filter(created_at__gte=start, created_at__lt=end)
    if _kept():
        return (rows.alias(customer_store=_KeptOnWalkIn("customer_store_id", BigIntegerField()))
                .filter(customer_store=store.pk))
    return rows.filter(customer__store=store)


def _calls_due(store, period: Period, today: datetime.date):
    """Calls due in the period, one due today only once made (it is not late yet)."""
    return followups_selectors.call_tasks_of_store(store=store).filter(
        Q(due_on__lt=today) | Q(done_at__isnull=False),
        due_on__gte=period.start, due_on__lte=min(period.end, today))


def _on_time() -> Q:
    return Q(done_at__isnull=False, done_on__lte=F("due_on"))


def _calls_reached(store, start, end):
    return followups_selectors.call_tasks_of_store(store=store).filter(
        done_at__gte=start, done_at__lt=end)


def _voicemails(store, start, end):
    # The voicemail service writes each try on the timeline under this label.
    return Interaction.objects.filter(customer__store=store, kind=InteractionKind.CALL,
                                      summary__startswith=CallOutcome.VOICEMAIL.label,
                                      occurred_at__gte=start, occurred_at__lt=end)


def _appointments(store, start, end):
    return appointments_selectors.visits_between(store=store, start=start, end=end)


def _take_ins(store, start, end):
    return repairs_selectors.take_ins_of_store(store=store).filter(taken_in_at__gte=start,
                                                                   taken_in_at__lt=end)


def _sales(store, period: Period):
    """The store's sales in the period (made in this store, whoever the customer is with
    now)."""
    return Purchase.objects.filter(store=store, purchased_on__gte=period.start,
                                   purchased_on__lte=period.end)


def _new_profiles(store, start, end):
    return AuditEntry.objects.filter(store=store, action="customer.created",
                                     created_at__gte=start, created_at__lt=end)


def associate_figures(*, store, period: Period, today: datetime.date,
                      associate=None) -> list[dict]:
    """One row per staff member (only `associate`'s when given) for the period: walk-ins
    logged and the share with a phone or email and with consent, calls due and done on time,
    calls reached and voicemails, appointments (visits booked with them that start in the
    period), repair take-ins and those whose email works, sales attributed, new profiles.
    Ten queries, whatever the size of the store."""
    start, end = period.moments(store.tz)
    walk_ins = (_walk_ins(store, start, end).values("logged_by")
                # Counting the (never null) customer column, which the index holds, keeps
                # the walk-ins' own rows unread; COUNT(id) would read each one.
                .annotate(walk_ins=Count("customer"),
                          reachable=Count("customer", filter=_reachable()),
                          consent=Count("customer", filter=_consenting())))
    due = (_calls_due(store, period, today).annotate(done_on=TruncDate("done_at",
                                                                       tzinfo=store.tz))
           .values("assignee").annotate(calls_due=Count("pk"),
                                        on_time=Count("pk", filter=_on_time())))
    reached = (_calls_reached(store, start, end).values("done_by")
               .annotate(reached=Count("pk")))
    voicemails = _voicemails(store, start, end).values("staff").annotate(voicemails=Count("pk"))
    visits = (_appointments(store, start, end).values("associate")
              .annotate(appointments=Count("pk")))
    take_ins = (_take_ins(store, start, end).values("taken_in_by")
                # Counting the (never null) customer, as the walk-ins: the index holds it, so
                # the envelopes' own rows stay unread.
                .annotate(take_ins=Count("customer"),
                          take_ins_email=Count("customer", filter=Q(bounced=False))))
    sales = (_sales(store, period).values("associate")
             .annotate(sales=Count("*"), sales_amount=Sum("amount")))
    profiles = (_new_profiles(store, start, end).values("actor")
                .annotate(new_profiles=Count("pk")))
    counted = [
        _by(walk_ins.order_by(), "logged_by", ["walk_ins", "reachable", "consent"]),
        _by(due.order_by(), "assignee", ["calls_due", "on_time"]),
        _by(reached.order_by(), "done_by", ["reached"]),
        _by(voicemails.order_by(), "staff", ["voicemails"]),
        _by(visits.order_by(), "associate", ["appointments"]),
        _by(take_ins.order_by(), "taken_in_by", ["take_ins", "take_ins_email"]),
        _by(sales.order_by(), "associate", ["sales", "sales_amount"]),
    ]
    by_user = _by(profiles.order_by(), "actor", ["new_profiles"])
    # The rows show names and link ids: their logins are not read (hundreds at a flagship).
    members = staff_selectors.members_of_store(store=store).select_related(None)
    if associate is not None:
        members = members.filter(pk=associate.pk)
    rows = []
    for member in members:
        row = {f: 0 for f in FIGURES} | {"member": member, "sales_amount": Decimal(0)}
        for figures in counted:
            row.update({k: v for k, v in figures.get(member.pk, {}).items() if v is not None})
        row.update(by_user.get(member.user_id, {}))
        row["reachable_pct"] = _pct(row["reachable"], row["walk_ins"])
        row["consent_pct"] = _pct(row["consent"], row["walk_ins"])
        row["on_time_pct"] = _pct(row["on_time"], row["calls_due"])
        row["take_ins_email_pct"] = _pct(row["take_ins_email"], row["take_ins"])
        busy = any(row[f] for f in FIGURES)
        if member.is_active or busy or associate is not None:
            rows.append(row)
    return rows


def _pct(part: int, whole: int) -> int | None:
    """A share in whole percent (None when there is nothing to share)."""
    return round(part * 100 / whole) if whole else None


# ---- the follow-up funnel ------------------------------------------------------------------

def _funnel_messages(store, start, end):
    sent_at = ExpressionWrapper(OuterRef("sent_at"), output_field=DateTimeField())
    until = ExpressionWrapper(OuterRef("sent_at") + datetime.timedelta(days=FUNNEL_DAYS),
                              output_field=DateTimeField())
    window = {"occurred_at__gte": sent_at, "occurred_at__lt": until}
    replied = Interaction.objects.filter(customer=OuterRef("customer"),
                                         kind=InteractionKind.REPLY, **window)
    came = Interaction.objects.filter(customer=OuterRef("customer"),
                                      kind__in=[InteractionKind.VISIT, InteractionKind.PURCHASE],
                                      **window)
    bought = Purchase.objects.filter(
        customer=OuterRef("customer"), purchased_on__gte=TruncDate(sent_at, tzinfo=store.tz),
        purchased_on__lt=TruncDate(until, tzinfo=store.tz))
    messages = (followups_selectors.customer_messages_of_store(store=store)
                .filter(due_at__gte=start, due_at__lt=end))
    # Conditions, not annotations: an aggregate's FILTER cannot name an annotation.
    stages = {
        "planned": Q(),
        "sent": Q(status__in=SENT),
        "delivered": Q(status=MessageStatus.DELIVERED),
        "replied": Q(status__in=SENT) & Q(Exists(replied)),
        "came_back": Q(status__in=SENT) & (Q(Exists(came)) | Q(Exists(bought))),
    }
    return messages, stages


FUNNEL_STAGES = ("planned", "sent", "delivered", "replied", "came_back")
FUNNEL_LABELS = {"planned": "Reminders planned", "sent": "Sent", "delivered": "Delivered",
                 "replied": "Replied", "came_back": f"Visit or purchase within {FUNNEL_DAYS} days"}


def follow_up_funnel(*, store, period: Period) -> list[dict]:
    """Reminders and invitations due in the period, counted per message: planned, sent,
    delivered, replied to, and followed by a visit or purchase within FUNNEL_DAYS days of
    being sent. One query."""
    start, end = period.moments(store.tz)
    messages, stages = _funnel_messages(store, start, end)
    counts = messages.aggregate(
        **{stage: Count("pk", filter=q) for stage, q in stages.items()},
        held_back=Count("pk", filter=Q(status__in=[MessageStatus.SUPPRESSED,
                                                   MessageStatus.FAILED])))
    planned = counts["planned"]
    stages = [{"stage": stage, "figure": f"funnel_{stage}", "label": FUNNEL_LABELS[stage],
               "n": counts[stage],
               "pct": _pct(counts[stage], planned)} for stage in FUNNEL_STAGES]
    return {"stages": stages, "held_back": counts["held_back"]}


# ---- orphans over time ---------------------------------------------------------------------

def orphans_over_time(*, store, today: datetime.date) -> dict:
    """Orphaned clients at the end of each of the last CHART_MONTHS months (kept by the
    roll-up; a month it has not reached yet is counted here) and right now."""
    months = chart_months(today)
    kept = dict(OrphansAtMonthEnd.objects.filter(store=store, month__in=months[:-1])
                .values_list("month", "orphans"))
    missing = [m for m in months[:-1] if m not in kept]
    if missing:
        counted = orphan_counts(store=store, moments=[month_end(m, store.tz) for m in missing])
        kept.update(zip(missing, counted, strict=True))
    kept[months[-1]] = crm_selectors.orphan_count(store=store)
    return {"points": [{"month": m, "n": kept[m]} for m in months], "now": kept[months[-1]]}


def orphan_counts(*, store, moments: list[datetime.datetime]) -> list[int]:
    """Orphaned clients at each moment, from the assignment history: the customers the store
    had then, less those an active associate looked after then. A customer with no history
    at all (loaded before it was kept) counts by their associate today. Three queries, each
    one pass over its table."""
    customers = Customer.objects.for_store(store)
    had = customers.aggregate(**{f"m{n}": Count("pk", filter=Q(created_at__lte=moment))
                                 for n, moment in enumerate(moments)})
    history = Assignment.objects.filter(customer=OuterRef("pk"))
    kept_without_history = (customers.filter(~Exists(history)).exclude(_orphaned_q())
                            .aggregate(**{f"m{n}": Count("pk", filter=Q(created_at__lte=moment))
                                          for n, moment in enumerate(moments)}))
    looked_after = Assignment.objects.filter(customer__store=store).aggregate(
        **{f"m{n}": Count("customer", distinct=True, filter=_looked_after_at(moment))
           for n, moment in enumerate(moments)})
    return [had[f"m{n}"] - kept_without_history[f"m{n}"] - looked_after[f"m{n}"]
            for n in range(len(moments))]


def _looked_after_at(moment: datetime.datetime) -> Q:
    """Assignment rows that had an active associate looking after their customer then."""
    return (Q(started_at__lte=moment, associate__isnull=False, customer__created_at__lte=moment)
            & (Q(ended_at__isnull=True) | Q(ended_at__gt=moment))
            & (Q(associate__departed_on__isnull=True)
               | Q(associate__departed_on__gt=moment.date())))


# ---- the customers behind a figure ---------------------------------------------------------

ASSOCIATE_FIGURES = {
    "walk_ins": "Walk-ins logged",
    "reachable": "Walk-ins with a phone or email",
    "consent": "Walk-ins with consent",
    "calls_due": "Follow-up calls due",
    "on_time": "Follow-up calls done on time",
    "reached": "Calls made",
    "voicemails": "Voicemails left",
    "appointments": "Appointments",
    "take_ins": "Repair take-ins",
    "take_ins_email": "Repair take-ins with a working email",
    "sales": "Sales attributed",
    "new_profiles": "New customer profiles",
}
STORE_FIGURES = {
    "lapsed": "Lapsed customers",
    "top": "Top 30 % of buyers",
    **{f"funnel_{stage}": f"Follow-up funnel: {label}" for stage, label in FUNNEL_LABELS.items()},
}


def customers_behind(*, store, figure: str, period: Period, today: datetime.date,
                     associate=None):
    """The customers a figure counts (each once), most valuable first. `associate` narrows a
    per-associate figure to one staff member. None for an unknown figure."""
    start, end = period.moments(store.tz)
    ids = _figure_ids(store, figure, period, today, start, end, associate)
    if ids is None:
        return None
    return (Customer.objects.for_store(store).filter(pk__in=ids).select_related("assigned_to")
            .order_by("-lifetime_value", "last_name", "first_name", "pk"))


def _figure_ids(store, figure, period, today, start, end, associate):
    mine = associate is not None
    if figure in ("walk_ins", "reachable", "consent"):
        rows = _walk_ins(store, start, end).filter(**({"logged_by": associate} if mine else {}))
        if figure == "reachable":
            rows = rows.filter(_reachable())
        if figure == "consent":
            rows = rows.filter(_consenting())
        return rows.values("customer")
    if figure in ("calls_due", "on_time"):
        rows = _calls_due(store, period, today).filter(**({"assignee": associate} if mine
                                                          else {}))
        if figure == "on_time":
            rows = rows.annotate(done_on=TruncDate("done_at", tzinfo=store.tz)).filter(
                _on_time())
        return rows.values("customer")
    if figure == "reached":
        return (_calls_reached(store, start, end)
                .filter(**({"done_by": associate} if mine else {})).values("customer"))
    if figure == "voicemails":
        return (_voicemails(store, start, end).filter(**({"staff": associate} if mine else {}))
                .values("customer"))
    if figure == "appointments":
        return (_appointments(store, start, end)
                .filter(**({"associate": associate} if mine else {})).values("customer"))
    if figure in ("take_ins", "take_ins_email"):
        rows = _take_ins(store, start, end).filter(**({"taken_in_by": associate} if mine
                                                      else {}))
        if figure == "take_ins_email":
            rows = rows.filter(bounced=False)
        return rows.values("customer")
    if figure == "sales":
        return _sales(store, period).filter(**({"associate": associate} if mine else {})) \
            .values("customer")
    if figure == "new_profiles":
        entries = _new_profiles(store, start, end).filter(
            **({"actor": associate.user_id} if mine else {}))
        return entries.annotate(customer_id=Cast("object_id", BigIntegerField())) \
            .values("customer_id")
    if mine:
        return None
    if figure == "lapsed":
        return _lapsed_contacts(store, today).values("customer")
    if figure == "top":
        buyers, _ = crm_selectors.buyers_of_store(store=store)
        return _top_customers(store, buyers).values("pk")
    if figure.startswith("funnel_") and figure[7:] in FUNNEL_STAGES:
        messages, stages = _funnel_messages(store, start, end)
        return messages.filter(stages[figure[7:]]).values("customer")
    return None


# ---- goals ---------------------------------------------------------------------------------

def goal_progress(*, store, associate, year: int) -> dict:
    """The associate's goal for `year` (None if none is set) and how far they are: sales
    attributed, new profiles created and visits booked with them this year. One query (the
    goal and the three figures as subqueries of one compiled SELECT): the panel sits on floor
    pages that keep to eight."""
    period = Period(datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    start, end = period.moments(store.tz)
    arguments = {"store_id": store.pk, "associate_id": associate.pk,
                 "user_id": associate.user_id, "first_day": period.start,
                 "last_day": period.end, "start": start, "end": end}
    figures = (_PROGRESS.fetch(**arguments) if connection.vendor == "postgresql"
               else _progress_read(**arguments).get())
    goal = _GOAL.load_one(figures["goal"]) if figures["goal"] else None
    sold, profiles, visits = figures["sold"] or Decimal(0), figures["profiles"], figures["visits"]
    return {"goal": goal, "year": year, "sales": sold, "new_profiles": profiles,
            "appointments": visits,
            "appointments_pct": _pct_of(visits, goal.appointments if goal else 0),
            "sales_pct": _pct_of(sold, goal.sales_amount if goal else 0),
            "profiles_pct": _pct_of(profiles, goal.new_profiles if goal else 0)}


def _progress_read(*, store_id, associate_id, user_id, first_day, last_day, start, end):
    """The associate's goal for the year of `first_day` (a JSON row, or None) and the goal
    panel's three figures, one row."""
    period = Period(first_day, last_day)
    stores = Goal._meta.get_field("store").related_model.objects
    goal = Goal.objects.filter(associate=associate_id,
                               year=ExtractYear(Cast(Value(first_day), DateField())))
    return stores.filter(pk=store_id).values(
        goal=Subquery(goal.values(row=_GOAL.row())[:1]),
        sold=_scalar(_sales(store_id, period).filter(associate=associate_id), "SUM", "amount"),
        profiles=_scalar(_new_profiles(store_id, start, end).filter(actor=user_id)),
        visits=_scalar(_appointments(store_id, start, end).filter(associate=associate_id)))


_GOAL = Packed(Goal.objects.all(), set_by=FORWARD)
# The panel's figures are on every My clients page: their SQL is compiled once per process
# (core.packed.Compiled; building three subqueries cost more than running them).
_PROGRESS = Compiled(_progress_read)


def _scalar(queryset, function: str = "COUNT", column: str = "pk"):
    """`queryset`'s COUNT (or SUM of `column`) as a subquery."""
    return Subquery(queryset.order_by().annotate(figure=Func(F(column), function=function))
                    .values("figure")[:1])


def _pct_of(done, target) -> int | None:
    return min(100, round(done * 100 / target)) if target else None


def goals_of_store(*, store, year: int):
    return Goal.objects.filter(store=store, year=year).select_related("associate")
