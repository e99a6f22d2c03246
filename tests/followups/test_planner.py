"""The planner keeps every promised reminder exactly once, and never writes to anyone who
did not ask."""

import datetime
import threading
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection

from crm.models import Channel, ConsentMethod, Customer, Purpose
from followups.models import CallTask, Message, MessageStatus
from followups.planner import plan_followups, plan_store, window
from followups.sender import message_send, messages_dispatch_due
from tests.factories import ConsentFactory, CustomerFactory, OccasionFactory, StaffMemberFactory

# Nov 26, 2026, 10:00 in Chicago (the test store's timezone): inside sending hours.
MORNING = datetime.datetime(2026, 11, 26, 16, 0, tzinfo=datetime.UTC)
NINE_AM = datetime.datetime(2026, 11, 26, 15, 0, tzinfo=datetime.UTC)  # 09:00 in Chicago
TWO_WEEKS = datetime.date(2026, 12, 10)
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")

pytestmark = pytest.mark.django_db


def _plan(store, now=MORNING, **kwargs):
    return plan_store(store=store, now=now, **kwargs)


def test_a_birthday_two_weeks_ahead_with_email_consent_is_planned_once(store, make_customer):
    customer, occasion = make_customer(on=TWO_WEEKS)

    first = _plan(store)
    again = _plan(store)

    message = Message.objects.get()
    assert (message.customer, message.occasion, message.occurs_on) == (customer, occasion,
                                                                         TWO_WEEKS)
    # Due two weeks before the birthday at 09:00 in Chicago, not when the planner ran (10:00).
    assert (message.channel, message.status, message.due_at) == ("email", "planned", NINE_AM)
    assert (first.messages, again.messages) == (1, 0)


def test_each_consented_channel_gets_its_own_message(store, make_customer):
    make_customer(on=TWO_WEEKS, channels=[Channel.EMAIL, Channel.SMS])
    _plan(store)
    assert sorted(Message.objects.values_list("channel", flat=True)) == ["email", "sms"]


def test_no_consent_revoked_consent_or_unconfirmed_sign_up_plans_nothing(store, make_customer):
    never_asked, _ = make_customer(on=TWO_WEEKS, channels=[])
    revoked, _ = make_customer(on=TWO_WEEKS)
    ConsentFactory(customer=revoked, granted=False, method=ConsentMethod.UNSUBSCRIBE)
    bounced, _ = make_customer(on=TWO_WEEKS)
    ConsentFactory(customer=bounced, granted=False, method=ConsentMethod.BOUNCE)
    # A web sign-up that never clicked the confirmation link has no consent row at all.
    unconfirmed, _ = make_customer(on=TWO_WEEKS, channels=[], source="website")
    other_purpose, _ = make_customer(on=TWO_WEEKS, purpose=Purpose.EVENTS)

    result = _plan(store)

    assert result.messages == 0
    assert not Message.objects.exists()
    assert not CallTask.objects.exists()


def test_dry_run_counts_who_is_skipped_and_why_and_saves_nothing(store, make_customer):
    make_customer(on=TWO_WEEKS)
    make_customer(on=TWO_WEEKS, channels=[])
    revoked, _ = make_customer(on=TWO_WEEKS)
    ConsentFactory(customer=revoked, granted=False, method=ConsentMethod.BOUNCE)
    no_email, _ = make_customer(on=TWO_WEEKS, channels=[], email="")
    ConsentFactory(customer=no_email, address="gone@mail.example")

    result = _plan(store, dry_run=True)

    assert result.outcomes["email: message"] == 1
    assert result.outcomes["email: skipped: no consent"] == 1
    assert result.outcomes["email: skipped: revoked (bounce)"] == 1
    assert result.outcomes["email: skipped: no address"] == 1
    assert result.outcomes["sms: skipped: no consent"] == 4
    assert not Message.objects.exists()


def test_an_occasion_further_out_or_already_past_waits(store, make_customer):
    make_customer(on=TWO_WEEKS + datetime.timedelta(days=1))
    make_customer(on=datetime.date(2026, 11, 26))  # today: no longer ahead
    make_customer(on=datetime.date(2026, 11, 20))
    _plan(store)
    assert not Message.objects.exists()


def test_a_reminder_missed_while_the_system_was_down_is_still_sent(store, make_customer):
    make_customer(on=datetime.date(2026, 12, 1))  # should have been planned on Nov 17
    _plan(store)
    assert Message.objects.get().occurs_on == datetime.date(2026, 12, 1)


def test_an_occasion_two_weeks_ahead_across_new_year(store, make_customer):
    make_customer(on=datetime.date(2027, 1, 5))
    _plan(store, now=datetime.datetime(2026, 12, 22, 16, tzinfo=datetime.UTC))
    assert Message.objects.get().occurs_on == datetime.date(2027, 1, 5)


def test_feb_29_is_reminded_for_feb_28_in_a_common_year(store, make_customer):
    make_customer(on=datetime.date(2024, 2, 29))
    _plan(store, now=datetime.datetime(2027, 2, 14, 16, tzinfo=datetime.UTC))
    assert Message.objects.get().occurs_on == datetime.date(2027, 2, 28)


def test_feb_29_stays_feb_29_in_a_leap_year():
    dates = {(m, d): date for m, d, date in window(today=datetime.date(2028, 2, 15),
                                                    lead_days=14)}
    assert dates[(2, 29)] == datetime.date(2028, 2, 29)
    assert dates[(2, 28)] == datetime.date(2028, 2, 28)


def test_phone_consent_is_a_call_for_the_associate_not_a_message(store, salesperson,
                                                                  make_customer):
    customer, occasion = make_customer(on=TWO_WEEKS, channels=[Channel.PHONE])
    _plan(store)
    _plan(store)
    call = CallTask.objects.get()
    assert (call.customer, call.occasion, call.assignee) == (customer, occasion, salesperson)
    assert call.due_on == datetime.date(2026, 11, 26)
    assert not Message.objects.exists()


def test_an_orphaned_clients_call_goes_to_the_managers(store, make_customer):
    departed = StaffMemberFactory(store=store, departed_on=datetime.date(2026, 10, 1))
    make_customer(on=TWO_WEEKS, channels=[Channel.PHONE], assigned_to=departed)
    make_customer(on=TWO_WEEKS, channels=[Channel.PHONE], assigned_to=None)
    _plan(store)
    assert list(CallTask.objects.values_list("assignee", flat=True)) == [None, None]


def test_planned_at_night_waits_for_the_morning(store, make_customer):
    make_customer(on=TWO_WEEKS)
    night = datetime.datetime(2026, 11, 26, 8, 0, tzinfo=datetime.UTC)  # 02:00 in Chicago
    _plan(store, now=night)
    assert Message.objects.get().due_at == datetime.datetime(2026, 11, 26, 15, 0,
                                                             tzinfo=datetime.UTC)


def test_another_stores_customers_are_planned_with_their_own_settings(store, other_store):
    customer = CustomerFactory(store=other_store)
    OccasionFactory(customer=customer, month=12, day=10)
    ConsentFactory(customer=customer)
    results = plan_followups(now=MORNING)
    assert Message.objects.get().store == other_store
    assert sum(r.messages for r in results) == 1


def test_the_command_plans_for_a_given_date_and_dry_runs(store, make_customer, capsys):
    make_customer(on=datetime.date(2027, 3, 15))
    call_command("plan_followups", "--date", "2027-03-01", "--dry-run")
    assert "email: message: 1" in capsys.readouterr().out
    assert not Message.objects.exists()
    with time_machine.travel(MORNING, tick=False):
        call_command("plan_followups", "--date", "2027-03-01")
    assert Message.objects.get().occurs_on == datetime.date(2027, 3, 15)


def test_the_command_refuses_a_bad_date(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("plan_followups", "--date", "26/11/2026")


@pytest.mark.django_db(transaction=True)
def test_two_planners_at_once_plan_each_message_once(store, make_customer):
    for _ in range(20):
        make_customer(on=TWO_WEEKS, channels=[Channel.EMAIL, Channel.SMS, Channel.PHONE])
    barrier = threading.Barrier(2)
    counts, errors = [], []

    def run():
        try:
            barrier.wait()
            result = _plan(store)
            counts.append(result.messages)
        except Exception as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert not errors
    assert Message.objects.count() == 40
    assert sum(counts) == 40
    assert CallTask.objects.count() == 20
    assert Message.objects.filter(status=MessageStatus.PLANNED).count() == 40


# The real clock's day the issue was seen: planning ahead for January on November 29.
NOV_29 = datetime.datetime(2026, 11, 29, 16, 0, tzinfo=datetime.UTC)  # 10:00 in Chicago


@pytest.mark.time_machine(NOV_29, tick=False)
def test_planning_for_a_date_plans_rows_due_lead_days_before_each_occasion_at_the_send_hour(
        store, make_customer, capsys):
    make_customer(on=datetime.date(2027, 1, 16), first_name="Jan16")
    make_customer(on=datetime.date(2027, 1, 10), first_name="Jan10")

    call_command("plan_followups", "--date", "2027-01-04", "--dry-run")
    assert "email: message: 2" in capsys.readouterr().out
    call_command("plan_followups", "--date", "2027-01-04")

    due = dict(Message.objects.values_list("customer__first_name", "due_at"))
    assert due == {"Jan16": datetime.datetime(2027, 1, 2, 9, tzinfo=CHICAGO),
                   "Jan10": datetime.datetime(2026, 12, 27, 9, tzinfo=CHICAGO)}
    # Nothing goes out on November 29: not queued, and not sent if a task asks anyway.
    assert messages_dispatch_due(now=NOV_29) == 0
    assert {message_send(message_id=pk) for pk in Message.objects.values_list("pk", flat=True)} \
        == {"not due"}
    assert not mail.outbox
    assert set(Message.objects.values_list("status", flat=True)) == {MessageStatus.PLANNED}


@pytest.mark.parametrize(("occurs_on", "due_utc"), [
    # Chicago enters daylight time on Mar 14, 2027: 09:00 is 15:00 UTC before, 14:00 after.
    (datetime.date(2027, 3, 27), datetime.datetime(2027, 3, 13, 15, 0, tzinfo=datetime.UTC)),
    (datetime.date(2027, 3, 28), datetime.datetime(2027, 3, 14, 14, 0, tzinfo=datetime.UTC)),
])
def test_the_due_time_is_the_send_hour_on_the_store_clock_across_daylight_saving(
        store, make_customer, occurs_on, due_utc):
    make_customer(on=occurs_on)
    _plan(store, now=datetime.datetime(2027, 3, 14, 17, tzinfo=datetime.UTC))
    assert Message.objects.get().due_at == due_utc


def test_a_call_is_due_lead_days_before_the_occasion(store, make_customer):
    make_customer(on=datetime.date(2026, 12, 1), channels=[Channel.PHONE])
    _plan(store)
    assert CallTask.objects.get().due_on == datetime.date(2026, 11, 17)


def test_no_call_is_planned_for_a_customer_without_a_phone(store, make_customer):
    # She said yes to a call on a number she has since taken off her profile.
    customer, _ = make_customer(on=TWO_WEEKS, channels=[Channel.PHONE], phone="+12175550142")
    Customer.objects.filter(pk=customer.pk).update(phone="")
    dry = _plan(store, dry_run=True)
    result = _plan(store)
    assert dry.outcomes["phone: skipped: no address"] == 1
    assert "phone: call task" not in dry.outcomes
    assert result.calls == 0
    assert not CallTask.objects.exists()
