"""A wrong date can be corrected, and a date is never there twice: on the profile, through
"Log a visit", and in the database itself."""

import datetime
import uuid

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from core.errors import LoupeError
from core.models import AuditEntry
from crm import services
from crm.models import Channel, Interaction, InteractionKind, Occasion, OccasionKind
from followups.models import CallTask, Message, MessageStatus
from followups.planner import plan_store
from tests.factories import (
    CallTaskFactory,
    ConsentFactory,
    CustomerFactory,
    MessageFactory,
    OccasionFactory,
)

pytestmark = pytest.mark.django_db

# Nov 26, 2026, 10:00 in Chicago (the test store's timezone): Dec 10 is two weeks ahead.
MORNING = datetime.datetime(2026, 11, 26, 16, 0, tzinfo=datetime.UTC)
DEC_10 = datetime.date(2026, 12, 10)
DEC_11 = datetime.date(2026, 12, 11)


@pytest.fixture
def olivia(store, salesperson):
    """Olivia's birthday is on file as Dec 10, and she asked for email reminders."""
    customer = CustomerFactory(store=store, first_name="Olivia", last_name="Hernandez",
                               phone="+12175550226", email="olivia@mail.example",
                               assigned_to=salesperson)
    OccasionFactory(customer=customer, kind=OccasionKind.BIRTHDAY, month=12, day=10)
    ConsentFactory(customer=customer, channel=Channel.EMAIL,
                   created_at=datetime.datetime(2026, 1, 5, 12, tzinfo=datetime.UTC))
    return customer


def _visit(customer, **fields):
    """The walk-in form as "Log a visit" shows it for `customer`, with `fields` changed."""
    return {"key": str(uuid.uuid4()), "customer": customer.pk, "first_name": customer.first_name,
            "last_name": customer.last_name, "phone": "(217) 555-0226",
            "email": customer.email, "bought": "no", "birthday_month": "12",
            "birthday_day": "10"} | fields


def _edit_url(occasion):
    return reverse("crm:occasion-edit", kwargs={"customer_id": occasion.customer_id,
                                                "occasion_id": occasion.pk})


def _remove_url(occasion):
    return reverse("crm:occasion-remove", kwargs={"customer_id": occasion.customer_id,
                                                  "occasion_id": occasion.pk})


def test_the_database_refuses_a_second_occasion_of_the_same_kind_and_date(store):
    customer = CustomerFactory(store=store)
    OccasionFactory(customer=customer, kind=OccasionKind.BIRTHDAY, month=12, day=10)

    with pytest.raises(IntegrityError), transaction.atomic():
        Occasion.objects.create(customer=customer, kind=OccasionKind.BIRTHDAY, month=12, day=10,
                                year=1990)

    assert Occasion.objects.filter(customer=customer).count() == 1
    # Another kind on that date, or another customer's birthday, is a date of its own.
    OccasionFactory(customer=customer, kind=OccasionKind.ANNIVERSARY, month=12, day=10)
    OccasionFactory(customer=CustomerFactory(store=store), kind=OccasionKind.BIRTHDAY,
                    month=12, day=10)


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_birthday_corrected_through_log_a_visit_is_one_birthday_and_the_old_reminder_is_not_sent(
        sales_client, store, olivia):
    plan_store(store=store, now=MORNING)
    old_reminder = Message.objects.get(customer=olivia)
    assert old_reminder.occurs_on == DEC_10

    response = sales_client.post(reverse("crm:walk-in"), _visit(olivia, birthday_day="11"))

    assert response.status_code == 302
    birthday = Occasion.objects.get(customer=olivia)
    assert (birthday.kind, birthday.month, birthday.day) == (OccasionKind.BIRTHDAY, 12, 11)
    old_reminder.refresh_from_db()
    assert old_reminder.status == MessageStatus.SUPPRESSED
    assert old_reminder.reason == "The occasion was moved to another date."
    assert Interaction.objects.filter(customer=olivia, kind=InteractionKind.CHANGE,
                                      summary="Birthday changed from Dec 10 to Dec 11.").exists()
    # The next day's planner reminds the corrected date, once; nothing for Dec 10 again.
    plan_store(store=store, now=MORNING + datetime.timedelta(days=1))
    planned = Message.objects.filter(customer=olivia, status=MessageStatus.PLANNED)
    assert [(m.occasion_id, m.occurs_on) for m in planned] == [(birthday.pk, DEC_11)]


@pytest.mark.time_machine(MORNING, tick=False)
def test_a_date_already_on_file_is_not_added_again_by_log_a_visit(sales_client, store, olivia):
    plan_store(store=store, now=MORNING)

    response = sales_client.post(reverse("crm:walk-in"), _visit(
        olivia, birthday_year="1990", anniversary_month="6", anniversary_day="1"))

    assert response.status_code == 302
    birthday = Occasion.objects.get(customer=olivia, kind=OccasionKind.BIRTHDAY)
    anniversary = Occasion.objects.get(customer=olivia, kind=OccasionKind.ANNIVERSARY)
    assert (birthday.month, birthday.day, birthday.year) == (12, 10, 1990)
    assert (anniversary.kind, anniversary.month, anniversary.day) == ("anniversary", 6, 1)
    # The reminder planned for Dec 10 still goes: the date did not change.
    assert Message.objects.get(customer=olivia).status == MessageStatus.PLANNED
    assert olivia.walk_ins.count() == 1


def test_log_a_visit_for_a_known_customer_shows_what_is_on_file(sales_client, store, olivia):
    OccasionFactory(customer=olivia, kind=OccasionKind.OTHER, label="Graduation", month=5,
                    day=20)

    response = sales_client.get(reverse("crm:walk-in"), {"customer": olivia.pk})

    page = response.content.decode()
    start = page.index("crm-on-file")
    on_file = page[start:page.index("</section>", start)]
    assert "(217) 555-0226" in on_file and "+12175550226" not in on_file
    assert "olivia@mail.example" in on_file
    assert "Birthday Dec 10" in on_file and "Graduation May 20" in on_file
    assert "Email olivia@mail.example · occasion reminders" in on_file
    assert "Text ·" not in on_file
    form = response.context["form"]
    assert form["phone"].value() == "(217) 555-0226"
    assert (form["birthday_month"].value(), form["birthday_day"].value()) == (12, 10)
    assert (form["other_label"].value(), form["other_day"].value()) == ("Graduation", 20)
    assert form["anniversary_month"].value() is None


def test_a_visit_never_erases_and_a_new_number_goes_on_the_timeline(sales_client, store,
                                                                     olivia):
    olivia.city = "Springfield"
    olivia.save()

    response = sales_client.post(reverse("crm:walk-in"), _visit(
        olivia, phone="(217) 555-0199", city="", last_name=""))

    assert response.status_code == 302
    olivia.refresh_from_db()
    assert str(olivia.phone) == "+12175550199"
    assert (olivia.city, olivia.last_name) == ("Springfield", "Hernandez")
    assert Interaction.objects.filter(
        customer=olivia, kind=InteractionKind.CHANGE,
        summary="Phone changed from (217) 555-0226 to (217) 555-0199.").exists()
    assert Occasion.objects.filter(customer=olivia).count() == 1


@pytest.mark.time_machine(MORNING, tick=False)
def test_correcting_a_date_on_the_profile_keeps_its_history_and_holds_back_the_old_reminder(
        sales_client, store, olivia, salesperson, manager):
    birthday = olivia.occasions.get()
    reminder = MessageFactory(customer=olivia, occasion=birthday, occurs_on=DEC_10,
                              due_at=MORNING)
    call = CallTaskFactory(customer=olivia, occasion=birthday, occurs_on=DEC_10)
    sent_last_year = MessageFactory(customer=olivia, occasion=birthday, status=MessageStatus.SENT,
                                    occurs_on=datetime.date(2025, 12, 10), due_at=MORNING)

    response = sales_client.post(_edit_url(birthday), {"month": "12", "day": "11",
                                                       "year": "1990"})

    assert response.status_code == 302
    birthday.refresh_from_db()
    assert (birthday.month, birthday.day, birthday.year) == (12, 11, 1990)
    reminder.refresh_from_db()
    assert (reminder.status, reminder.reason) == (MessageStatus.SUPPRESSED,
                                                  "The occasion was moved to another date.")
    call.refresh_from_db()
    assert call.done_at == MORNING and call.outcome == "The occasion was moved to another date."
    sent_last_year.refresh_from_db()
    assert (sent_last_year.status, sent_last_year.occasion) == (MessageStatus.SENT, birthday)
    entry = AuditEntry.objects.get(action="occasion.changed")
    assert entry.actor == salesperson.user and entry.data["from"] == [12, 10, None]
    sales_client.force_login(manager.user)
    history = sales_client.get(reverse("crm:history", kwargs={"customer_id": olivia.pk}))
    assert "10 → 11" in history.content.decode()


@pytest.mark.time_machine(MORNING, tick=False)
def test_removing_a_date_keeps_its_history_and_the_reminders_already_sent(
        sales_client, store, olivia, manager):
    birthday = olivia.occasions.get()
    planned = MessageFactory(customer=olivia, occasion=birthday, occurs_on=DEC_10, due_at=MORNING)
    sent = MessageFactory(customer=olivia, occasion=birthday, status=MessageStatus.SENT,
                          occurs_on=datetime.date(2025, 12, 10), due_at=MORNING)
    call = CallTaskFactory(customer=olivia, occasion=birthday, occurs_on=DEC_10)

    asked = sales_client.get(_remove_url(birthday))
    assert asked.status_code == 200
    assert Occasion.objects.filter(pk=birthday.pk).exists()  # a GET only asks
    response = sales_client.post(_remove_url(birthday))

    assert response.status_code == 302
    assert not Occasion.objects.filter(customer=olivia).exists()
    planned.refresh_from_db()
    assert (planned.status, planned.reason) == (MessageStatus.SUPPRESSED,
                                                "The occasion was removed from the profile.")
    sent.refresh_from_db()
    assert (sent.status, sent.customer, sent.occurs_on) == (
        MessageStatus.SENT, olivia, datetime.date(2025, 12, 10))
    call.refresh_from_db()
    assert call.done_at == MORNING and call.customer == olivia
    assert Interaction.objects.filter(customer=olivia,
                                      summary="Birthday (Dec 10) removed.").exists()
    sales_client.force_login(manager.user)
    history = sales_client.get(reverse("crm:history", kwargs={"customer_id": olivia.pk}))
    assert "Occasion removed" in history.content.decode()
    # Nothing is planned for the date any more.
    plan_store(store=store, now=MORNING)
    assert not Message.objects.filter(status=MessageStatus.PLANNED).exists()
    assert not CallTask.objects.filter(done_at__isnull=True).exists()


@pytest.mark.time_machine(MORNING, tick=False)
@pytest.mark.parametrize(("data", "field", "message"), [
    ({"month": "2", "day": "30"}, "day", "February has no day 30."),
    ({"month": "12", "day": "10", "year": "2030"}, "year", "A birthday cannot be in the future."),
    ({"month": "", "day": "10"}, "month", "This field is required."),
    ({"month": "12", "day": "32"}, "day", "less than or equal to 31"),
])
def test_a_bad_date_on_the_occasion_form_is_shown_beside_the_field_and_keeps_what_was_typed(
        sales_client, olivia, data, field, message):
    birthday = olivia.occasions.get()

    response = sales_client.post(_edit_url(birthday), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert form["day"].value() == data["day"]
    birthday.refresh_from_db()
    assert (birthday.month, birthday.day, birthday.year) == (12, 10, None)
    assert not AuditEntry.objects.filter(action="occasion.changed").exists()


def test_moving_a_date_onto_one_already_on_file_is_refused_beside_the_day(sales_client,
                                                                          olivia):
    other = OccasionFactory(customer=olivia, kind=OccasionKind.BIRTHDAY, month=3, day=4)

    response = sales_client.post(_edit_url(other), {"month": "12", "day": "10"})

    assert response.status_code == 200
    assert response.context["form"].errors["day"] == ["Birthday on Dec 10 is already on file."]
    other.refresh_from_db()
    assert (other.month, other.day) == (3, 4)


def test_the_service_refuses_what_the_form_refuses(olivia, salesperson):
    birthday = olivia.occasions.get()
    with pytest.raises(LoupeError, match="February has no day 30"):
        services.occasion_change(occasion=birthday, by=salesperson, month=2, day=30)
    birthday.refresh_from_db()
    assert (birthday.month, birthday.day) == (12, 10)


def test_another_stores_manager_cannot_change_or_remove_our_dates(other_manager_client, olivia):
    birthday = olivia.occasions.get()
    assert other_manager_client.post(_edit_url(birthday), {"month": "1",
                                                           "day": "1"}).status_code == 404
    assert other_manager_client.post(_remove_url(birthday)).status_code == 404
    birthday.refresh_from_db()
    assert (birthday.month, birthday.day) == (12, 10)


def test_the_profile_and_its_edit_screen_link_to_each_date(sales_client, olivia):
    birthday = olivia.occasions.get()
    for name in ("crm:customer", "crm:edit"):
        page = sales_client.get(reverse(name, kwargs={"customer_id": olivia.pk}))
        assert _edit_url(birthday) in page.content.decode()
