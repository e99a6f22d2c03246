"""Repairs for the demo store: envelopes at every stage, some late, one forgotten at the counter."""

import datetime
from decimal import Decimal

from crm.models import (
    Channel,
    Consent,
    ConsentMethod,
    Customer,
    Interaction,
    InteractionKind,
    Purpose,
)
from repairs.models import Envelope, EnvelopeCounter, ItemType, Status, StatusChange
from repairs.services import REPAIR_NOTICE_WORDS
from staff.models import StaffMember
from staff.roles import Role

# (item type, piece, condition, work, estimate)
JOBS = [
    (ItemType.RING, "14k yellow gold solitaire", "Prongs worn, stone slightly loose",
     "Retip four prongs", "120.00"),
    (ItemType.RING, "Platinum wedding band", "Scratched", "Size 7 to 8, polish", "95.00"),
    (ItemType.NECKLACE, "Sterling rope chain 20in", "Broken near clasp", "Solder the link",
     "35.00"),
    (ItemType.WATCH, "Steel chronograph", "Not running", "Battery and gasket", "45.00"),
    (ItemType.EARRINGS, "Diamond studs 0.5 ctw", "One back missing", "New friction backs",
     "25.00"),
    (ItemType.BRACELET, "Rose gold tennis bracelet", "Clasp weak, one stone missing",
     "Replace clasp, set one 2 mm diamond", "260.00"),
    (ItemType.PENDANT, "Sapphire halo pendant", "Bail bent", "Replace bail", "60.00"),
]
# (status, days since take-in, days promised after take-in, days ready)
STAGES = [
    (Status.RECEIVED, 0, 7, None), (Status.RECEIVED, 1, 10, None),
    (Status.AT_BENCH, 4, 7, None), (Status.AT_BENCH, 12, 7, None),
    (Status.WAITING_FOR_PARTS, 9, 14, None), (Status.READY, 8, 7, 1),
    (Status.READY, 50, 7, 40), (Status.PICKED_UP, 30, 7, 22), (Status.CANCELLED, 20, 7, None),
]
PATHS = {
    Status.RECEIVED: [], Status.AT_BENCH: [Status.AT_BENCH],
    Status.WAITING_FOR_PARTS: [Status.AT_BENCH, Status.WAITING_FOR_PARTS],
    Status.READY: [Status.AT_BENCH, Status.READY],
    Status.PICKED_UP: [Status.AT_BENCH, Status.READY, Status.PICKED_UP],
    Status.CANCELLED: [Status.CANCELLED],
}


def load_demo_repairs(*, store, rng, now) -> None:
    """A counter's worth of envelopes, numbered 1.. in take-in order, with their history."""
    clerk = StaffMember.objects.for_store(store).filter(role=Role.SERVICE).first()
    customers = list(Customer.objects.for_store(store).exclude(email="").order_by("pk")[:60])
    picked = rng.sample(customers, len(STAGES))
    stages = sorted(STAGES, key=lambda stage: -stage[1])
    for number, (customer, stage) in enumerate(zip(picked, stages, strict=True), start=1):
        _load_envelope(store, clerk, customer, number, stage, rng.choice(JOBS), now)
    EnvelopeCounter.objects.create(store=store, last_number=len(STAGES))


def _load_envelope(store, clerk, customer, number, stage, job, now):
    status, age, promise, ready_days = stage
    kind, piece, condition, work, estimate = job
    taken_in = now - datetime.timedelta(days=age, hours=3)
    ready_at = now - datetime.timedelta(days=ready_days) if ready_days else None
    envelope = Envelope.objects.create(
        store=store, customer=customer, number=number, email=customer.email,
        phone=customer.phone, item_type=kind, item_description=piece, condition=condition,
        work_requested=work, estimate=Decimal(estimate), deposit=Decimal("20.00"),
        promised_on=(taken_in + datetime.timedelta(days=promise)).date(), taken_in_by=clerk,
        taken_in_at=taken_in, status=status, ready_at=ready_at,
        closed_at=now - datetime.timedelta(days=2)
        if status in (Status.PICKED_UP, Status.CANCELLED) else None,
    )
    Consent.objects.create(customer=customer, channel=Channel.EMAIL, address=customer.email,
                           purpose=Purpose.REPAIR_NOTICES, granted=True,
                           method=ConsentMethod.ENVELOPE, words=REPAIR_NOTICE_WORDS,
                           recorded_by=clerk, created_at=taken_in)
    Interaction.objects.create(customer=customer, kind=InteractionKind.REPAIR, staff=clerk,
                               occurred_at=taken_in,
                               summary=f"Repair #{number} taken in: {piece} ({work}).")
    steps, previous, at = [], "", taken_in
    for to_status in [Status.RECEIVED, *PATHS[status]]:
        if to_status == Status.READY and ready_at:
            at = ready_at
        steps.append(StatusChange(envelope=envelope, from_status=previous, to_status=to_status,
                                  changed_by=clerk, changed_at=at))
        previous, at = to_status, at + datetime.timedelta(hours=20)
    StatusChange.objects.bulk_create(steps)
