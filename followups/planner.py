"""The planner: set-based SQL that turns occasions into outbox rows and call tasks.

One INSERT ... SELECT per store and kind of work; the database does the join, the latest
consent per customer and channel (an indexed lookup on consent_latest), and skips
what already exists (ON CONFLICT DO NOTHING against the outbox's unique constraints). Python
only builds the list of calendar days in the window, so memory does not grow with the
number of customers, and two planners running at once cannot plan anything twice.

A row's due time comes from its occasion, never from the moment the planner ran: each
calendar day of the window carries its own due time (`lead_days` before it, at the start of
sending hours on the store's clock), computed in Python so daylight saving is handled the
same way on PostgreSQL and SQLite. Planning ahead (`--date`) therefore plans rows that wait.
"""

import calendar
import dataclasses
import datetime

from django.db import connection, transaction
from django.utils import timezone

from core.audit import log_action
from crm.models import Purpose
from followups import services
from staff.models import Store

# Every occasion with its next occurrence in the window, each channel and the customer's
# latest word for occasion reminders on that channel (NULL: never asked). Portable SQL, so
# the laptop's SQLite runs it too; on PostgreSQL the correlated lookups use consent_latest.
_LATEST = """(SELECT k.{column} FROM crm_consent k
               WHERE k.customer_id = o.customer_id AND k.channel = ch.channel
                 AND k.purpose = %(purpose)s
               ORDER BY k.created_at DESC, k.id DESC LIMIT 1)"""
_CANDIDATES = f"""
    WITH target(month, day, occurs_on, due_at, due_on) AS (VALUES {{days}}),
         ch(channel) AS (VALUES ('email'), ('sms'), ('phone')),
         -- The window's occasions first, then times the channels (not every customer times
         -- every channel), so customers are fetched by primary key rather than scanned.
         -- MATERIALIZED needs PostgreSQL 12 or SQLite 3.35.
         occ AS MATERIALIZED (
            SELECT o.id AS occasion_id, o.kind, o.customer_id, t.occurs_on, t.due_at, t.due_on,
                   c.email, c.phone, c.assigned_to_id
            FROM target t
            JOIN crm_occasion o ON o.month = t.month AND o.day = t.day
            JOIN crm_customer c ON c.id = o.customer_id
            WHERE c.store_id = %(store)s
         )
    SELECT o.occasion_id, o.kind, o.customer_id, o.occurs_on, o.due_at, o.due_on, ch.channel,
           o.email, o.phone, o.assigned_to_id, s.departed_on,
           {_LATEST.format(column="granted")} AS granted,
           {_LATEST.format(column="method")} AS method
    FROM occ o
    CROSS JOIN ch
    LEFT JOIN staff_staffmember s ON s.id = o.assigned_to_id
"""  # noqa: S608 - constant fragments; every value is a parameter
_HAS_ADDRESS = "((cand.channel = 'email' AND cand.email <> '') " \
               "OR (cand.channel IN ('sms', 'phone') AND cand.phone <> ''))"

_INSERT_MESSAGES = f"""
    INSERT INTO followups_message
        (store_id, customer_id, channel, purpose, kind, occasion_id, occurs_on, status, due_at,
         reason, "to", subject, body, provider_id, attempts, created_at, updated_at)
    SELECT %(store)s, cand.customer_id, cand.channel, %(purpose)s, cand.kind, cand.occasion_id,
           cand.occurs_on, 'planned', cand.due_at, '', '', '', '', '', 0, %(now)s, %(now)s
    FROM ({_CANDIDATES}) cand
    WHERE cand.granted AND cand.channel IN ('email', 'sms') AND {_HAS_ADDRESS}
    ON CONFLICT DO NOTHING
"""  # noqa: S608 - constant fragments; every value is a parameter

# Phone consent is a call for the associate; an orphan's call goes to the managers (NULL).
# No number on the profile, no call: there is nothing to dial.
_INSERT_CALLS = f"""
    INSERT INTO followups_calltask
        (store_id, customer_id, occasion_id, occurs_on, assignee_id, due_on, outcome, attempts,
         created_at)
    SELECT %(store)s, cand.customer_id, cand.occasion_id, cand.occurs_on,
           CASE WHEN cand.departed_on IS NULL THEN cand.assigned_to_id END,
           cand.due_on, '', 0, %(now)s
    FROM ({_CANDIDATES}) cand
    WHERE cand.granted AND cand.channel = 'phone' AND {_HAS_ADDRESS}
    ON CONFLICT DO NOTHING
"""  # noqa: S608 - constant fragments; every value is a parameter

# For --dry-run: how many would be planned, and who is skipped and why.
_OUTCOMES = f"""
    SELECT cand.channel,
           CASE WHEN cand.granted IS NULL THEN 'skipped: no consent'
                WHEN NOT cand.granted THEN 'skipped: revoked (' || cand.method || ')'
                WHEN NOT {_HAS_ADDRESS} THEN 'skipped: no address'
                WHEN cand.channel = 'phone' THEN 'call task'
                ELSE 'message' END AS outcome,
           count(*)
    FROM ({_CANDIDATES}) cand
    GROUP BY 1, 2 ORDER BY 1, 2
"""  # noqa: S608 - constant fragments; every value is a parameter


@dataclasses.dataclass
class PlanResult:
    store: str
    messages: int = 0
    calls: int = 0
    outcomes: dict = dataclasses.field(default_factory=dict)


def window(*, today: datetime.date, lead_days: int) -> list[tuple[int, int, datetime.date]]:
    """(month, day, date) for each day after today up to lead_days ahead.

    In a year without Feb 29 an occasion on Feb 29 is reminded for Feb 28; the list is built
    from real dates, so a window across New Year's needs nothing special.
    """
    days = []
    for offset in range(1, lead_days + 1):
        date = today + datetime.timedelta(days=offset)
        days.append((date.month, date.day, date))
        if (date.month, date.day) == (2, 28) and not calendar.isleap(date.year):
            days.append((2, 29, date))
    return days


def plan_followups(*, now: datetime.datetime | None = None, today: datetime.date | None = None,
                   dry_run: bool = False) -> list[PlanResult]:
    """Plan every store's reminders. `today` overrides the store's date (the --date option)."""
    now = now or timezone.now()
    return [plan_store(store=store, now=now, today=today, dry_run=dry_run)
            for store in Store.objects.order_by("pk")]


@transaction.atomic
def plan_store(*, store: Store, now: datetime.datetime, today: datetime.date | None = None,
               dry_run: bool = False) -> PlanResult:
    settings = services.messaging_settings_for(store=store)
    today = today or store.today(now)
    days = window(today=today, lead_days=settings.lead_days)
    ops = connection.ops
    params = {"store": store.pk, "purpose": Purpose.OCCASION_REMINDERS.value,
              "now": ops.adapt_datetimefield_value(now)}
    for n, (month, day, date) in enumerate(days):
        params.update({f"m{n}": month, f"d{n}": day, f"o{n}": ops.adapt_datefield_value(date),
                       f"a{n}": ops.adapt_datetimefield_value(settings.reminder_due_at(date)),
                       f"u{n}": ops.adapt_datefield_value(settings.reminder_due_on(date))})
    rows = ", ".join(f"(%(m{n})s, %(d{n})s, %(o{n})s, %(a{n})s, %(u{n})s)"
                     for n in range(len(days)))
    result = PlanResult(store=store.name)
    with connection.cursor() as cursor:
        if dry_run:
            cursor.execute(_OUTCOMES.replace("{days}", rows), params)
            result.outcomes = {f"{channel}: {outcome}": n for channel, outcome, n in cursor}
            return result
        cursor.execute(_INSERT_MESSAGES.replace("{days}", rows), params)
        result.messages = cursor.rowcount
        cursor.execute(_INSERT_CALLS.replace("{days}", rows), params)
        result.calls = cursor.rowcount
    if result.messages or result.calls:
        log_action(actor=None, action="followups.planned", store=store, at=now,
                   data={"messages": result.messages, "calls": result.calls,
                         "today": today.isoformat()})
    if result.messages:
        transaction.on_commit(lambda: _dispatch_now())
    return result


def _dispatch_now() -> None:
    from followups.sender import messages_dispatch_due

    messages_dispatch_due()
