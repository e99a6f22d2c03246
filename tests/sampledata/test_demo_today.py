import pytest
from django.utils import timezone

from appointments import selectors as appointment_selectors
from followups import selectors
from sampledata.demo import load_demo
from staff.models import StaffMember
from staff.roles import Role

pytestmark = pytest.mark.django_db


def test_the_demo_gives_today_and_the_calendar_something_to_show():
    store = load_demo(customers=60)
    now = timezone.now()
    today = store.today(now)
    days = appointment_selectors.calendar_days(store=store, first=today, days=7)
    assert sum(len(d.appointments) for d in days) == 5
    sellers = StaffMember.objects.for_store(store).active().filter(role=Role.SALESPERSON)
    waiting = [r for s in sellers for r in selectors.replies_waiting(staff=s)]
    manager = StaffMember.objects.for_store(store).filter(role=Role.MANAGER).first()
    waiting += list(selectors.replies_waiting(staff=manager))
    assert len({r.pk for r in waiting}) == 2
    assert selectors.snippets_of(store=store).count() == 3
    assert any(t.kind == "thank_you" for s in sellers
               for t in selectors.tasks_due(staff=s, today=today))
