"""The planner: set-based SQL that turns occasions into outbox rows and call tasks.

One INSERT ... SELECT per store and kind of work; the database does the join, picks for each
channel the profile's address whose own latest consent covers occasion reminders (an indexed
lookup on consent_latest per address), and skips what already exists (ON CONFLICT DO
NOTHING against the outbox's unique constraints). The address is stored in the message's
`to`, so the sender checks the same address again; a customer who said how they prefer to
hear from us (email, text or both) gets messages on those channels only. Python only builds
the list of calendar days in the window, so memory does not grow with the number of
customers, and two planners running at once cannot plan anything twice.

A row's due time comes from its occasion, never from the moment the planner ran: each
calendar day of the window carries its own due time (`lead_days` before it, at the start of
sending hours on the store's clock), computed in Python so daylight saving is handled the
same way on PostgreSQL and SQLite. Planning ahead (`--date`) therefore plans rows that wait.
"""

import dataclasses
import datetime

from django.db import connection, transaction
from django.utils import timezone

from core.audit import log_action
from crm import occasion_dates
from crm.models import Purpose
from followups import services
from staff.selectors import stores_in_order

# The latest word of the ledger for one address of the profile (NULL: never asked there).
# Portable SQL, so the laptop's SQLite runs it too; on PostgreSQL it uses consent_latest.
_LATEST = """CASE WHEN a.address = '' THEN NULL ELSE
             (SELECT k.{column} FROM crm_consent k
               WHERE k.customer_id = a.customer_id AND k.address = a.address
                 AND k.channel = a.channel AND k.purpose = %(purpose)s
               ORDER BY k.created_at DESC, k.id DESC LIMIT 1) END"""
# Each occasion in the window once per channel, with the address picked for it: the first
# address (email: the main one, then the second; texts and calls: the phone) whose own
# consent is granted; with none granted, the first one on file, to say why it is skipped.
_CANDIDATES = f"""
    WITH target(month, day, occurs_on, due_at, due_on) AS (VALUES {{days}}),
         ch(channel, rank) AS (VALUES ('email', 1), ('email', 2), ('sms', 1), ('phone', 1)),
         -- The window's occasions first, then times the addresses (not every customer times
         -- every channel), so customers are fetched by primary key rather than scanned.
         -- MATERIALIZED needs PostgreSQL 12 or SQLite 3.35.
         occ AS MATERIALIZED (
            SELECT o.id AS occasion_id, o.kind, o.customer_id, t.occurs_on, t.due_at, t.due_on,
                   c.email, c.secondary_email, c.phone, c.assigned_to_id,
                   c.contact_preference
            FROM target t
            JOIN crm_occasion o ON o.month = t.month AND o.day = t.day
            JOIN crm_customer c ON c.id = o.customer_id
            WHERE c.store_id = %(store)s
         ),
         addr AS (
            SELECT o.occasion_id, o.kind, o.customer_id, o.occurs_on, o.due_at, o.due_on,
                   o.assigned_to_id, o.contact_preference, ch.channel, ch.rank,
                   CASE WHEN ch.channel <> 'email' THEN o.phone
                        WHEN ch.rank = 1 THEN o.email ELSE o.secondary_email END AS address,
                   -- A stated preference (email, text, both) narrows the messages; calls
                   -- were asked for on their own.
                   CASE WHEN ch.channel = 'email' THEN o.contact_preference <> 'text'
                        WHEN ch.channel = 'sms' THEN o.contact_preference <> 'email'
                        ELSE 1 = 1 END AS preferred
            FROM occ o CROSS JOIN ch
         ),
         said AS (
            SELECT a.*, {_LATEST.format(column="granted")} AS granted,
                   {_LATEST.format(column="method")} AS method
            FROM addr a
         ),
         ranked AS (
            SELECT said.*, ROW_NUMBER() OVER (
                PARTITION BY said.occasion_id, said.channel
                ORDER BY CASE WHEN said.granted THEN 0 WHEN said.address <> '' THEN 1 ELSE 2 END,
                         said.rank) AS pick
            FROM said
         )
    SELECT r.occasion_id, r.kind, r.customer_id, r.occurs_on, r.due_at, r.due_on, r.channel,
           r.address, r.assigned_to_id, s.departed_on, r.granted, r.method, r.preferred,
           r.contact_preference
    FROM ranked r
    LEFT JOIN staff_staffmember s ON s.id = r.assigned_to_id
    WHERE r.pick = 1
"""  # noqa: S608 - constant fragments; every value is a parameter

_INSERT_MESSAGES = f"""
    INSERT INTO followups_message
        (store_id, customer_id, channel, purpose, kind, occasion_id, occurs_on, status, due_at,
         reason, "to", subject, body, words, provider_id, attempts, created_at, updated_at)
    SELECT %(store)s, cand.customer_id, cand.channel, %(purpose)s, cand.kind, cand.occasion_id,
           cand.occurs_on, 'planned', cand.due_at, '', cand.address, '', '', '', '', 0,
           %(now)s, %(now)s
    FROM ({_CANDIDATES}) cand
    WHERE cand.granted AND cand.preferred AND cand.channel IN ('email', 'sms')
    ON CONFLICT DO NOTHING
"""  # noqa: S608 - constant fragments; every value is a parameter

# Phone consent (for the number on the profile) is a call for the associate; an orphan's
# call goes to the managers (NULL). No number on the profile, no call: nothing to dial.
_INSERT_CALLS = f"""
    INSERT INTO followups_calltask
        (store_id, customer_id, kind, note, occasion_id, occurs_on, assignee_id, due_on,
         outcome, attempts, created_at)
    SELECT %(store)s, cand.customer_id, 'call', '', cand.occasion_id, cand.occurs_on,
           CASE WHEN cand.departed_on IS NULL THEN cand.assigned_to_id END,
           cand.due_on, '', 0, %(now)s
    FROM ({_CANDIDATES}) cand
    WHERE cand.granted AND cand.channel = 'phone' AND cand.address <> ''
    ON CONFLICT DO NOTHING
"""  # noqa: S608 - constant fragments; every value is a parameter

# For --dry-run: how many would be planned, and who is skipped and why. "No consent" covers
# a consent given only for an address the profile no longer has.
_OUTCOMES = f"""
    SELECT cand.channel,
           CASE WHEN NOT cand.preferred THEN 'skipped: prefers ' || cand.contact_preference
                WHEN cand.granted THEN
                    CASE WHEN cand.channel = 'phone' THEN 'call task' ELSE 'message' END
                WHEN cand.address = '' THEN 'skipped: no address'
                WHEN cand.granted IS NULL THEN 'skipped: no consent'
                ELSE 'skipped: revoked (' || cand.method || ')' END AS outcome,
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


@dataclasses.dataclass(frozen=True)
class Chunk:
    """A share of one planning run that one worker plans on its own: a store's days from
    `first` to `last`. Chunks never overlap, and planning one twice (a redelivered task)
    plans nothing more, so any number of workers can take them in any order."""

    store_id: int
    first: datetime.date
    last: datetime.date


# Days of the window per chunk: at 1m customers a day of the flagship is a few thousand
# messages, enough to be worth a task and small enough to share among the workers.
CHUNK_DAYS = 1


def window(*, today: datetime.date, lead_days: int) -> list[occasion_dates.OccasionDay]:
    """(month, day, date) for each day after today up to lead_days ahead, by the one rule
    for when an occasion falls (crm.occasion_dates: Feb 29 on Feb 28 in a common year)."""
    return occasion_dates.window(first=today + datetime.timedelta(days=1),
                                 last=today + datetime.timedelta(days=lead_days))


def plan_followups(*, now: datetime.datetime | None = None, today: datetime.date | None = None,
                   dry_run: bool = False) -> list[PlanResult]:
    """Plan every store's reminders. `today` overrides the store's date (the --date option)."""
    now = now or timezone.now()
    return [plan_store(store=store, now=now, today=today, dry_run=dry_run)
            for store in stores_in_order()]


def plan_chunks(*, now: datetime.datetime) -> list[Chunk]:
    """Every store's window cut into chunks of CHUNK_DAYS days, for workers to share."""
    chunks = []
    for store in stores_in_order():
        settings = services.messaging_settings_for(store=store)
        days = sorted({date for _, _, date in window(today=store.today(now),
                                                     lead_days=settings.lead_days)})
        chunks += [Chunk(store_id=store.pk, first=part[0], last=part[-1])
                   for part in (days[n:n + CHUNK_DAYS] for n in range(0, len(days), CHUNK_DAYS))]
    return chunks


@transaction.atomic
def plan_chunk(*, chunk: Chunk, now: datetime.datetime) -> PlanResult:
    """Plan one chunk (a worker's share of the run; see Chunk). The messages wait for the
    dispatcher's next round (each minute)."""
    store = stores_in_order().get(pk=chunk.store_id)
    settings = services.messaging_settings_for(store=store)
    days = occasion_dates.window(first=chunk.first, last=chunk.last)
    return _plan_days(store=store, settings=settings, days=days, now=now,
                      today=chunk.first - datetime.timedelta(days=1))


@transaction.atomic
def plan_store(*, store, now: datetime.datetime, today: datetime.date | None = None,
               dry_run: bool = False) -> PlanResult:
    settings = services.messaging_settings_for(store=store)
    today = today or store.today(now)
    days = window(today=today, lead_days=settings.lead_days)
    result = _plan_days(store=store, settings=settings, days=days, now=now, today=today,
                        dry_run=dry_run)
    if result.messages:
        transaction.on_commit(lambda: _dispatch_now())
    return result


def _plan_days(*, store, settings, days, now, today, dry_run: bool = False) -> PlanResult:
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
    if not days:
        return result
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
        log_action(by=None, action="followups.planned", store=store, at=now,
                   data={"messages": result.messages, "calls": result.calls,
                         "today": today.isoformat()})
    return result


def _dispatch_now() -> None:
    from followups.sender import messages_dispatch_due

    messages_dispatch_due()
