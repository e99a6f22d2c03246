"""After the sale: the thank-you call and the care messages planned from what a customer
bought.

The thank-you call (default three days after any purchase) is a task for the associate who
sold the piece (the customer's associate when that one has left, the managers for an orphan),
planned here for every purchase however it came in (typed on the customer's page, imported
by either import engine, logged with a walk-in): the planner reads purchases, not how they
were made. `task_once_per_purchase` keeps it to one call per purchase.

A beat task (and `manage.py plan_aftercare`) walks each store's aftercare steps: purchases
whose step falls due in the last CATCH_UP_DAYS (a day the planner did not run is caught up)
get one outbox row per channel where the customer's own address has consent for news. A
customer gets at most one aftercare message every six months; the unique constraint
`message_once_per_purchase_step_channel` makes a second plan of the same step impossible.
The sender then checks consent, quiet hours and the fatigue cap again like any marketing
message (an aftercare message is a touch).
"""

import dataclasses
import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.audit import log_action
from core.errors import LoupeError
from crm.models import Channel, Purpose
from crm.selectors import consent_current, purchases_due_aftercare
from followups import services
from followups.models import (
    AFTERCARE_KINDS,
    PICKUP_REMINDERS,
    THANK_YOU_CALL,
    AftercareStep,
    Message,
    MessageStatus,
    Task,
    TaskKind,
    TemplateKind,
)
from repairs.selectors import envelopes_collected_between, envelopes_ready_between
from staff.selectors import stores_in_order

# Care news asks for the "events and news" consent: it is the store writing unprompted.
PURPOSE = Purpose.EVENTS
ONE_EVERY = datetime.timedelta(days=182)
CATCH_UP_DAYS = 7
# A repaired piece gets its care check this long after it was collected.
REPAIR_CARE_DAYS = 182
DEFAULT_STEPS = [(THANK_YOU_CALL, 3, Decimal("0")),
                 (TemplateKind.CARE_CHECK, 182, Decimal("0")),
                 (TemplateKind.ONE_YEAR, 335, Decimal("1000"))]

# What to say about a piece, by the words of its POS category or description: the rule lives
# here, and `context_for` is the one place that reads it.
CARE = [
    (("ring", "band", "solitaire", "engagement"),
     "Rings take knocks every day: a gentle clean brings back the sparkle, and a prong check "
     "keeps the stones safe."),
    (("pearl",), "Pearls are strung on silk that stretches with wear: restringing every year "
     "or two keeps the strand safe."),
    (("watch",), "A mechanical watch likes a service every three to five years, and a fresh "
     "battery and seal check keep a quartz watch water-tight."),
]
GENERAL_CARE = ("Fine jewelry lasts for generations with a little care: a gentle clean and a "
                "check of clasps and settings once or twice a year.")


def care_advice(words: list[str]) -> str:
    """The care that fits what was bought (the first kind of piece it names)."""
    text = " ".join(words).lower()
    for keys, advice in CARE:
        if any(key in text for key in keys):
            return advice
    return GENERAL_CARE


def context_for(message) -> dict[str, str]:
    """The placeholders of an aftercare message ({{ piece }}, {{ care }}): the main line of
    the purchase, or the piece that was repaired."""
    if message.kind not in AFTERCARE_KINDS:
        return {"piece": "", "care": ""}
    if message.purchase_id is not None:
        purchase = message.purchase
        lines = list(purchase.lines.all())
        main = max(lines, key=lambda line: line.amount) if lines else None
        piece = (main.description or main.category) if main else purchase.description
        words = [purchase.description,
                 *(f"{line.category} {line.description}" for line in lines)]
    else:
        envelope = message.envelope
        piece = envelope.item_description
        words = [envelope.get_item_type_display(), envelope.item_description]
    return {"piece": (piece or "piece").strip().lower(), "care": care_advice(words)}


def steps_shown(*, store) -> list[AftercareStep]:
    """The store's steps in order, a step it never saved shown with its defaults (unsaved:
    reading the page writes nothing)."""
    saved = {step.kind: step for step in AftercareStep.objects.filter(store=store)}
    return sorted((saved.get(kind) or AftercareStep(store=store, kind=kind, after_days=days,
                                                    min_amount=amount)
                   for kind, days, amount in DEFAULT_STEPS), key=lambda s: s.after_days)


def steps_for(*, store) -> list[AftercareStep]:
    """The store's active steps (those it never saved run with the defaults)."""
    return [step for step in steps_shown(store=store) if step.active]


@transaction.atomic
def aftercare_steps_save(*, store, values: dict[str, dict], by) -> list[AftercareStep]:
    """Save the store's steps: `values` maps each kind to after_days, min_amount, active."""
    for kind, fields in values.items():
        if kind not in AFTERCARE_KINDS and kind != THANK_YOU_CALL:
            raise LoupeError("Unknown aftercare step.")
        AftercareStep.objects.update_or_create(store=store, kind=kind, defaults=fields)
    log_action(by=by, action="aftercare.steps_saved", store=store,
               data={kind: {k: str(v) for k, v in fields.items()}
                     for kind, fields in values.items()})
    return steps_shown(store=store)


@dataclasses.dataclass
class AftercareResult:
    store: str
    planned: int = 0
    calls: int = 0
    skipped: dict = dataclasses.field(default_factory=dict)


def plan_aftercare(*, now: datetime.datetime | None = None) -> list[AftercareResult]:
    now = now or timezone.now()
    return [plan_store(store=store, now=now) for store in stores_in_order()]


@transaction.atomic
def plan_store(*, store, now: datetime.datetime) -> AftercareResult:
    messaging = services.messaging_settings_for(store=store)
    today = store.today(now)
    due_at = messaging.next_send_time(now)
    result = AftercareResult(store=store.name)
    rows: list[Message] = []

    def add(*, customer, kind, purpose, addresses, **about):
        rows.extend(Message(store=store, customer=customer, channel=channel, purpose=purpose,
                            kind=kind, to=address, due_at=due_at, created_at=now,
                            updated_at=now, **about)
                    for channel, address in addresses)

    for step in steps_for(store=store):
        newest = today - datetime.timedelta(days=step.after_days)
        if step.kind == THANK_YOU_CALL:
            result.calls += _thank_you_calls(store=store, today=today, now=now, result=result,
                                             bought_from=newest - datetime.timedelta(
                                                 days=CATCH_UP_DAYS), bought_until=newest,
                                             min_amount=step.min_amount)
            continue
        for purchase in purchases_due_aftercare(
                store=store, bought_from=newest - datetime.timedelta(days=CATCH_UP_DAYS),
                bought_until=newest, min_amount=step.min_amount):
            if _skipped(result, _care_skip(purchase.customer, now, planned=rows,
                                           same=Q(purchase=purchase, kind=step.kind))):
                continue
            add(customer=purchase.customer, kind=step.kind, purpose=PURPOSE,
                addresses=_addresses(purchase.customer), purchase=purchase)
    for envelope in envelopes_collected_between(store=store, **_days_ago(
            store, today, REPAIR_CARE_DAYS)):
        if _skipped(result, _care_skip(envelope.customer, now, planned=rows,
                                       same=Q(envelope=envelope,
                                              kind=TemplateKind.CARE_CHECK))):
            continue
        add(customer=envelope.customer, kind=TemplateKind.CARE_CHECK, purpose=PURPOSE,
            addresses=_addresses(envelope.customer), envelope=envelope)
    for days, kind in PICKUP_REMINDERS.items():
        for envelope in envelopes_ready_between(store=store, **_days_ago(store, today, days)):
            if Message.objects.filter(envelope=envelope, kind=kind).exists():
                continue
            add(customer=envelope.customer, kind=kind, purpose=Purpose.REPAIR_NOTICES,
                addresses=_repair_addresses(envelope), envelope=envelope)
    # A planner running at the same moment may have planned the same rows: the unique
    # constraints keep one of each.
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    result.planned = len(rows)
    if rows or result.calls:
        log_action(by=None, action="aftercare.planned", store=store, at=now,
                   data={"messages": len(rows), "calls": result.calls,
                         "skipped": result.skipped})
    return result


BRIDAL_WORDS = ("engagement", "bridal", "wedding")


def _thank_you_calls(*, store, today, now, result, **window) -> int:
    """A thank-you call due today for each purchase of the window that has none yet, for
    whoever sold it (their own customer's associate if they left; nobody, so the managers,
    for an orphan). A customer with no number on file cannot be called: skipped and counted.
    A bridal piece asks for the wedding date (it becomes their anniversary)."""
    purchases = list(purchases_due_aftercare(store=store, **window))
    called = set(Task.objects.filter(purchase__in=purchases).values_list("purchase_id",
                                                                         flat=True))
    tasks = []
    for purchase in purchases:
        if purchase.pk in called:
            continue
        if _skipped(result, "" if purchase.customer.phone else "no number for a thank-you call"):
            continue
        words = " ".join([purchase.description,
                          *(f"{line.category} {line.description}"
                            for line in purchase.lines.all())]).lower()
        ask = (": ask their wedding date" if any(w in words for w in BRIDAL_WORDS) else "")
        tasks.append(Task(store=store, customer=purchase.customer, kind=TaskKind.CALL,
                          purchase=purchase, due_on=today, created_at=now,
                          assignee=_seller(purchase),
                          reason=f"Thank-you call for the purchase of "
                                 f"{purchase.purchased_on:%b} {purchase.purchased_on.day}"
                                 f"{ask}"[:120]))
    # The planner running twice at once: the unique constraint keeps one call per purchase.
    return len(Task.objects.bulk_create(tasks, ignore_conflicts=True))


def _seller(purchase):
    """Who makes the thank-you call: the associate on the receipt while they work here, else
    the customer's associate, else nobody (the managers' list)."""
    for associate in (purchase.associate, purchase.customer.assigned_to):
        if associate is not None and associate.is_active:
            return associate
    return None


def _days_ago(store, today, days) -> dict:
    """The moments of the CATCH_UP_DAYS + 1 store days ending `days` before today."""
    last = today - datetime.timedelta(days=days)
    first = last - datetime.timedelta(days=CATCH_UP_DAYS)
    midnight = datetime.time()
    start = datetime.datetime.combine(first, midnight, tzinfo=store.tz)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), midnight, tzinfo=store.tz)
    return {"since": start, "until": end}


def _skipped(result: AftercareResult, reason: str) -> bool:
    if reason:
        result.skipped[reason] = result.skipped.get(reason, 0) + 1
    return bool(reason)


def _care_skip(customer, now, *, planned: list[Message], same: Q) -> str:
    """Why a care message is not planned for this customer now ("" if it is)."""
    if not _addresses(customer):
        return "no consent for news"
    if any(m.customer_id == customer.pk and m.kind in AFTERCARE_KINDS for m in planned):
        return "another aftercare message this run"
    recent = Message.objects.filter(customer=customer, kind__in=AFTERCARE_KINDS).filter(
        same | (~Q(status=MessageStatus.SUPPRESSED) & Q(created_at__gte=now - ONE_EVERY)))
    if recent.exists():
        return "had one in the last six months"
    return ""


def _repair_addresses(envelope) -> list[tuple[str, str]]:
    """The envelope's email and number (the profile's number when none was typed), each with
    its own consent to repair notices, as the ready notice picks them."""
    customer, found = envelope.customer, []
    if consent_current(customer=customer, channel=Channel.EMAIL, address=envelope.email,
                       purpose=Purpose.REPAIR_NOTICES):
        found.append((Channel.EMAIL, envelope.email))
    phone = str(envelope.phone or customer.phone or "")
    if phone and consent_current(customer=customer, channel=Channel.SMS, address=phone,
                                 purpose=Purpose.REPAIR_NOTICES):
        found.append((Channel.SMS, phone))
    return found


def _addresses(customer) -> list[tuple[str, str]]:
    """(channel, address) for each channel where an address on the profile has consent
    for news (email: the main address, else the second)."""
    found = []
    for email in (customer.email, customer.secondary_email):
        if email and consent_current(customer=customer, channel=Channel.EMAIL, address=email,
                                     purpose=PURPOSE):
            found.append((Channel.EMAIL, email))
            break
    phone = str(customer.phone or "")
    if phone and consent_current(customer=customer, channel=Channel.SMS, address=phone,
                                 purpose=PURPOSE):
        found.append((Channel.SMS, phone))
    return found
