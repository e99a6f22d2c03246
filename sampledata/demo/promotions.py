"""Demo data for the website voucher and the monthly drawing: an offer, last month's drawing
drawn and this month's open, and the sign-ups behind the demo's web and drawing prospects
(the confirmed ones hold a voucher or an entry), and a few buying clients in each drawing."""

import datetime
import secrets
from decimal import Decimal

from crm.models import (
    Consent,
    Customer,
    Drawing,
    DrawingEntry,
    SignUp,
    SignUpOutcome,
    Source,
    Voucher,
    VoucherKind,
    VoucherProgram,
)
from crm.services.promotions import new_code
from crm.wording import capture_words

TERMS = "One per person. Not combinable with other offers or with sale pieces."
RULES = ("No purchase necessary to enter or win. Open to residents 18 and over. One entry "
         "per person per month. The winner is drawn at random among all entries after "
         "entries close and is told by email; the prize has no cash value.")


def load_demo_promotions(*, store, rng, now) -> None:
    tz = store.tz
    today = store.today(now)
    this_month = today.replace(day=1)
    last_month = (this_month - datetime.timedelta(days=1)).replace(day=1)
    program = VoucherProgram.objects.create(
        store=store, kind=VoucherKind.AMOUNT, value=Decimal("50"),
        minimum_purchase=Decimal("250"), valid_days=60, terms=TERMS,
        created_at=now - datetime.timedelta(days=90))
    past = Drawing.objects.create(
        store=store, month=last_month, prize="Freshwater pearl pendant", rules=RULES,
        opens_at=datetime.datetime.combine(last_month, datetime.time.min, tzinfo=tz),
        closes_at=datetime.datetime.combine(this_month, datetime.time.min, tzinfo=tz),
        created_at=now - datetime.timedelta(days=40))
    next_month = (this_month + datetime.timedelta(days=32)).replace(day=1)
    current = Drawing.objects.create(
        store=store, month=this_month, prize="Sterling silver charm bracelet", rules=RULES,
        opens_at=min(now, datetime.datetime.combine(this_month, datetime.time.min, tzinfo=tz)),
        closes_at=datetime.datetime.combine(next_month, datetime.time.min, tzinfo=tz),
        created_at=now)
    words = capture_words(store=store)
    prospects = Customer.objects.for_store(store).filter(
        source__in=[Source.WEBSITE, Source.DRAWING], last_visit_at__isnull=True).order_by("pk")
    confirmed_ids = set(Consent.objects.filter(customer__in=prospects)
                        .values_list("customer_id", flat=True))
    for n, prospect in enumerate(prospects):
        confirmed = prospect.pk in confirmed_ids
        drawing = past if n % 3 == 0 else current
        at = max(drawing.opens_at, now - datetime.timedelta(days=rng.randint(1, 50)))
        at = min(at, now, drawing.closes_at - datetime.timedelta(hours=1))
        sign_up = SignUp.objects.create(
            store=store, source=prospect.source, first_name=prospect.first_name,
            last_name=prospect.last_name, email=prospect.email, words=words,
            ip_hash=secrets.token_hex(32), created_at=at,
            confirmed_at=at + datetime.timedelta(minutes=7) if confirmed else None,
            customer=prospect if confirmed else None,
            outcome=SignUpOutcome.NEW_PROSPECT if confirmed else "")
        if not confirmed:
            continue
        if prospect.source == Source.WEBSITE:
            Voucher.objects.create(
                store=store, program=program, code=new_code(), customer=prospect,
                sign_up=sign_up, email=prospect.email, issued_at=sign_up.confirmed_at,
                expires_at=sign_up.confirmed_at + datetime.timedelta(days=60))
        else:
            DrawingEntry.objects.create(drawing=drawing, customer=prospect, sign_up=sign_up,
                                        email=prospect.email, name=prospect.full_name,
                                        entered_at=sign_up.confirmed_at)
    # Clients who already buy here enter too (one entry each, like anyone).
    clients = (Customer.objects.for_store(store).filter(first_purchase_on__isnull=False)
               .exclude(email="").order_by("pk")[:7])
    for n, client in enumerate(clients):
        drawing = past if n < 4 else current
        at = min(now, drawing.closes_at - datetime.timedelta(days=n + 1))
        sign_up = SignUp.objects.create(
            store=store, source=Source.DRAWING, first_name=client.first_name,
            last_name=client.last_name, email=client.email, words=words,
            ip_hash=secrets.token_hex(32), created_at=at - datetime.timedelta(minutes=5),
            confirmed_at=at, customer=client, outcome=SignUpOutcome.PROFILE)
        DrawingEntry.objects.create(drawing=drawing, customer=client, sign_up=sign_up,
                                    email=client.email, name=client.full_name, entered_at=at)
    entries = list(past.entries.order_by("pk"))
    if entries:
        past.winner = rng.choice(entries)
        past.drawn_at, past.entry_count = past.closes_at + datetime.timedelta(hours=10), \
            len(entries)
        past.save(update_fields=["winner", "drawn_at", "entry_count"])
