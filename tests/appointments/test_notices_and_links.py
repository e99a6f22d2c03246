"""The confirmation and the reminder the day before (once each, only with consent, with an
.ics), and the customer's signed link (GET shows, POST cancels or asks to move)."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.signing import TimestampSigner
from django.urls import reverse

from appointments import selectors, services
from appointments.models import AppointmentStatus
from crm.models import Channel, Purpose
from followups import sms
from followups.models import Message, MessageStatus, Task, TemplateKind
from followups.sender import message_send
from tests.factories import ConsentFactory, CustomerFactory

# Monday Nov 30 2026, 10:00 in Chicago (the test store's clock), inside sending hours.
MONDAY_10 = datetime.datetime(2026, 11, 30, 16, tzinfo=datetime.UTC)
WEDNESDAY = datetime.date(2026, 12, 2)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MONDAY_10, tick=False)]


@pytest.fixture
def customer(store, salesperson):
    return CustomerFactory(store=store, assigned_to=salesperson, first_name="Nora")


def _book(customer, associate, day=WEDNESDAY):
    return services.appointment_book(customer=customer, associate=associate, day=day,
                                     at=datetime.time(11), minutes=60,
                                     purpose="anniversary", by=associate)


def _notices_consent(customer, channel=Channel.EMAIL):
    ConsentFactory(customer=customer, channel=channel, purpose=Purpose.REPAIR_NOTICES)


def test_with_consent_a_confirmation_now_and_a_reminder_the_day_before(customer, salesperson,
                                                                        django_capture_on_commit_callbacks):
    _notices_consent(customer)
    with django_capture_on_commit_callbacks():
        appointment, refused = _book(customer, salesperson)
    messages = {m.kind: m for m in Message.objects.filter(appointment=appointment)}
    assert set(messages) == {TemplateKind.APPOINTMENT_CONFIRMATION,
                             TemplateKind.APPOINTMENT_REMINDER}
    assert refused == [str(customer.phone)]  # no consent for texts: nothing planned there
    confirmation = messages[TemplateKind.APPOINTMENT_CONFIRMATION]
    reminder = messages[TemplateKind.APPOINTMENT_REMINDER]
    assert (confirmation.due_at, confirmation.purpose) == (MONDAY_10, Purpose.REPAIR_NOTICES)
    # Tuesday 09:00 in Chicago, the start of sending hours the day before.
    assert reminder.due_at == datetime.datetime(2026, 12, 1, 15, tzinfo=datetime.UTC)


def test_planning_again_plans_nothing_more(customer, salesperson):
    _notices_consent(customer)
    appointment, _ = _book(customer, salesperson)
    from followups.services import appointment_notices_plan

    appointment_notices_plan(appointment=appointment)
    appointment_notices_plan(appointment=appointment)
    assert Message.objects.filter(appointment=appointment).count() == 2


def test_without_consent_nothing_is_planned(customer, salesperson):
    # Consent to occasion reminders is not consent to appointment notices.
    ConsentFactory(customer=customer, channel=Channel.EMAIL,
                   purpose=Purpose.OCCASION_REMINDERS)
    appointment, refused = _book(customer, salesperson)
    assert not Message.objects.filter(appointment=appointment).exists()
    assert refused == [customer.email, str(customer.phone)]


def test_the_confirmation_goes_once_with_the_ics_and_the_link(customer, salesperson):
    _notices_consent(customer)
    appointment, _ = _book(customer, salesperson)
    confirmation = Message.objects.get(appointment=appointment,
                                       kind=TemplateKind.APPOINTMENT_CONFIRMATION)
    assert message_send(message_id=confirmation.pk) == "sent"
    assert message_send(message_id=confirmation.pk) == "nothing to do"
    [email] = mail.outbox
    assert "Wednesday, December 2 at 11:00 AM" in email.body
    assert "Sally Sales" in email.body
    assert selectors.manage_url(appointment).split("/visit/")[0] in email.body
    [(name, content, mimetype)] = email.attachments
    assert (name, mimetype) == ("appointment.ics", "text/calendar")
    ics = content.decode() if isinstance(content, bytes) else content
    assert "DTSTART:20261202T170000Z" in ics and "DTEND:20261202T180000Z" in ics
    assert f"UID:appointment-{appointment.pk}@" in ics


def test_the_reminder_goes_the_day_before_once_by_text(customer, salesperson):
    _notices_consent(customer, Channel.SMS)
    appointment, _ = _book(customer, salesperson)
    reminder = Message.objects.get(appointment=appointment,
                                   kind=TemplateKind.APPOINTMENT_REMINDER)
    assert message_send(message_id=reminder.pk) == "not due"
    with time_machine.travel(reminder.due_at, tick=False):
        assert message_send(message_id=reminder.pk) == "sent"
        assert message_send(message_id=reminder.pk) == "nothing to do"
    [text] = [t for t in sms.outbox if "see you tomorrow" in t["body"]]
    assert "Wednesday, December 2 at 11:00 AM" in text["body"]
    assert "Reply STOP" not in text["body"]  # transactional, like a repair notice


def test_a_cancelled_appointments_reminder_is_held_back(customer, salesperson):
    _notices_consent(customer)
    appointment, _ = _book(customer, salesperson)
    services.appointment_cancel(appointment=appointment, by=salesperson)
    reminder = Message.objects.get(appointment=appointment,
                                   kind=TemplateKind.APPOINTMENT_REMINDER)
    assert reminder.status == MessageStatus.SUPPRESSED
    assert reminder.reason == "The appointment was cancelled by Sally Sales."


def test_a_consent_withdrawn_before_the_reminder_stops_it(customer, salesperson):
    _notices_consent(customer)
    appointment, _ = _book(customer, salesperson)
    ConsentFactory(customer=customer, channel=Channel.EMAIL, purpose=Purpose.REPAIR_NOTICES,
                   granted=False)
    reminder = Message.objects.get(appointment=appointment,
                                   kind=TemplateKind.APPOINTMENT_REMINDER)
    with time_machine.travel(reminder.due_at, tick=False):
        assert message_send(message_id=reminder.pk) == "suppressed"
    assert not mail.outbox


# The customer's link.

def _link(appointment):
    return reverse("appointments:manage", kwargs={"link": selectors.manage_token(appointment)})


def test_the_link_shows_the_appointment_and_changes_nothing_on_get(client, customer,
                                                                   salesperson):
    appointment, _ = _book(customer, salesperson)
    page = client.get(_link(appointment)).content.decode()
    assert "Nora, your appointment (Anniversary shopping) is on Wednesday, December 2 at " \
           "11:00 AM with Sally Sales." in page
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_cancelling_from_the_link_frees_the_time_and_tells_the_associate(client, customer,
                                                                        salesperson):
    _notices_consent(customer)
    appointment, _ = _book(customer, salesperson)
    response = client.post(_link(appointment), {"action": "cancel"})
    assert "Your appointment is cancelled." in response.content.decode()
    client.post(_link(appointment), {"action": "cancel"})  # twice is once
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    [task] = Task.objects.filter(assignee=salesperson, done_at__isnull=True)
    assert task.note.startswith("Cancelled their appointment of Wednesday, December 2")
    assert Message.objects.get(kind=TemplateKind.APPOINTMENT_REMINDER).status == \
        MessageStatus.SUPPRESSED


def test_asking_to_move_goes_to_the_associate_once(client, customer, salesperson):
    appointment, _ = _book(customer, salesperson)
    for _ in range(2):
        response = client.post(_link(appointment), {"action": "move",
                                                     "wish": "Friday afternoon?"})
    assert "We have your request for another time" in response.content.decode()
    appointment.refresh_from_db()
    assert (appointment.status, appointment.move_request) == ("booked", "Friday afternoon?")
    [task] = Task.objects.filter(assignee=salesperson)
    assert task.note == "Asks to move Wednesday, December 2 at 11:00 AM: Friday afternoon?"


def test_an_empty_move_request_keeps_the_form_and_changes_nothing(client, customer,
                                                                 salesperson):
    appointment, _ = _book(customer, salesperson)
    response = client.post(_link(appointment), {"action": "move", "wish": "  "})
    assert response.status_code == 200
    assert not Task.objects.exists()


def test_a_tampered_link_is_refused(client, customer, salesperson):
    appointment, _ = _book(customer, salesperson)
    token = selectors.manage_token(appointment)
    forged = TimestampSigner(salt="something-else").sign(str(appointment.pk))
    for bad in (token[:-2] + "xx", forged, "123"):
        url = reverse("appointments:manage", kwargs={"link": bad})
        assert client.post(url, {"action": "cancel"}).status_code == 400
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_an_expired_link_is_refused(client, customer, salesperson):
    appointment, _ = _book(customer, salesperson)
    url = _link(appointment)
    with time_machine.travel(MONDAY_10 + selectors.LINK_MAX_AGE
                             + datetime.timedelta(days=1), tick=False):
        assert client.post(url, {"action": "cancel"}).status_code == 400
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED


def test_a_link_after_the_visit_changes_nothing(client, customer, salesperson):
    appointment, _ = _book(customer, salesperson)
    with time_machine.travel(datetime.datetime(2026, 12, 2, 19, tzinfo=datetime.UTC),
                             tick=False):
        page = client.post(_link(appointment), {"action": "cancel"}).content.decode()
    assert "This appointment has passed." in page
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
