"""Shaped reads for the follow-up screens; every query is scoped to the store."""

import calendar
import datetime
import functools

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Count, F, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.packed import FORWARD, Compiled, Packed
from core.phones import phone_for_people
from crm.models import (
    AnyOf,
    Customer,
    Interaction,
    InteractionKind,
    Occasion,
    SignUp,
    WishItem,
)
from crm.selectors import panel_read
from followups.models import (
    ASKED_FOR_KINDS,
    REACH_OUT,
    TRANSACTIONAL_PURPOSES,
    CallTask,
    Message,
    MessageStatus,
    MessageTemplate,
    Snippet,
    Task,
    TaskKind,
    TemplateKind,
)


def _day_start(store, now) -> datetime.datetime:
    local = timezone.localtime(now, store.tz)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def _mine(staff, prefix: str = "") -> Q:
    """An associate's own clients; a manager also carries the orphaned clients."""
    return _mine_id(staff.pk, manager=staff.is_manager, prefix=prefix)


def _mine_id(staff_id: int, *, manager: bool, prefix: str = "") -> Q:
    q = Q(**{f"{prefix}assigned_to": staff_id})
    if manager:
        q |= Q(**{f"{prefix}assigned_to__isnull": True})
        q |= Q(**{f"{prefix}assigned_to__departed_on__isnull": False})
    return q


def calls_to_make(*, staff, today: datetime.date):
    """Open tasks due by today (replies waiting apart), oldest first, with the customer and
    the occasion: what the calls panel of My clients shows, in one query."""
    return _calls_to_make(store=staff.store_id, staff=staff.pk, today=today,
                          manager=staff.is_manager)


def _calls_to_make(*, store: int, staff: int, today: datetime.date, manager: bool):
    return (Task.objects.filter(store=store).open().of_id(staff, manager=manager)
            .filter(due_on__lte=today).exclude(kind=TaskKind.REPLY)
            .select_related("customer", "occasion").order_by("due_on", "occurs_on", "id"))


def calls_due_panel(*, staff, now) -> dict:
    """My clients' calls panel: `calls_to_make` today and `replies_today`, as lists. On
    PostgreSQL both are compiled reads (core.packed.Compiled): building the two queries
    in the ORM cost more than running them, on every view of the associate's home page."""
    today = staff.store.today(now)
    if connection.vendor != "postgresql":
        return {"calls": list(calls_to_make(staff=staff, today=today)),
                "replies": list(replies_today(staff=staff, now=now))}
    ids = {"store": staff.store_id, "staff": staff.pk}
    return {"calls": _CALLS[staff.is_manager].instances(**ids, today=today),
            "replies": _REPLIES[staff.is_manager].instances(
                **ids, since=_day_start(staff.store, now))}


def tasks_due(*, staff, today: datetime.date):
    """`calls_to_make` with what Today's list shows too: who the task is for and the
    customer's wish list (three queries however many)."""
    return (calls_to_make(staff=staff, today=today).select_related("assignee")
            .prefetch_related(Prefetch("customer__wish_items",
                                       queryset=WishItem.objects.order_by("-created_at"))))


def replies_waiting(*, staff):
    """Customers' texts waiting for an answer, the longest waiting first."""
    return (Task.objects.for_store(staff.store).open().of(staff).filter(kind=TaskKind.REPLY)
            .select_related("customer").order_by("created_at", "id"))


def occasions_today(*, staff, today: datetime.date):
    """The staff member's clients whose occasion falls today (Feb 29 on Feb 28 in other
    years), for a word of congratulation."""
    days = Q(month=today.month, day=today.day)
    if (today.month, today.day) == (2, 28) and not calendar.isleap(today.year):
        days |= Q(month=2, day=29)
    return (Occasion.objects.filter(days, customer__store=staff.store)
            .filter(_mine(staff, "customer__")).select_related("customer")
            .order_by("customer__last_name", "customer__first_name", "id"))


def open_tasks_of(*, customer):
    return (Task.objects.open().filter(customer=customer).select_related("assignee")
            .order_by("due_on", "id"))


def task_for(*, staff, task_id: int) -> Task:
    """A task the staff member may work: their own, or any in the store for a manager."""
    tasks = Task.objects.for_store(staff.store).select_related("customer", "occasion",
                                                                "store", "assignee")
    if not staff.is_manager:
        tasks = tasks.filter(assignee=staff)
    return get_object_or_404(tasks, pk=task_id)


def call_for(*, staff, calltask_id: int) -> Task:
    return task_for(staff=staff, task_id=calltask_id)


def customer_thread(*, customer) -> list:
    """One conversation per customer, oldest first: every text and email we sent or plan to
    (with its status), and every text they sent us. Two queries."""
    out = list(Message.objects.filter(customer=customer).select_related("written_by")
               .order_by("due_at", "id"))
    return _thread(out, _replies(customer))


def _replies(customer):
    return Interaction.objects.filter(customer=customer, kind=InteractionKind.REPLY) \
        .order_by("occurred_at", "id")


def _thread(out, inbound) -> list:
    entries = [(m.sent_at or m.due_at, "out", m) for m in out] + \
              [(i.occurred_at, "in", i) for i in inbound]
    return sorted(entries, key=lambda entry: entry[0])


def customer_page_panels(*, customer) -> dict:
    """What the customer page shows of follow-ups: the open tasks, the conversation, every
    message (`customer_messages`) and the store's snippets; one query on PostgreSQL, read
    afresh on every call.

    The conversation's texts out are the customer's own messages of that list, in the
    opposite order ((due_at, id) ascending is exactly the reverse of descending)."""
    read = panel_read(customer, "followups")
    if read is not None:
        return _panels(customer, *(read[name] for name in customer_page_lists()))
    if connection.vendor != "postgresql":
        messages = list(customer_messages(customer=customer).select_related("written_by"))
        return _panels(customer, list(open_tasks_of(customer=customer)), messages,
                       list(_replies(customer)), list(snippets_of(store=customer.store)))
    row = _PANELS.fetch(customer_id=customer.pk)
    lists = customer_page_lists()
    return _panels(customer, *(lists[name].load(row[f"page_{name}"]) for name in lists))


def _panels_read(*, customer_id):
    return Customer.objects.filter(pk=customer_id).values(
        **{f"page_{name}": packed.expression()
           for name, packed in customer_page_lists().items()})


# The panels' one query, compiled once per process (core.packed.Compiled).
_PANELS = Compiled(_panels_read)


@functools.cache
def customer_page_lists() -> dict[str, Packed]:
    """The panels' lists: read by their own query (`_PANELS`) or as lists of the customer
    page's (crm.selectors.customer_page_panel, added by FollowupsConfig.ready)."""
    mine = OuterRef("pk")
    sign_ups = SignUp.objects.filter(customer=OuterRef(mine)).values("pk")
    return {
        "tasks": Packed(Task.objects.open().filter(customer=mine).order_by("due_on", "id"),
                        assignee=FORWARD),
        "messages": Packed(Message.objects.filter(Q(customer=mine) | AnyOf(
            F("sign_up"), ArraySubquery(sign_ups))).order_by("-due_at", "-id"),
            written_by=FORWARD),
        "replies": Packed(_replies(mine)),
        "snippets": Packed(Snippet.objects.filter(store=OuterRef("store")).order_by("title")),
    }


def _panels(customer, tasks, messages, replies, snippets) -> dict:
    out = [message for message in reversed(messages) if message.customer_id == customer.pk]
    return {"tasks": tasks, "thread": _thread(out, replies), "messages": messages,
            "snippets": snippets}


def snippets_of(*, store):
    return Snippet.objects.filter(store=store).order_by("title")


def messages_sent_today(*, staff, now):
    """Messages to the staff member's clients (a sign-up's confirmation is nobody's client:
    without the customer__isnull filter a manager's orphans would take them in)."""
    return (Message.objects.for_store(staff.store)
            .filter(_mine(staff, "customer__"), customer__isnull=False,
                    sent_at__gte=_day_start(staff.store, now))
            .select_related("customer").order_by("-sent_at"))


def replies_today(*, staff, now):
    return _replies_since(store=staff.store_id, staff=staff.pk,
                          since=_day_start(staff.store, now), manager=staff.is_manager)


def _replies_since(*, store: int, staff: int, since: datetime.datetime, manager: bool):
    return (Interaction.objects.filter(customer__store=store, kind=InteractionKind.REPLY,
                                       occurred_at__gte=since)
            .filter(_mine_id(staff, manager=manager, prefix="customer__"))
            .select_related("customer").order_by("-occurred_at"))


# My clients' calls panel, compiled once per process for an associate and for a manager
# (whose tasks and clients include the orphaned ones: another query).
_CALLS = {manager: Compiled(functools.partial(_calls_to_make, manager=manager))
          for manager in (False, True)}
_REPLIES = {manager: Compiled(functools.partial(_replies_since, manager=manager))
            for manager in (False, True)}


def message_log(*, store):
    return (Message.objects.for_store(store)
            .select_related("customer", "occasion", "sign_up").order_by("-due_at", "-id"))


def customer_messages(*, customer):
    """The customer's messages, with the confirmation email of each sign-up applied to them.

    The sign-ups are read first as an array, so both halves are index lookups (joining the
    sign-ups in the OR read every message of the chain: 330 ms at 1M customers)."""
    sign_ups = SignUp.objects.filter(customer=customer).values("pk")
    return (Message.objects.filter(Q(customer=customer)
                                   | AnyOf(F("sign_up"), ArraySubquery(sign_ups)))
            .order_by("-due_at", "-id"))


def templates_of(*, store):
    return MessageTemplate.objects.filter(store=store).order_by("kind", "channel")


def failed_count(*, store) -> int:
    return Message.objects.for_store(store).filter(status=MessageStatus.FAILED).count()


def needing_attention(*, store) -> dict[str, int]:
    """How many messages a person should look at, by status (one query): stuck ones, whose
    fate is unknown, and failed ones."""
    wanted = [MessageStatus.NEEDS_LOOK, MessageStatus.FAILED]
    counts = dict(Message.objects.for_store(store).filter(status__in=wanted)
                  .values_list("status").annotate(n=Count("id")).order_by())
    return {status: counts.get(status, 0) for status in wanted}


def preview_customer(*, store, email: str = ""):
    """The customer a template is previewed on: by email, else a recent one with an occasion."""
    customers = Customer.objects.for_store(store).select_related("assigned_to")
    if email:
        return customers.filter(email=email.strip().lower()).first()
    return customers.filter(occasions__isnull=False).order_by("-created_at", "-id").first()


def campaign_progress(*, campaign) -> dict[str, int]:
    """A campaign's messages by what became of them (one query): planned (waiting, or held
    for quiet hours), paused, sending, sent (delivered included), delivered, held back
    (suppressed at send time: consent, fatigue cap, unsubscribe) and failed."""
    counts = dict(Message.objects.filter(campaign=campaign).values_list("status")
                  .annotate(n=Count("id")).order_by())
    get = counts.get
    return {
        "expanded": sum(counts.values()),
        "planned": get(MessageStatus.PLANNED, 0),
        "paused": get(MessageStatus.PAUSED, 0),
        "sending": get(MessageStatus.SENDING, 0),
        "sent": get(MessageStatus.SENT, 0) + get(MessageStatus.DELIVERED, 0),
        "delivered": get(MessageStatus.DELIVERED, 0),
        "held": get(MessageStatus.SUPPRESSED, 0),
        "failed": get(MessageStatus.FAILED, 0) + get(MessageStatus.NEEDS_LOOK, 0),
    }


def campaign_counts_by_kind(*, campaign) -> dict[tuple[str, str], int]:
    """(kind, status) -> messages of the campaign (one query), for its results."""
    return {(kind, status): n for kind, status, n in
            Message.objects.filter(campaign=campaign).values_list("kind", "status")
            .annotate(n=Count("id")).order_by()}


def campaign_text_answered(*, customers, number: str):
    """The latest campaign invitation texted to `number` for one of `customers` (a text
    reply answers it), or None."""
    return (Message.objects.filter(customer__in=customers, channel="sms", to=number,
                                   campaign__isnull=False, kind="event_invitation",
                                   status__in=[MessageStatus.SENT, MessageStatus.DELIVERED])
            .order_by("-sent_at", "-id").first())


def campaign_messages_of(*, campaign, customer):
    return Message.objects.filter(campaign=campaign, customer=customer).order_by("id")


def not_marketing() -> tuple[list[str], list[str]]:
    """The purposes and the kinds of message the fatigue cap never counts (as
    `MessageQuerySet.marketing` leaves them out), for SQL that counts touches."""
    return [str(p) for p in TRANSACTIONAL_PURPOSES], [str(k) for k in ASKED_FOR_KINDS]


def call_tasks_of_store(*, store):
    """Every call of the store, made or not, for the dashboard's counts."""
    return CallTask.objects.filter(store=store)


def customer_messages_of_store(*, store):
    """The store's reminders and invitations to customers (not a sign-up's confirmation, not
    a repair notice), for the dashboard's follow-up funnel."""
    return Message.objects.for_store(store).marketing().filter(customer__isnull=False)


def open_reach_outs(*, store, customer_ids):
    """The ids of these customers who have an open "reach out" call."""
    return set(CallTask.objects.filter(store=store, customer_id__in=customer_ids,
                                       occasion__isnull=True, reason=REACH_OUT,
                                       done_at__isnull=True)
               .values_list("customer_id", flat=True))


def _when_in_words(moment, *, store, now) -> str:
    local = timezone.localtime(moment, store.tz)
    days = (local.date() - store.today(now)).days
    day = {0: "today", 1: "tomorrow"}.get(days, f"{local:%A, %b %-d}")
    return f"{local:%-I:%M %p} {day}"


def _ready_notice_in_words(message: Message, *, store, now) -> str:
    channel = message.get_channel_display().lower()
    if message.status == MessageStatus.SUPPRESSED:
        reason = message.reason[:1].lower() + message.reason[1:]
        return f"No ready notice by {channel}: {reason}"
    what = f"Ready notice by {channel} to {phone_for_people(message.to)}"
    if message.status in (MessageStatus.SENT, MessageStatus.DELIVERED):
        return f"{what} sent."
    if message.status != MessageStatus.PLANNED and message.status != MessageStatus.SENDING:
        return f"{what}: {message.get_status_display().lower()}."
    if message.due_at <= now:
        return f"{what} queued to go now."
    # The notice is due the moment it is planned unless the store's quiet hours hold it.
    held = " (quiet hours)" if message.due_at > message.created_at else ""
    return f"{what} queued for {_when_in_words(message.due_at, store=store, now=now)}{held}."


def repair_ready_plan(*, envelope, now) -> list[str]:
    """What the outbox holds for the customer of an envelope marked ready, in words for the
    person who marked it ("Ready notice by email to a@b.com queued for 9:00 AM tomorrow
    (quiet hours)."), one sentence per channel; read from the rows the move created."""
    notices = Message.objects.filter(envelope=envelope, kind=TemplateKind.REPAIR_READY
                                     ).order_by("channel")
    return [_ready_notice_in_words(m, store=envelope.store, now=now) for m in notices]
