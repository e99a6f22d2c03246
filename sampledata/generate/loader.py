"""The people of a generated chain: staff, customers and everything around them."""

import dataclasses
import datetime
import random
import uuid
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection

from crm.models import (
    Assignment,
    AssignmentReason,
    Channel,
    Consent,
    ConsentMethod,
    Customer,
    Interaction,
    InteractionKind,
    Occasion,
    OccasionKind,
    Preference,
    Purchase,
    Purpose,
    Source,
    WalkIn,
    WishItem,
)
from crm.services import preference_list_start
from followups.models import Message, MessageStatus, TemplateKind
from repairs.models import Envelope, EnvelopeCounter, Status, StatusChange
from sampledata.generate import words
from sampledata.generate.bulk import BulkMode, Copy, Ids, Sender
from staff.models import StaffMember, Store
from staff.roles import Role

BENCH_PASSWORD = "loupe-bench"  # noqa: S105 - the published password of generated staff
FLAGSHIP = "Gem & Loupe Flagship"
STORES = [(FLAGSHIP, "flagship", "America/New_York", 0.8),
          ("Gem & Loupe Riverside", "riverside", "America/Chicago", 0.2)]
# One active associate per this many customers: a book of about 2,000 clients each.
CUSTOMERS_PER_ASSOCIATE = 2500
DEPARTED_SHARE = 0.2
YEARS_OF_HISTORY = 6
# Issue #14's size: at 1M customers, 5M interactions and 500k purchases. Purchases come from
# the customers' own loop (3 in 10 bought, 1.67 purchases each); the timeline rows it writes
# (about 2.9 a customer) are topped up to this many by one INSERT ... SELECT in PostgreSQL.
INTERACTIONS_PER_CUSTOMER = 5
BUYERS_SHARE = 0.3
SOURCES = [Source.WALK_IN, Source.WEBSITE, Source.DRAWING, Source.REPAIR, Source.IMPORT,
           Source.REFERRAL]
SOURCE_WEIGHTS = [55, 15, 12, 12, 4, 2]
CONSENT_METHOD = {Source.WALK_IN: ConsentMethod.TABLET, Source.WEBSITE: ConsentMethod.WEB_FORM,
                  Source.DRAWING: ConsentMethod.WEB_FORM, Source.REPAIR: ConsentMethod.ENVELOPE,
                  Source.IMPORT: ConsentMethod.IMPORT, Source.REFERRAL: ConsentMethod.STAFF}
# (channel, purpose, share asked and said yes, share asked and said no, share later revoked)
CONSENT_SHARES = [
    (Channel.EMAIL, Purpose.OCCASION_REMINDERS, 0.55, 0.10, 0.06),
    (Channel.SMS, Purpose.OCCASION_REMINDERS, 0.30, 0.05, 0.08),
    (Channel.PHONE, Purpose.OCCASION_REMINDERS, 0.20, 0.05, 0.02),
    (Channel.EMAIL, Purpose.EVENTS, 0.35, 0.10, 0.08),
]
REVOKED_BY = {Channel.EMAIL: ConsentMethod.UNSUBSCRIBE, Channel.SMS: ConsentMethod.STOP,
              Channel.PHONE: ConsentMethod.STAFF}
WORDS = "Shall we remind you two weeks before by {}? We will contact you only about this."
# The calendar's days, Feb 29 included, so occasions fall as birthdays do.
DAYS = [(d.month, d.day) for d in (datetime.date(2024, 1, 1) + datetime.timedelta(n)
                                   for n in range(366))]


# The tables loaded with COPY.
LOADED = [Customer, Customer.preferences.through, Occasion, Consent, Interaction, Purchase,
          WishItem, WalkIn, Assignment, Envelope, StatusChange, Message]

# The outbox's columns the generator writes (the rest get the model's default); a test keeps
# this in step with `followups.Message`.
MESSAGE_COLUMNS = [
    "store_id", "customer_id", "channel", "purpose", "kind", "occasion_id", "occurs_on",
    "envelope_id", "status", "due_at", "to", "subject", "body", "provider_id", "attempts",
    "sent_at", "created_at", "updated_at"]


_TOP_UP = """
    INSERT INTO crm_interaction (customer_id, kind, summary, staff_id, occurred_at)
    SELECT c.id, k.kind, k.summary, c.assigned_to_id,
           c.created_at + (COALESCE(c.last_visit_at, c.created_at) - c.created_at)
                          * ((g.n::bigint * 40503 %% 1000) / 1000.0)
    FROM generate_series(1, %(rows)s) AS g(n)
    JOIN crm_customer c
      ON c.id = %(first)s + (g.n::bigint * 2654435761 %% %(customers)s)
    JOIN (VALUES (0, 'visit', 'Looked at the cases'), (1, 'visit', 'Looked at rings'),
                 (2, 'note', 'Asked about resizing'), (3, 'call', 'Called about a piece'),
                 (4, 'message', 'Newsletter emailed')) AS k(n, kind, summary)
      ON k.n = g.n %% 5
"""


@dataclasses.dataclass
class StoreCast:
    store: Store
    sellers: list[StaffMember]
    departed: list[StaffMember]
    clerks: list[StaffMember]
    next_envelope: int = 1


class Loader:
    def __init__(self, *, rng: random.Random, now: datetime.datetime, customers: int):
        self.rng, self.now, self.total = rng, now, customers
        self.cursor = connection.cursor()
        self.first_day = now - datetime.timedelta(days=365 * YEARS_OF_HISTORY)
        self.span = int((now - self.first_day).total_seconds())
        self.preferences: dict[int, list[int]] = {}  # each store's list, by store id
        # One hash for every generated login: hashing is deliberately slow.
        self.password = make_password(BENCH_PASSWORD)
        self.casts = [self._store_cast(*spec, customers) for spec in STORES]
        self.weights = [spec[3] for spec in STORES]
        self.customer_ids = Ids(self.cursor, Customer, customers)
        self.first_customer = self.customer_ids.next
        self.occasion_ids = Ids(self.cursor, Occasion, customers * 3)
        self.envelope_ids = Ids(self.cursor, Envelope, customers)
        self.bulk = BulkMode(self.cursor, LOADED)
        self.sender = c = Sender(self.cursor.cursor)
        self.t = {
            "customer": Copy(c, Customer, [
                "id", "store_id", "first_name", "last_name", "email", "secondary_email", "phone",
                "address_line", "city", "region", "postal_code", "partner_name", "source",
                "assigned_to_id", "notes", "created_at", "updated_at", "last_visit_at",
                "lifetime_value", "first_purchase_on", "last_purchase_on"]),
            "preference": Copy(c, Customer.preferences.through, ["customer_id", "preference_id"]),
            "occasion": Copy(c, Occasion, ["id", "customer_id", "kind", "label", "month", "day",
                                            "year"]),
            "consent": Copy(c, Consent, ["customer_id", "channel", "address", "purpose",
                                          "granted", "method", "words", "occasion_id",
                                          "recorded_by_id", "note", "created_at"]),
            "interaction": Copy(c, Interaction, ["customer_id", "kind", "summary", "staff_id",
                                                  "occurred_at"]),
            "purchase": Copy(c, Purchase, ["store_id", "customer_id", "purchased_on", "amount",
                                            "description", "associate_id", "pos_reference",
                                            "created_at"]),
            "wish_item": Copy(c, WishItem, ["customer_id", "description", "price", "notes",
                                             "added_by_id", "created_at"]),
            "walk_in": Copy(c, WalkIn, ["key", "customer_id", "logged_by_id", "bought",
                                         "why_not", "looked_at", "created_at"]),
            "assignment": Copy(c, Assignment, ["customer_id", "associate_id", "started_at",
                                                "ended_at", "set_by_id", "reason", "note"]),
            "envelope": Copy(c, Envelope, [
                "id", "store_id", "customer_id", "number", "email", "phone", "item_type",
                "item_description", "metal", "stones", "condition", "work_requested", "estimate",
                "deposit", "promised_on", "taken_in_by_id", "taken_in_at", "status", "ready_at",
                "closed_at"]),
            "status_change": Copy(c, StatusChange, ["envelope_id", "from_status", "to_status",
                                                     "changed_by_id", "changed_at", "note"]),
            "message": Copy(c, Message, MESSAGE_COLUMNS),
        }

    # Staff -----------------------------------------------------------------------------------
    def _store_cast(self, name, slug, tz, share, customers) -> StoreCast:
        store = Store.objects.create(name=name, timezone=tz, address=f"1 Main Street, {name}",
                                     phone="+12175550100", email=f"hello@{slug}.example")
        preference_list_start(store=store)
        self.preferences[store.pk] = list(
            Preference.objects.for_store(store).values_list("pk", flat=True))
        sellers = max(4, round(customers * share / CUSTOMERS_PER_ASSOCIATE))
        clerks = max(2, round(customers * share / 20_000))
        cast = StoreCast(store=store, sellers=[], departed=[], clerks=[])
        cast.sellers = [self._member(store, slug, Role.SALESPERSON, n) for n in range(1, sellers)]
        cast.sellers.append(self._member(store, slug, Role.MANAGER, 1))
        cast.departed = [self._member(store, slug, Role.SALESPERSON, sellers + n, departed=True)
                         for n in range(max(1, round(sellers * DEPARTED_SHARE)))]
        cast.clerks = [self._member(store, slug, Role.SERVICE, n) for n in range(1, clerks + 1)]
        return cast

    def _member(self, store, slug, role, n, *, departed=False) -> StaffMember:
        first, last = self._name()
        user = get_user_model().objects.create(
            username=f"{slug}-{role}-{n:02d}", password=self.password, first_name=first,
            last_name=last, is_active=not departed)
        user.groups.add(Group.objects.get(name=role))
        departed_on = (self.now - datetime.timedelta(days=self.rng.randint(10, 400))).date() \
            if departed else None
        member = StaffMember.objects.create(user=user, store=store, role=role,
                                            display_name=f"{first} {last}",
                                            departed_on=departed_on)
        member.strengths.set(self.rng.sample(self.preferences[store.pk], 2))
        return member

    # Customers -------------------------------------------------------------------------------
    def load(self) -> None:
        try:
            for _ in range(self.total):
                self._customer(self.rng.choices(self.casts, self.weights)[0])
            for table in self.t.values():
                table.flush()
        finally:
            self.sender.finish()
        self.topped_up = self._top_up_timelines()
        self.bulk.finish()
        for model in (Customer, Occasion, Envelope):
            table = model._meta.db_table
            self.cursor.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608
                                f"(SELECT MAX(id) FROM {table}))", [table])
        for cast in self.casts:
            EnvelopeCounter.objects.update_or_create(
                store=cast.store, defaults={"last_number": cast.next_envelope - 1})

    def counts(self) -> dict:
        counts = {name: table.written for name, table in self.t.items()}
        counts["interaction"] += self.topped_up
        return counts

    def _top_up_timelines(self) -> int:
        """Older visits, calls, notes and messages, set-based (a Python row each would double
        the generation time): row g goes to a customer picked by a multiplicative hash of g,
        at a moment between their profile's creation and their last contact, with the
        associate who looks after them. Reproducible: nothing random outside SQL arithmetic."""
        missing = INTERACTIONS_PER_CUSTOMER * self.total - self.t["interaction"].written
        if missing <= 0:
            return 0
        self.cursor.execute(_TOP_UP, {"rows": missing, "customers": self.total,
                                      "first": self.first_customer})
        return self.cursor.rowcount

    def _name(self) -> tuple[str, str]:
        rng = self.rng
        first = rng.choices(words.FIRST, words.FIRST_WEIGHTS)[0]
        if rng.random() < words.TAIL_SHARE:
            return first, rng.choice(words.TAIL_LAST)
        return first, rng.choices(words.COMMON_LAST, words.COMMON_LAST_WEIGHTS)[0]

    def _moment(self, after: datetime.datetime) -> datetime.datetime:
        """A moment between `after` and now, recent ones likelier (people come back)."""
        seconds = int((self.now - after).total_seconds())
        return after + datetime.timedelta(seconds=int(seconds * self.rng.random() ** 0.5))

    def _customer(self, cast: StoreCast) -> None:
        rng = self.rng
        pk = self.customer_ids.take()
        first, last = self._name()
        source = rng.choices(SOURCES, SOURCE_WEIGHTS)[0]
        created = self.first_day + datetime.timedelta(seconds=rng.randrange(self.span))
        has_email = source != Source.WALK_IN or rng.random() < 0.75
        email = f"{first}.{last}.{pk}@mail.example".lower() if has_email else ""
        phone = (f"+1{rng.choice(words.AREA_CODES)}{rng.randint(200, 999)}"
                 f"{rng.randint(0, 9999):04d}") if rng.random() < 0.65 else ""
        visited = source not in (Source.WEBSITE, Source.DRAWING) or rng.random() < 0.3
        last_visit = self._moment(created) if visited else None
        owner = self._owner(cast)
        purchases = (self._purchases(pk, cast.store.pk, created, owner)
                     if rng.random() < BUYERS_SHARE else [])
        city, region, zip3 = rng.choice(words.CITIES)
        address = rng.random() < 0.4
        self.t["customer"].add(
            pk, cast.store.pk, first, last, email,
            f"{first}.{pk}@work.example".lower() if has_email and rng.random() < 0.02 else "",
            phone, f"{rng.randint(1, 9999)} {rng.choice(words.STREETS)}" if address else "",
            city if address else "", region if address else "",
            f"{zip3}{rng.randint(0, 99):02d}" if address else "",
            rng.choices(words.FIRST, words.FIRST_WEIGHTS)[0] if rng.random() < 0.35 else "",
            source, owner.pk if owner else None,
            rng.choice(words.NOTES) if rng.random() < 0.1 else "",
            created, last_visit or created, last_visit,
            sum((amount for _, amount in purchases), Decimal(0)),
            min((day for day, _ in purchases), default=None),
            max((day for day, _ in purchases), default=None))
        if rng.random() < 0.5:
            for preference in rng.sample(self.preferences[cast.store.pk], rng.randint(1, 2)):
                self.t["preference"].add(pk, preference)
        occasions = self._occasions(pk)
        consents = self._consents(pk, source, created, owner, occasions[0][0], email, phone)
        self._timeline(pk, cast, source, created, last_visit, owner, purchases)
        if owner is not None:
            reason = (AssignmentReason.IMPORT if source == Source.IMPORT
                      else AssignmentReason.WALK_IN)
            self.t["assignment"].add(pk, owner.pk, created, None, None, reason, "")
        self._messages(pk, cast, consents, occasions, email)
        if email and (source == Source.REPAIR or rng.random() < 0.06):
            self._envelope(pk, cast, created if source == Source.REPAIR else self._moment(created),
                           email, phone, consents)

    def _owner(self, cast: StoreCast) -> StaffMember | None:
        roll = self.rng.random()
        if roll < 0.04:
            return None
        if roll < 0.04 + 0.8 * DEPARTED_SHARE:
            return self.rng.choice(cast.departed)
        return self.rng.choice(cast.sellers)

    def _occasions(self, pk: int) -> list[tuple[int, int, int, str]]:
        rng = self.rng
        kinds = [OccasionKind.BIRTHDAY, rng.choice([OccasionKind.ANNIVERSARY,
                                                    OccasionKind.PARTNER_BIRTHDAY])]
        if rng.random() < 0.5:
            kinds.append(OccasionKind.OTHER if rng.random() < 0.3 else
                         ({OccasionKind.ANNIVERSARY, OccasionKind.PARTNER_BIRTHDAY}
                          - set(kinds)).pop())
        occasions = []
        for kind in kinds:
            month, day = rng.choice(DAYS)
            year = rng.randint(1945, 2006) if rng.random() < 0.5 else None
            label = "Graduation" if kind == OccasionKind.OTHER else ""
            occasion = self.occasion_ids.take()
            self.t["occasion"].add(occasion, pk, kind, label, month, day, year)
            occasions.append((occasion, month, day, kind))
        return occasions

    def _consents(self, pk, source, created, owner, occasion, email, phone) -> set:
        """Rows of the ledger; returns the (channel, purpose) pairs granted now."""
        rng, granted = self.rng, set()
        method = CONSENT_METHOD[source]
        staff = owner.pk if owner and method in (ConsentMethod.TABLET, ConsentMethod.STAFF) \
            else None
        for channel, purpose, yes, no, revoked in CONSENT_SHARES:
            address = email if channel == Channel.EMAIL else phone
            if not address:
                continue
            roll = rng.random()
            if roll >= yes + no:
                continue
            said = roll < yes
            at = self._moment(created)
            about = occasion if purpose == Purpose.OCCASION_REMINDERS else None
            self.t["consent"].add(pk, channel, address, purpose, said, method,
                                  WORDS.format(channel.label.lower()), about, staff, "", at)
            if said and rng.random() < revoked:
                self.t["consent"].add(pk, channel, address, purpose, False,
                                      REVOKED_BY[channel], "", about, None, "",
                                      self._moment(at))
            elif said:
                granted.add((channel, purpose))
        if source == Source.REPAIR:
            self.t["consent"].add(pk, Channel.EMAIL, email, Purpose.REPAIR_NOTICES, True,
                                  ConsentMethod.ENVELOPE, "We will email you about this repair.",
                                  None, None, "", created)
            granted.add((Channel.EMAIL, Purpose.REPAIR_NOTICES))
        return granted

    def _purchases(self, pk, store_id, created, owner) -> list[tuple[datetime.date, Decimal]]:
        rng, bought = self.rng, []
        for _ in range(1 + int(rng.random() ** 3 * 4)):
            day = self._moment(created).date()
            amount = Decimal(f"{min(60_000.0, 80 + rng.lognormvariate(7, 1)):.2f}")
            self.t["purchase"].add(store_id, pk, day, amount, rng.choice(words.PIECES),
                                   owner.pk if owner else None, f"POS-{pk}-{len(bought) + 1}",
                                   self.now)
            bought.append((day, amount))
        return bought

    def _timeline(self, pk, cast, source, created, last_visit, owner, purchases) -> None:
        rng, add = self.rng, self.t["interaction"].add
        staff = owner.pk if owner else None
        if last_visit is not None:
            for _ in range(rng.randint(0, 2)):
                add(pk, InteractionKind.VISIT, f"Looked at {rng.choice(words.PIECES)}", staff,
                    self._moment(created))
            add(pk, InteractionKind.VISIT, f"Looked at {rng.choice(words.PIECES)}", staff,
                last_visit)
        for day, amount in purchases:
            add(pk, InteractionKind.PURCHASE, f"Bought for ${amount}", staff,
                datetime.datetime.combine(day, datetime.time(15), tzinfo=cast.store.tz))
        if rng.random() < 0.15:
            add(pk, InteractionKind.CALL, rng.choice(words.CALLS), staff, self._moment(created))
        if rng.random() < 0.1:
            add(pk, InteractionKind.NOTE, rng.choice(words.NOTES), staff, self._moment(created))
        if source == Source.WALK_IN and last_visit is not None:
            bought = bool(purchases)
            self.t["walk_in"].add(uuid.UUID(int=rng.getrandbits(128)), pk, staff, bought,
                                  "" if bought else rng.choice(words.WHY_NOT),
                                  rng.choice(words.PIECES), created)
        if rng.random() < 0.2:
            self.t["wish_item"].add(pk, rng.choice(words.PIECES),
                                    Decimal(rng.randrange(200, 20_000)), "", staff, created)

    def _messages(self, pk, cast, consents, occasions, email) -> None:
        """The reminder that went out last year, for about half of those who said yes."""
        if (Channel.EMAIL, Purpose.OCCASION_REMINDERS) not in consents or self.rng.random() > 0.5:
            return
        occasion, month, day, kind = occasions[0]
        year = self.now.year - 1
        occurs = Occasion(month=month, day=day).on_year(year)
        sent = datetime.datetime.combine(occurs - datetime.timedelta(days=14), datetime.time(14),
                                         tzinfo=datetime.UTC)
        template = TemplateKind(kind) if kind in TemplateKind.values else TemplateKind.OTHER
        self.t["message"].add(cast.store.pk, pk, Channel.EMAIL, Purpose.OCCASION_REMINDERS,
                              template, occasion, occurs, None, MessageStatus.DELIVERED, sent,
                              email, f"{template.label} coming up", "A reminder from the store.",
                              f"gen-{pk}-{occasion}", 1, sent, sent, sent)
        self.t["interaction"].add(pk, InteractionKind.MESSAGE, f"{template.label} reminder "
                                  "emailed", None, sent)

    def _envelope(self, pk, cast, taken_at, email, phone, consents) -> None:
        rng = self.rng
        envelope = self.envelope_ids.take()
        item_type, work, description = rng.choice(words.REPAIR_WORK)
        clerk = rng.choice(cast.clerks).pk
        age = self.now - taken_at
        steps = [Status.RECEIVED, Status.AT_BENCH, Status.READY, Status.PICKED_UP]
        if age < datetime.timedelta(days=21):
            steps = steps[:1 + min(2, age.days // 5)]
        elif rng.random() < 0.07:
            steps = [Status.RECEIVED, Status.CANCELLED]
        times = [taken_at + datetime.timedelta(days=n * 3) for n in range(len(steps))]
        ready = times[2] if len(steps) > 2 else None
        closed = times[-1] if steps[-1] in (Status.PICKED_UP, Status.CANCELLED) else None
        number = cast.next_envelope
        cast.next_envelope += 1
        self.t["envelope"].add(
            envelope, cast.store.pk, pk, number, email, phone, item_type, description,
            "14k gold", "", "Light wear", work, Decimal(rng.randrange(20, 400)), Decimal(0),
            (taken_at + datetime.timedelta(days=10)).date(), clerk, taken_at, steps[-1], ready,
            closed)
        previous = ""
        for status, at in zip(steps, times, strict=True):
            self.t["status_change"].add(envelope, previous, status, clerk, at, "")
            previous = status
        self.t["interaction"].add(pk, InteractionKind.REPAIR, f"Repair #{number}: {work}", clerk,
                                  taken_at)
        if ready is not None and (Channel.EMAIL, Purpose.REPAIR_NOTICES) in consents:
            self.t["message"].add(cast.store.pk, pk, Channel.EMAIL, Purpose.REPAIR_NOTICES,
                                  TemplateKind.REPAIR_READY, None, None, envelope,
                                  MessageStatus.DELIVERED, ready, email, "Your repair is ready",
                                  "Your repair is ready for pickup.", f"gen-envelope-{envelope}",
                                  1, ready, ready, ready)
