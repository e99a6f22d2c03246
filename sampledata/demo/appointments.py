"""Appointments and the associates' other work for the demo store: a few visits booked this
week, saved reply snippets and a thank-you note to write, so Today and the calendars are not
empty in `make run`."""

import datetime

from appointments.models import Appointment, AppointmentPurpose, BookingHours
from crm.models import Customer
from followups.models import Snippet, Task, TaskKind
from staff.models import StaffMember
from staff.roles import Role

SNIPPETS = [
    ("Open hours", "We are open Monday to Saturday, 10 to 6. See you soon!"),
    ("Ring is ready", "Good news: your piece is ready. Stop by any time during opening hours."),
    ("Book a visit", "Would you like to come in so we can look at coordinating pieces together? "
                     "Tell me a day and time that suits you."),
]
# (days from today, hour, minutes, purpose)
VISITS = [(0, 11, 60, AppointmentPurpose.ANNIVERSARY), (0, 15, 30, AppointmentPurpose.PICK_UP),
          (1, 12, 60, AppointmentPurpose.BRIDAL), (2, 10, 45, AppointmentPurpose.REPAIR_CONSULT),
          (3, 16, 60, AppointmentPurpose.ANNIVERSARY)]


def load_demo_appointments(*, store, rng, now) -> None:
    Snippet.objects.bulk_create([Snippet(store=store, title=t, body=b) for t, b in SNIPPETS],
                                ignore_conflicts=True)
    hours = BookingHours.objects.get_or_create(store=store)[0]
    sellers = list(StaffMember.objects.for_store(store).active()
                   .filter(role=Role.SALESPERSON).order_by("pk"))
    today = store.today(now)
    for n, (days, hour, minutes, purpose) in enumerate(VISITS):
        associate = sellers[n % len(sellers)]
        day = today + datetime.timedelta(days=days)
        if not hours.is_open_on(day):
            day += datetime.timedelta(days=1)
        customer = rng.choice(list(Customer.objects.filter(assigned_to=associate)[:40]))
        starts_at = datetime.datetime.combine(day, datetime.time(hour),
                                              tzinfo=store.tz).astimezone(datetime.UTC)
        Appointment.objects.create(
            store=store, customer=customer, associate=associate, starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(minutes=minutes), purpose=purpose,
            booked_by=associate, created_at=now, updated_at=now)
    for associate in sellers:
        customer = Customer.objects.filter(assigned_to=associate, purchases__isnull=False)\
            .order_by("pk").first()
        if customer is not None:
            Task.objects.create(store=store, customer=customer, assignee=associate,
                                kind=TaskKind.THANK_YOU, note="For their last purchase",
                                due_on=today, created_at=now)
