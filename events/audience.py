"""A campaign's audience in set-based SQL: who matches its filters, and for each customer
whether they are invited or why not (the preview's counts, the expansion's rows).

One query decides every customer of a range of ids. For each channel of the campaign that
the customer's stated preference allows, it takes the latest word of the consent ledger for
"events and news" at each address on the profile (kept on the customer's row by triggers on
PostgreSQL, crm migration 0024; read from the ledger on SQLite); the first address whose own
consent is granted is the one written to. A customer with no such address is left out as
unsubscribed, bounced or without consent, by what the ledger says; one who has one is still
left out when already invited to the event by another campaign, contacted within the
campaign's window, or at the store's fatigue cap (touches counted as the sender counts them:
`followups.Message.touch`).

Expansion (`expand_batch`) runs the decision once per batch of customer ids into
events_audienceentry, then copies the invited ones into the outbox and into invitations:
three INSERT ... SELECT ... ON CONFLICT DO NOTHING, whatever the size of the batch. The
unique constraints make a second expansion (a retried task, a second manager) add nothing.
"""

import dataclasses
import datetime

from django.db import connection, transaction

from crm.models import Purpose
from events.models import Campaign, CustomerKind, Reason
from followups.selectors import not_marketing
from followups.services import FATIGUE_DAYS

# The words kept on the profile (PostgreSQL: crm migration 0024's triggers keep, in the
# statement that changes the ledger or the address, the ledger's latest word about events at
# each address of the profile): one pass over the matched customers, no join, which
# PostgreSQL may split between workers. At the 1M size the ledger read below cost most of
# the preview's 3.3 s.
_KEPT = """SELECT c.id AS customer_id, c.email, c.secondary_email, c.phone,
           CASE WHEN {use_email} AND c.email <> '' THEN NULLIF(c.events_word_email, '') END
             AS e1,
           CASE WHEN {use_email} AND c.secondary_email <> ''
             THEN NULLIF(c.events_word_secondary_email, '') END AS e2,
           CASE WHEN {use_sms} AND c.phone <> '' THEN NULLIF(c.events_word_phone, '') END
             AS p1
    FROM crm_customer c
    WHERE c.store_id = %(store)s AND c.id > %(after)s AND c.id <= %(until)s {{filters}}"""

# The same words read from the ledger (SQLite, which has no statement triggers; and the
# tests, to hold both equal): for each address it holds about "events and news", the latest
# row's 'granted', else how it was taken back ('unsubscribe', 'stop', 'bounce', ...), merged
# with the matched customers (one row per customer and address at most: MAX picks it).
_LEDGER = """SELECT c.id AS customer_id, c.email, c.secondary_email, c.phone,
           {at_email} AS e1, {at_secondary} AS e2, {at_phone} AS p1
    FROM crm_customer c
    LEFT JOIN (
        SELECT latest.customer_id, latest.channel, latest.address, latest.word
        FROM (SELECT k.customer_id, k.channel, k.address,
                     CASE WHEN k.granted THEN 'granted' ELSE k.method END AS word,
                     ROW_NUMBER() OVER (PARTITION BY k.customer_id, k.channel, k.address
                                        ORDER BY k.created_at DESC, k.id DESC) AS newest
              FROM crm_consent k
              WHERE k.purpose = %(purpose)s AND k.customer_id > %(after)s
                AND k.customer_id <= %(until)s) latest
        WHERE latest.newest = 1
    ) w ON w.customer_id = c.id
    WHERE c.store_id = %(store)s AND c.id > %(after)s AND c.id <= %(until)s {{filters}}
    GROUP BY c.id, c.email, c.secondary_email, c.phone"""
_AT = ("MAX(CASE WHEN {use} AND c.{address} <> '' AND w.channel = '{channel}' "
       "AND w.address = c.{address} THEN w.word END)")
# The channels the campaign uses for this customer, by their stated preference.
_USE_EMAIL = "%(use_email)s AND c.contact_preference <> 'text'"
_USE_SMS = "%(use_sms)s AND c.contact_preference <> 'email'"
_WORDED = {
    "kept": _KEPT.format(use_email=_USE_EMAIL, use_sms=_USE_SMS),
    "ledger": _LEDGER.format(
        at_email=_AT.format(use=_USE_EMAIL, address="email", channel="email"),
        at_secondary=_AT.format(use=_USE_EMAIL, address="secondary_email", channel="email"),
        at_phone=_AT.format(use=_USE_SMS, address="phone", channel="sms")),
}

# The customers of this batch whom marketing messages (other than this campaign's own)
# reached, or may have, since `since`: one set, hashed once per query (a lookup per customer
# cost 160,000 index probes at the 1M size). The outbox's partial indexes on sent_at and on
# the rows still sending serve the time bounds.
_REACHED = """SELECT r.customer_id FROM followups_message r
    WHERE r.customer_id > %(after)s AND r.customer_id <= %(until)s
      AND r.purpose NOT IN ({{transactional}}) AND r.kind NOT IN ({{asked_for}})
      AND (r.campaign_id IS NULL OR r.campaign_id <> %(campaign)s)
      AND ((r.status IN ('sent', 'delivered') AND r.sent_at >= {since})
           OR (r.status IN ('sending', 'needs_look') AND r.updated_at >= {since}))"""

_GONE = ("'unsubscribe', 'stop', 'complaint'", "'bounce', 'provider'")

# Each matched customer's words at the addresses the campaign may use, then their first
# reason. The sets (already invited, reached lately, at the cap) are small and hashed once.
AUDIENCE = f"""
    WITH worded AS ({{worded}}),
    picked AS (
        SELECT m.customer_id, m.e1, m.e2, m.p1,
               CASE WHEN m.e1 = 'granted' THEN m.email
                    WHEN m.e2 = 'granted' THEN m.secondary_email END AS email_to,
               CASE WHEN m.p1 = 'granted' THEN m.phone END AS sms_to
        FROM worded m
    )
    SELECT p.customer_id, COALESCE(p.email_to, '') AS email_to,
           COALESCE(p.sms_to, '') AS sms_to,
           CASE
             WHEN p.customer_id IN (SELECT i.customer_id FROM events_invitation i
                          WHERE i.event_id = %(event)s
                            AND (i.campaign_id IS NULL OR i.campaign_id <> %(campaign)s))
               THEN 'already_invited'
             WHEN p.email_to IS NULL AND p.sms_to IS NULL THEN
               CASE WHEN p.e1 IN ({_GONE[0]}) OR p.e2 IN ({_GONE[0]}) OR p.p1 IN ({_GONE[0]})
                      THEN 'unsubscribed'
                    WHEN p.e1 IN ({_GONE[1]}) OR p.e2 IN ({_GONE[1]}) OR p.p1 IN ({_GONE[1]})
                      THEN 'bounced'
                    ELSE 'no_consent' END
             WHEN p.customer_id IN ({_REACHED.format(since="%(recent)s")})
               THEN 'contacted_recently'
             WHEN p.customer_id IN (
                   {_REACHED.format(since="%(fatigue)s")}
                   GROUP BY r.customer_id
                   HAVING COUNT(DISTINCT CASE
                       WHEN r.occasion_id IS NOT NULL
                         THEN 'o' || r.occasion_id || ':' || r.occurs_on
                       WHEN r.campaign_id IS NOT NULL THEN 'c' || r.campaign_id || ':' || r.kind
                       ELSE 'm' || r.id END) >= %(cap)s)
               THEN 'over_cap'
             ELSE 'included'
           END AS reason
    FROM picked p
"""  # noqa: S608 - constant fragments; every value is a parameter

_COUNTS = "SELECT a.reason, COUNT(*) FROM ({audience}) a GROUP BY a.reason"
_NAMES = ("SELECT a.customer_id FROM ({audience}) a WHERE a.reason = %(reason)s "
          "ORDER BY a.customer_id LIMIT %(limit)s")

INSERT_AUDIENCE = """
    INSERT INTO events_audienceentry (campaign_id, customer_id, reason, email_to, sms_to)
    SELECT %(campaign)s, a.customer_id, a.reason, a.email_to, a.sms_to
    FROM ({audience}) a
    WHERE a.customer_id IS NOT NULL
    ON CONFLICT DO NOTHING
"""

# Each invited customer once per channel it has an address for.
INSERT_MESSAGES = """
    INSERT INTO followups_message
        (store_id, customer_id, channel, purpose, kind, campaign_id, status, due_at, reason,
         "to", subject, body, provider_id, attempts, created_at, updated_at)
    SELECT %(store)s, e.customer_id, ch.channel, %(purpose)s, %(kind)s, e.campaign_id,
           'planned', %(due)s, '', CASE WHEN ch.channel = 'email' THEN e.email_to
                                       ELSE e.sms_to END,
           '', '', '', 0, %(now)s, %(now)s
    FROM events_audienceentry e
    CROSS JOIN (SELECT 'email' AS channel UNION ALL SELECT 'sms') ch
    WHERE e.campaign_id = %(campaign)s AND e.customer_id > %(after)s
      AND e.customer_id <= %(until)s AND e.reason = 'included'
      AND ((ch.channel = 'email' AND e.email_to <> '') OR (ch.channel = 'sms' AND e.sms_to <> ''))
    ON CONFLICT DO NOTHING
"""

INSERT_INVITATIONS = """
    INSERT INTO events_invitation
        (event_id, campaign_id, customer_id, answer, guests, waitlisted, created_at)
    SELECT %(event)s, e.campaign_id, e.customer_id, '', 0, %(false)s, %(now)s
    FROM events_audienceentry e
    WHERE e.campaign_id = %(campaign)s AND e.customer_id > %(after)s
      AND e.customer_id <= %(until)s AND e.reason = 'included'
    ON CONFLICT DO NOTHING
"""


@dataclasses.dataclass(frozen=True)
class Preview:
    """How many customers match, and how many of them each reason covers."""

    counts: dict[str, int]

    @property
    def matched(self) -> int:
        return sum(self.counts.values())

    @property
    def invited(self) -> int:
        return self.counts.get(Reason.INCLUDED, 0)

    @property
    def excluded(self) -> int:
        return self.matched - self.invited

    def rows(self) -> list[tuple[str, str, int]]:
        """(reason, label, count) for each reason a customer is left out, in a fixed order."""
        return [(reason.value, reason.label, self.counts.get(reason.value, 0))
                for reason in Reason if reason != Reason.INCLUDED]


def _filters(campaign: Campaign, now: datetime.datetime) -> tuple[str, dict]:
    """The campaign's filters as SQL on crm_customer c (constant fragments, values as
    parameters)."""
    parts, params = [], {}
    if campaign.customer_kind == CustomerKind.CLIENTS:
        parts.append("c.first_purchase_on IS NOT NULL")
    elif campaign.customer_kind == CustomerKind.PROSPECTS:
        parts.append("c.first_purchase_on IS NULL")
    if campaign.match_categories:
        parts.append("""EXISTS (SELECT 1 FROM crm_customer_preferences cp
                                JOIN events_event_categories ec
                                  ON ec.preference_id = cp.preference_id
                                WHERE cp.customer_id = c.id AND ec.event_id = %(event)s)""")
    if campaign.active_within_days:
        params["active_since"] = now - datetime.timedelta(days=campaign.active_within_days)
        params["active_since_day"] = params["active_since"].date()
        # The profile's own last purchase day (kept by the purchase services): a lookup in
        # crm_purchase per customer cost 800,000 index probes at the 1M size.
        parts.append("(c.last_visit_at >= %(active_since)s "
                     "OR c.last_purchase_on >= %(active_since_day)s)")
    if campaign.assigned_to_id:
        parts.append("c.assigned_to_id = %(assigned_to)s")
        params["assigned_to"] = campaign.assigned_to_id
    if campaign.source:
        parts.append("c.source = %(source)s")
        params["source"] = campaign.source
    if campaign.occasion_in_event_month:
        parts.append("EXISTS (SELECT 1 FROM crm_occasion o WHERE o.customer_id = c.id "
                     "AND o.month = %(event_month)s)")
        params["event_month"] = campaign.event.local_start().month
    return "".join(f" AND {part}" for part in parts), params


def _sql_and_params(campaign: Campaign, *, now: datetime.datetime, fatigue_cap: int,
                    after: int = 0, until: int | None = None,
                    read_ledger: bool = False) -> tuple[str, dict]:
    filters, params = _filters(campaign, now)
    ops = connection.ops
    purposes, kinds = not_marketing()
    params.update({f"tp{n}": value for n, value in enumerate(purposes)})
    params.update({f"ak{n}": value for n, value in enumerate(kinds)})
    params.update({
        "store": campaign.store_id, "event": campaign.event_id, "campaign": campaign.pk or 0,
        "purpose": Purpose.EVENTS.value,
        "use_email": "email" in campaign.channel_list, "use_sms": "sms" in campaign.channel_list,
        "after": after, "until": until if until is not None else 2 ** 62,
        "recent": now - datetime.timedelta(days=campaign.contact_window_days),
        "fatigue": now - datetime.timedelta(days=FATIGUE_DAYS), "cap": fatigue_cap,
    })
    for name in ("recent", "fatigue", "active_since"):
        if name in params:
            params[name] = ops.adapt_datetimefield_value(params[name])
    if "active_since_day" in params:
        params["active_since_day"] = ops.adapt_datefield_value(params["active_since_day"])
    worded = _WORDED["ledger" if read_ledger or connection.vendor != "postgresql" else "kept"]
    sql = (AUDIENCE.replace("{worded}", worded).replace("{filters}", filters)
           .replace("{transactional}", ", ".join(f"%(tp{n})s" for n in range(len(purposes))))
           .replace("{asked_for}", ", ".join(f"%(ak{n})s" for n in range(len(kinds)))))
    return sql, params


def _without_jit(cursor) -> None:
    """PostgreSQL's JIT spends seconds compiling this many-branched plan for a query that
    runs in a fraction of that (measured at the 100k size: 2.4 s of 3.1 s); off for this
    transaction only. And room to sort and hash a store's audience in memory (the default
    4 MB spilled the ledger's sort to disk at the 1M size)."""
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'")


@transaction.atomic
def preview(campaign: Campaign, *, now: datetime.datetime, fatigue_cap: int,
            read_ledger: bool = False) -> Preview:
    """Counts by reason for every customer of the store matching the filters (one query).
    `read_ledger`: the words from the ledger rather than the profile (equal; for tests)."""
    audience, params = _sql_and_params(campaign, now=now, fatigue_cap=fatigue_cap,
                                       read_ledger=read_ledger)
    with connection.cursor() as cursor:
        _without_jit(cursor)
        cursor.execute(_COUNTS.format(audience=audience), params)
        return Preview(counts=dict(cursor.fetchall()))


@transaction.atomic
def customer_ids(campaign: Campaign, *, reason: str, now: datetime.datetime,
                 fatigue_cap: int, limit: int, read_ledger: bool = False) -> list[int]:
    audience, params = _sql_and_params(campaign, now=now, fatigue_cap=fatigue_cap,
                                       read_ledger=read_ledger)
    params.update({"reason": reason, "limit": limit})
    with connection.cursor() as cursor:
        _without_jit(cursor)
        cursor.execute(_NAMES.format(audience=audience), params)
        return [row[0] for row in cursor.fetchall()]


def expand_batch(campaign: Campaign, *, after: int, until: int, now: datetime.datetime,
                 due_at: datetime.datetime, fatigue_cap: int, kind: str) -> int:
    """Decide customers after..until (ids) and plan the invited ones' messages and
    invitations (inside the caller's transaction). Returns the messages added."""
    audience, params = _sql_and_params(campaign, now=now, fatigue_cap=fatigue_cap,
                                       after=after, until=until)
    ops = connection.ops
    params.update({"due": ops.adapt_datetimefield_value(due_at),
                   "now": ops.adapt_datetimefield_value(now), "kind": kind, "false": False})
    with connection.cursor() as cursor:
        _without_jit(cursor)
        cursor.execute(INSERT_AUDIENCE.format(audience=audience), params)
        cursor.execute(INSERT_MESSAGES, params)
        added = cursor.rowcount
        cursor.execute(INSERT_INVITATIONS, params)
    return added
