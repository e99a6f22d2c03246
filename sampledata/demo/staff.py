"""Assignment history for the demo store: who has looked after each client, and since when."""

import datetime

from crm.models import Assignment, AssignmentReason, Customer
from staff.models import StaffMember
from staff.roles import Role


def load_demo_staff(*, store, rng, now) -> None:
    """Open assignments matching each client's associate; some clients changed hands before.

    Dana's clients stay with her (she left with the policy off), so they show as orphans.
    """
    manager = StaffMember.objects.for_store(store).filter(role=Role.MANAGER).first()
    sellers = list(StaffMember.objects.for_store(store).active()
                   .filter(role=Role.SALESPERSON))
    rows = []
    for customer in Customer.objects.for_store(store).filter(assigned_to__isnull=False):
        seen = customer.last_visit_at or now
        # Half the book is new this past year (captured around their first visit, so the
        # dashboard's captures fill each month); the rest has been with the store for years.
        known = rng.randint(0, 45) if rng.random() < 0.5 else rng.randint(45, 900)
        started = seen - datetime.timedelta(days=known)
        others = [s for s in sellers if s.pk != customer.assigned_to_id]
        if others and rng.random() < 0.15:
            handed_on = started + (seen - started) / 2
            rows.append(Assignment(customer=customer, associate=rng.choice(others),
                                   started_at=started, ended_at=handed_on,
                                   reason=AssignmentReason.WALK_IN))
            rows.append(Assignment(customer=customer, associate_id=customer.assigned_to_id,
                                   started_at=handed_on, set_by=manager,
                                   reason=AssignmentReason.REASSIGNMENT,
                                   note="Shares the client's taste"))
        else:
            rows.append(Assignment(customer=customer, associate_id=customer.assigned_to_id,
                                   started_at=started, reason=AssignmentReason.WALK_IN))
    Assignment.objects.bulk_create(rows)
