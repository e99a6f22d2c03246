"""Demo data for the customer screens: people here today and prospects from the website."""

import datetime

from crm.models import (
    Channel,
    Consent,
    ConsentMethod,
    Customer,
    Interaction,
    InteractionKind,
    Purpose,
    Source,
    WishItem,
)
from crm.wording import capture_words

PROSPECTS = [("Hazel", "Wright"), ("Leo", "Scott"), ("Ivy", "Green"), ("Owen", "Baker"),
             ("Ella", "Adams"), ("Jack", "Nelson"), ("Lily", "Carter"), ("Ezra", "Mitchell"),
             ("Zoe", "Roberts"), ("Caleb", "Turner"), ("Stella", "Phillips"), ("Miles", "Evans")]
LOOKED_AT = ["Oval halo engagement ring", "Akoya pearl studs", "Two-tone dive watch",
             "Emerald tennis bracelet", "Hand-engraved wedding band"]


def load_demo_crm(*, store, rng, now) -> None:
    """A few walk-ins logged this morning (HERE) and website or drawing sign-ups who have
    never visited (POTENTIAL), half of whom confirmed their email."""
    visited = list(Customer.objects.for_store(store).filter(assigned_to__isnull=False)
                   .order_by("pk")[:60])
    for customer in rng.sample(visited, 6):
        at = now - datetime.timedelta(minutes=rng.randint(5, 240))
        piece = rng.choice(LOOKED_AT)
        Customer.objects.filter(pk=customer.pk).update(last_visit_at=at)
        Interaction.objects.create(customer=customer, kind=InteractionKind.VISIT,
                                   summary=f"Looked at {piece}; did not buy (thinking it over).",
                                   staff=customer.assigned_to, occurred_at=at)
        WishItem.objects.create(customer=customer, description=piece,
                                price=rng.randrange(400, 9000), added_by=customer.assigned_to)
    for n, (first, last) in enumerate(PROSPECTS):
        prospect = Customer.objects.create(
            store=store, first_name=first, last_name=last,
            email=f"{first}.{last}.web{n}@mail.example".lower(),
            source=rng.choice([Source.WEBSITE, Source.DRAWING]))
        if n % 2 == 0:
            Consent.objects.create(customer=prospect, channel=Channel.EMAIL,
                                   address=prospect.email, purpose=Purpose.EVENTS, granted=True,
                                   method=ConsentMethod.WEB_FORM,
                                   words=capture_words(store=store),
                                   created_at=now - datetime.timedelta(days=rng.randint(1, 60)))
