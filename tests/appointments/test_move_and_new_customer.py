"""The store moves a visit (every check of a booking, a "moved" notice with the updated .ics,
the old link opening the new time) and books someone who has no profile yet."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from appointments import selectors, services
from appointments.models import Appointment, AppointmentStatus, BookingHours, ClosedDay
from core.errors import LoupeError
from crm.models import Channel, Consent, Customer, Purpose, Source
from followups.models import Message, MessageStatus, TemplateKind
from followups.sender import message_send
from tests.factories import ConsentFactory, CustomerFactory

# Monday Nov 30 2026, 10:00 in Chicago (the test store's clock), inside sending hours.
MONDAY_10 = datetime.datetime(2026, 11, 30, 16, tzinfo=datetime.UTC)
WEDNESDAY = datetime.date(2026, 12, 2)
THURSDAY = datetime.date(2026, 12, 3)
pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MONDAY_10, tick=False)]


@pytest.fixture
def customer(store, salesperson):
    return CustomerFactory(store=store, assigned_to=salesperson, first_name="Nora")


@pytest.fixture
def booked(customer, salesperson):
    ConsentFactory(customer=customer, channel=Channel.EMAIL, purpose=Purpose.REPAIR_NOTICES)
    return services.appointment_book(customer=customer, associate=salesperson, day=WEDNESDAY,
                                     at=datetime.time(11), minutes=60, purpose="bridal",
                                     by=salesperson)[0]


def _move(appointment, associate, *, day=THURSDAY, at=datetime.time(15), minutes=60):
    return services.appointment_move(appointment=appointment, associate=associate, day=day,
                                     at=at, minutes=minutes, by=associate)


def test_a_moved_visit_frees_its_old_time_and_tells_the_customer_once(booked, salesperson):
    moved, refused = _move(booked, salesperson)
    booked.refresh_from_db()
    assert (booked.status, booked.moved_to) == (AppointmentStatus.MOVED, moved)
    assert (moved.status, moved.purpose, moved.local_start.hour) == ("booked", "bridal", 15)
    assert refused == [str(booked.customer.phone)]  # no consent for texts: nothing there
    old = {m.kind: m.status for m in Message.objects.filter(appointment=booked)}
    assert old[TemplateKind.APPOINTMENT_REMINDER] == MessageStatus.SUPPRESSED
    new = Message.objects.filter(appointment=moved)
    assert sorted(new.values_list("kind", flat=True)) == [TemplateKind.APPOINTMENT_MOVED,
                                                          TemplateKind.APPOINTMENT_REMINDER]
    notice = new.get(kind=TemplateKind.APPOINTMENT_MOVED)
    assert message_send(message_id=notice.pk) == "sent"
    assert message_send(message_id=notice.pk) == "nothing to do"
    [email] = mail.outbox
    assert "has moved" in email.subject
    assert "Thursday, December 3 at 3:00 PM" in email.body
    ics = email.attachments[0][1]
    ics = ics.decode() if isinstance(ics, bytes) else ics
    # The calendar keeps the visit's first identity and takes the move as a new version.
    assert f"UID:appointment-{booked.pk}@" in ics and "SEQUENCE:1" in ics
    assert "DTSTART:20261203T210000Z" in ics
    assert booked.customer.interactions.filter(
        summary__startswith="Appointment of Wednesday, December 2 at 11:00 AM moved to "
                            "Thursday, December 3 at 3:00 PM").exists()
    # The old time is free again.
    services.appointment_book(customer=CustomerFactory(store=booked.store), by=salesperson,
                              associate=salesperson, day=WEDNESDAY, at=datetime.time(11),
                              minutes=60, purpose="other")


def test_moving_by_half_an_hour_does_not_clash_with_itself(booked, salesperson):
    moved, _ = _move(booked, salesperson, day=WEDNESDAY, at=datetime.time(11, 30))
    assert moved.local_start.minute == 30


def test_without_consent_a_move_sends_nothing(customer, salesperson):
    appointment = services.appointment_book(customer=customer, associate=salesperson,
                                            day=WEDNESDAY, at=datetime.time(11), minutes=60,
                                            purpose="bridal", by=salesperson)[0]
    moved, refused = _move(appointment, salesperson)
    assert not Message.objects.filter(appointment=moved).exists()
    assert refused == [customer.email, str(customer.phone)]


@pytest.mark.parametrize(("day", "at", "why"), [
    (datetime.date(2026, 11, 29), datetime.time(11), "has passed"),
    (datetime.date(2026, 12, 6), datetime.time(11), "no appointments on Sundays"),
    (THURSDAY, datetime.time(17, 30), "between 10:00 and 18:00"),
    (THURSDAY, datetime.time(15, 30), "already has Omar"),
])
def test_a_move_meets_every_check_of_a_booking_and_changes_nothing_when_refused(
        booked, salesperson, store, day, at, why):
    services.appointment_book(customer=CustomerFactory(store=store, first_name="Omar"),
                              associate=salesperson, day=THURSDAY, at=datetime.time(15),
                              minutes=60, purpose="other", by=salesperson)
    with pytest.raises(LoupeError, match=why):
        _move(booked, salesperson, day=day, at=at)
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED and booked.moved_to is None
    assert not Message.objects.filter(kind=TemplateKind.APPOINTMENT_MOVED).exists()


def test_a_closed_day_and_a_time_the_clocks_skip_are_refused(booked, salesperson, store):
    ClosedDay.objects.create(store=store, day=THURSDAY, reason="Inventory")
    with pytest.raises(LoupeError, match="closed on Dec 3"):
        _move(booked, salesperson)
    BookingHours.objects.filter(store=store).update(opens_at=datetime.time(0),
                                                    closes_at=datetime.time(23),
                                                    closed_weekdays=[])
    with pytest.raises(LoupeError, match="does not exist on Mar 14"):
        _move(booked, salesperson, day=datetime.date(2027, 3, 14), at=datetime.time(2, 30))
    assert Appointment.objects.count() == 1


def test_the_same_time_is_not_a_move_and_a_moved_visit_moves_no_more(booked, salesperson):
    with pytest.raises(LoupeError, match="already has"):
        _move(booked, salesperson, day=WEDNESDAY, at=datetime.time(11))
    _move(booked, salesperson)
    with pytest.raises(LoupeError, match="already moved"):
        _move(booked, salesperson, day=datetime.date(2026, 12, 4))
    assert Appointment.objects.count() == 2


def test_the_customers_old_link_opens_the_visit_at_its_new_time(client, booked, salesperson):
    old_link = reverse("appointments:manage", kwargs={"link": selectors.manage_token(booked)})
    moved, _ = _move(booked, salesperson)
    page = client.get(old_link).content.decode()
    assert "Thursday, December 3 at 3:00 PM" in page
    client.post(old_link, {"action": "cancel"})
    moved.refresh_from_db()
    assert moved.status == AppointmentStatus.CANCELLED


def test_moving_from_the_appointment_page_shows_the_new_day(sales_client, booked, salesperson):
    url = reverse("appointments:move", kwargs={"appointment_id": booked.pk})
    assert sales_client.get(url).status_code == 200
    assert not Appointment.objects.filter(status=AppointmentStatus.MOVED).exists()  # GET
    response = sales_client.post(url, {"associate": salesperson.pk, "day": "2026-12-03",
                                       "time": "15:00", "minutes": "60"}, follow=True)
    assert "is booked on Thursday, December 3 at 3:00 PM" in response.content.decode()
    assert Appointment.objects.filter(status=AppointmentStatus.MOVED).count() == 1
    # The old day's calendar no longer shows the visit.
    wednesday = sales_client.get(reverse("appointments:calendar") + "?day=2026-12-02")
    assert booked.customer.full_name not in wednesday.content.decode()


def test_a_refused_move_keeps_what_was_typed(sales_client, booked, salesperson):
    url = reverse("appointments:move", kwargs={"appointment_id": booked.pk})
    response = sales_client.post(url, {"associate": salesperson.pk, "day": "2026-12-06",
                                       "time": "15:00", "minutes": "60"})
    assert response.status_code == 200
    assert "no appointments on Sundays" in response.content.decode()
    assert response.context["form"]["day"].value() == "2026-12-06"
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED


def test_another_stores_appointment_cannot_be_moved(other_manager_client, booked):
    url = reverse("appointments:move", kwargs={"appointment_id": booked.pk})
    assert other_manager_client.get(url).status_code == 404
    assert other_manager_client.post(url, {}).status_code == 404


# Someone with no profile yet.

NEW = "appointments:book-new-customer"


def _new(associate, **fields):
    return {"first_name": "Ines", "last_name": "Roth", "phone": "(312) 555-0199",
            "email": "ines@example.com", "source": "referral", "notices_agreed": "on",
            "associate": associate.pk, "day": "2026-12-02", "time": "11:00", "minutes": "60",
            "purpose": "anniversary", "note": "", **fields}


def test_someone_new_is_booked_as_a_prospect_with_the_consent_they_gave(
        sales_client, store, salesperson):
    response = sales_client.post(reverse(NEW), _new(salesperson), follow=True)
    assert "Ines Roth is booked on Wednesday, December 2 at 11:00 AM" in \
        response.content.decode()
    ines = Customer.objects.get(first_name="Ines")
    assert (ines.source, ines.assigned_to, str(ines.phone)) == (Source.REFERRAL, salesperson,
                                                                "+13125550199")
    assert not ines.purchases.exists()  # a prospect
    granted = set(Consent.objects.filter(customer=ines).values_list("channel", "purpose",
                                                                    "method"))
    assert granted == {("email", Purpose.REPAIR_NOTICES, "staff"),
                       ("sms", Purpose.REPAIR_NOTICES, "staff")}
    kinds = set(Message.objects.filter(customer=ines).values_list("kind", "channel"))
    assert (TemplateKind.APPOINTMENT_CONFIRMATION, "email") in kinds


def test_without_their_agreement_no_consent_and_no_message(sales_client, salesperson):
    sales_client.post(reverse(NEW), _new(salesperson, notices_agreed=""))
    ines = Customer.objects.get(first_name="Ines")
    assert not Consent.objects.filter(customer=ines).exists()
    assert not Message.objects.filter(customer=ines).exists()


@pytest.mark.parametrize(("fields", "why"), [
    ({"phone": "", "email": ""}, "A phone number or an email is needed"),
    ({"day": "2026-12-06"}, "no appointments on Sundays"),
    ({"email": "not an email"}, ""),
    ({"first_name": ""}, ""),
])
def test_bad_input_creates_no_profile_and_keeps_what_was_typed(sales_client, salesperson,
                                                               fields, why):
    response = sales_client.post(reverse(NEW), _new(salesperson, **fields))
    assert response.status_code == 200
    assert why in response.content.decode()
    assert response.context["form"].errors
    assert response.context["form"]["last_name"].value() == "Roth"
    assert not Customer.objects.exists() and not Appointment.objects.exists()


def test_someone_already_on_file_is_booked_from_their_page(sales_client, store, salesperson):
    CustomerFactory(store=store, first_name="Ines", last_name="Old",
                    email="ines@example.com")
    response = sales_client.post(reverse(NEW), _new(salesperson, phone=""))
    assert "Ines Old already has this phone or email" in response.content.decode()
    assert Customer.objects.count() == 1 and not Appointment.objects.exists()


def test_the_new_customer_form_writes_nothing_on_get(sales_client):
    assert sales_client.get(reverse(NEW)).status_code == 200
    assert not Customer.objects.exists()
