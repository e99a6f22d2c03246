"""The demo store `make run` loads: realistic, reproducible (seeded), and loaded only once."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from crm.models import (
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
    PurchaseLine,
    Purpose,
    Source,
)
from crm.services import preference_list_start
from sampledata.demo.crm import load_demo_crm
from sampledata.demo.followups import load_demo_followups
from sampledata.demo.promotions import load_demo_promotions
from sampledata.demo.repairs import load_demo_repairs
from sampledata.demo.staff import load_demo_staff
from staff.models import StaffMember, Store
from staff.roles import Role

DEMO_STORE = "Gem & Loupe Jewelers"
DEMO_PASSWORD = "loupe-demo"  # noqa: S105 - the published demo password, local data only
DEMO_STAFF = [
    ("maria", "Maria Alvarez", Role.MANAGER, ["Bridal", "Diamonds"], None),
    ("sally", "Sally Chen", Role.SALESPERSON, ["Diamonds", "Bridal", "Gold"], None),
    ("tom", "Tom Brooks", Role.SALESPERSON, ["Watches", "Silver", "Designer lines"], None),
    ("sam", "Sam Okafor", Role.SERVICE, [], None),
    ("dana", "Dana Price", Role.SALESPERSON, ["Pearls", "Colored gems"], 45),
]
FIRST = ["Olivia", "Liam", "Emma", "Noah", "Ava", "Elijah", "Sophia", "James", "Isabella",
         "Lucas", "Mia", "Mason", "Amelia", "Ethan", "Harper", "Logan", "Evelyn", "Aiden",
         "Abigail", "Jackson", "Grace", "Henry", "Chloe", "Samuel", "Nora", "David", "Ruth"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
        "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
        "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White"]
PIECES = ["1 ct round solitaire, platinum", "Tahitian pearl strand", "Rose gold tennis bracelet",
          "Sapphire halo ring", "Steel chronograph", "Emerald drop earrings",
          "Sterling cuff", "Diamond stud earrings 0.5 ctw"]
OCCASION_WORDS = ("Shall we remind you about {occasion} two weeks ahead by {channel}? "
                  "Gem & Loupe Jewelers will contact you only about this.")


def demo_logins() -> list[tuple[str, str, str]]:
    return [(username, DEMO_PASSWORD, role.label) for username, _, role, _, _ in DEMO_STAFF]


def demo_exists() -> bool:
    return Store.objects.filter(name=DEMO_STORE).exists()


@transaction.atomic
def load_demo(*, customers: int = 300, seed: int = 7) -> Store:
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    now = timezone.now()
    store = Store.objects.create(name=DEMO_STORE, timezone="America/New_York",
                                 address="214 Main Street, Springfield, IL 62701",
                                 phone="+12175550100", email="hello@gemandloupe.example")
    preference_list_start(store=store)
    staff = _load_staff(store, now)
    sellers = [m for m in staff if m.role != Role.SERVICE]
    prefs = list(Preference.objects.for_store(store))
    for n in range(customers):
        _load_customer(store, n, rng, sellers, prefs, now)
    load_demo_crm(store=store, rng=rng, now=now)
    load_demo_promotions(store=store, rng=rng, now=now)
    load_demo_staff(store=store, rng=rng, now=now)
    load_demo_repairs(store=store, rng=rng, now=now)
    load_demo_followups(store=store, rng=rng, now=now)
    return store


def _load_staff(store, now):
    User = get_user_model()
    members = []
    for username, name, role, strengths, departed_days_ago in DEMO_STAFF:
        first, last = name.split(" ", 1)
        user = User.objects.create_user(username, f"{username}@gemandloupe.example",
                                        DEMO_PASSWORD, first_name=first, last_name=last,
                                        is_active=departed_days_ago is None)
        user.groups.add(Group.objects.get(name=role))
        departed = (now - datetime.timedelta(days=departed_days_ago)).date() \
            if departed_days_ago else None
        member = StaffMember.objects.create(user=user, store=store, role=role,
                                            display_name=name, departed_on=departed)
        member.strengths.set(Preference.objects.for_store(store).filter(name__in=strengths))
        members.append(member)
    return members


def _category(piece: str) -> str:
    """The POS category a demo piece would carry."""
    words = piece.lower()
    for key, category in (("watch", "Watches"), ("chronograph", "Watches"),
                          ("pearl", "Pearls"), ("earring", "Earrings"), ("stud", "Earrings"),
                          ("ring", "Rings"), ("solitaire", "Rings"),
                          ("bracelet", "Bracelets")):
        if key in words:
            return category
    return "Jewelry"


def _load_customer(store, n, rng, sellers, prefs, now):
    first, last = rng.choice(FIRST), rng.choice(LAST)
    source = rng.choices([Source.WALK_IN, Source.WEBSITE, Source.DRAWING, Source.REPAIR],
                         weights=[60, 15, 15, 10])[0]
    customer = Customer.objects.create(
        store=store, first_name=first, last_name=last,
        email=f"{first}.{last}.{n}@mail.example".lower(),
        phone=f"+1217555{n:04d}" if rng.random() < 0.7 else "",
        city="Springfield", region="IL", partner_name=rng.choice(["", "", rng.choice(FIRST)]),
        source=source, assigned_to=rng.choice(sellers) if rng.random() < 0.9 else None,
        last_visit_at=now - datetime.timedelta(days=rng.randint(0, 400)),
    )
    customer.preferences.set(rng.sample(prefs, rng.randint(0, 3)))
    occasions = [
        Occasion.objects.create(customer=customer, kind=kind, month=rng.randint(1, 12),
                                day=rng.randint(1, 28),
                                year=rng.choice([None, rng.randint(1950, 2005)]))
        for kind in rng.sample([OccasionKind.BIRTHDAY, OccasionKind.ANNIVERSARY,
                                OccasionKind.PARTNER_BIRTHDAY], rng.randint(1, 3))
    ]
    _load_consent(customer, occasions[0], rng, now)
    Interaction.objects.create(customer=customer, kind=InteractionKind.VISIT,
                               summary="Looked at " + rng.choice(PIECES),
                               staff=customer.assigned_to, occurred_at=customer.last_visit_at)
    if rng.random() < 0.45:
        amount = Decimal(rng.randrange(150, 12000))
        bought = customer.last_visit_at.date()
        piece = rng.choice(PIECES)
        # As the POS import would leave it: a receipt with its line, the customer's POS id.
        purchase = Purchase.objects.create(
            store=customer.store, customer=customer, purchased_on=bought, amount=amount,
            description=piece, associate=customer.assigned_to, pos_reference=f"R-{n:05d}")
        PurchaseLine.objects.create(purchase=purchase, position=1, category=_category(piece),
                                    description=piece, amount=amount)
        Customer.objects.filter(pk=customer.pk).update(pos_id=f"C-{n:05d}")
        Customer.objects.filter(pk=customer.pk).update(lifetime_value=amount,
                                                       first_purchase_on=bought,
                                                       last_purchase_on=bought)


def _load_consent(customer, occasion, rng, now):
    for channel in (Channel.EMAIL, Channel.SMS, Channel.PHONE):
        address = customer.email if channel == Channel.EMAIL else str(customer.phone or "")
        if not address:
            continue
        if rng.random() < 0.5:
            words = OCCASION_WORDS.format(occasion=occasion.title.lower(),
                                          channel=channel.label.lower())
            Consent.objects.create(customer=customer, channel=channel, address=address,
                                   purpose=Purpose.OCCASION_REMINDERS, granted=True,
                                   method=ConsentMethod.TABLET, words=words, occasion=occasion,
                                   recorded_by=customer.assigned_to, created_at=now)
