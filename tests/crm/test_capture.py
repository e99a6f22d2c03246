"""The public sign-up forms: an entry changes nothing on any profile until its address is
confirmed, and a sign-up is saved and answered with Redis down."""

import contextlib
import datetime
import re
from html import unescape
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.html import escape

from config.celery import app
from core.models import AuditEntry
from crm.models import (
    Channel,
    Consent,
    ConsentMethod,
    Customer,
    Interaction,
    OccasionKind,
    Purpose,
    SignUp,
    SignUpOutcome,
    Source,
)
from crm.services.capture import RATE_LIMIT
from followups.models import Message, MessageStatus
from followups.planner import plan_followups
from followups.sender import message_send, messages_dispatch_due
from followups.tasks import send_message
from tests.factories import ConsentFactory, CustomerFactory, OccasionFactory

pytestmark = pytest.mark.django_db

# Two weeks before December 3, 10:00 at the store (America/Chicago).
NOV_19 = datetime.datetime(2026, 11, 19, 16, 0, tzinfo=datetime.UTC)
NOWHERE = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def queued(monkeypatch):
    """What was handed to the broker after commit (no worker runs in these tests)."""
    handed = []
    monkeypatch.setattr(send_message, "apply_async",
                        lambda args, **options: handed.append(args[0]))
    return handed


@pytest.fixture
def sign_up(client, store, django_capture_on_commit_callbacks):
    """Post the public form as a visitor would; what runs after commit runs."""

    def post(view="crm:capture", ip="203.0.113.7", **typed):
        data = {"first_name": "Ava", "last_name": "Brown", "email": "Ava@Mail.Example",
                "phone": "", "occasion_kind": "birthday", "occasion_month": "4",
                "occasion_day": "2"} | typed
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse(view, kwargs={"store_id": store.pk}), data,
                               REMOTE_ADDR=ip)

    return post


def _link_in_the_email(entry: SignUp) -> str:
    """Send the sign-up's confirmation email (as the worker would) and read its link."""
    message = Message.objects.get(sign_up=entry)
    assert message_send(message_id=message.pk) == "sent"
    [email] = [m for m in mail.outbox if m.to == [entry.email]]
    return re.search(r"http://testserver(\S+)", email.body).group(1)


def _confirm(client, entry: SignUp):
    return client.post(_link_in_the_email(entry))


@contextlib.contextmanager
def _redis_down():
    """The cache and the Celery broker pointed at a port where no Redis listens."""
    cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                         "LOCATION": NOWHERE}}
    broker = app.conf.broker_url
    app.conf.broker_url = NOWHERE
    try:
        # Celery keeps its connection pools: a fresh pool for the dead broker, the old ones
        # back afterwards.
        with override_settings(CACHES=cache), mock.patch.object(app, "_pool", None), \
                mock.patch.object(app.amqp, "_producer_pool", None):
            yield
    finally:
        app.conf.broker_url = broker


def test_a_sign_up_saves_only_the_entry_and_puts_its_confirmation_email_in_the_outbox(
        sign_up, store, queued):
    response = sign_up(phone="(217) 555-0142", occasion_year="1990")

    assert response.status_code == 302
    thanks = reverse("crm:capture-thanks")
    assert response["Location"] == f"{thanks}?store={store.pk}&form=website"
    entry = SignUp.objects.get()
    assert (entry.store, entry.source, entry.first_name, entry.last_name, entry.email,
            str(entry.phone)) == (store, Source.WEBSITE, "Ava", "Brown", "ava@mail.example",
                                  "+12175550142")
    assert (entry.occasion_kind, entry.occasion_month, entry.occasion_day,
            entry.occasion_year) == (OccasionKind.BIRTHDAY, 4, 2, 1990)
    assert store.name in entry.words
    assert entry.ip_hash and "203.0.113.7" not in entry.ip_hash
    assert entry.confirmed_at is None and entry.customer is None
    assert not Customer.objects.exists()
    assert not Consent.objects.exists()
    message = Message.objects.get()
    assert (message.sign_up, message.customer, message.to, message.status) == (
        entry, None, "ava@mail.example", MessageStatus.PLANNED)
    assert queued == [message.pk]
    assert not mail.outbox  # the worker sends it, not the request


@pytest.mark.time_machine(NOV_19, tick=False)
def test_a_drawing_entry_with_a_clients_email_changes_nothing_on_her_profile_until_confirmed(
        client, sign_up, store, queued):
    dana = CustomerFactory(store=store, first_name="Dana", last_name="", phone="",
                           email="dana@mail.example")
    ConsentFactory(customer=dana, channel=Channel.EMAIL, purpose=Purpose.OCCASION_REMINDERS)
    consents_before = set(Consent.objects.values_list("pk", flat=True))

    response = sign_up(view="crm:capture-drawing", first_name="Dana", last_name="Price",
                       email="dana@mail.example", phone="217-555-0199", occasion_kind="other",
                       occasion_label="Other", occasion_month="12", occasion_day="3")

    assert response.status_code == 302
    dana.refresh_from_db()
    assert (dana.last_name, dana.phone, dana.email) == ("", "", "dana@mail.example")
    assert not dana.occasions.exists()
    assert set(Consent.objects.values_list("pk", flat=True)) == consents_before
    assert not Interaction.objects.filter(customer=dana).exists()
    [result] = plan_followups(now=NOV_19)
    assert result.messages == 0
    assert not Message.objects.filter(customer=dana).exists()

    _confirm(client, SignUp.objects.get())

    dana.refresh_from_db()
    assert (dana.last_name, str(dana.phone)) == ("Price", "+12175550199")
    assert [(o.kind, o.month, o.day) for o in dana.occasions.all()] == [("other", 12, 3)]
    [result] = plan_followups(now=NOV_19)
    assert result.messages == 1
    assert Message.objects.get(customer=dana).to == "dana@mail.example"


def test_confirming_fills_only_what_her_profile_lacks_and_never_overwrites(
        client, sign_up, store, queued):
    ava = CustomerFactory(store=store, first_name="Ava", last_name="", phone="+12175550101",
                          email="ava@mail.example")
    OccasionFactory(customer=ava, kind=OccasionKind.BIRTHDAY, month=9, day=9)

    sign_up(last_name="Brown", phone="217-555-0142", occasion_month="4", occasion_day="2")
    _confirm(client, SignUp.objects.get())

    ava.refresh_from_db()
    assert (ava.first_name, ava.last_name, str(ava.phone), ava.email, ava.secondary_email) == (
        "Ava", "Brown", "+12175550101", "ava@mail.example", "")
    assert [(o.month, o.day) for o in ava.occasions.all()] == [(9, 9)]
    entry = SignUp.objects.get()
    assert (entry.customer, entry.outcome) == (ava, SignUpOutcome.PROFILE)
    assert Customer.objects.count() == 1


def test_opening_the_link_changes_nothing_and_the_button_records_consent_for_that_address_only(
        client, sign_up, store, queued):
    ava = CustomerFactory(store=store, first_name="Ava", last_name="Brown",
                          email="ava@home.example", secondary_email="ava@mail.example")
    sign_up()
    entry = SignUp.objects.get()
    link = _link_in_the_email(entry)

    page = client.get(link)
    client.get(link)

    assert page.status_code == 200
    assert escape(store.name) in page.content.decode()
    assert "Confirm my email" in page.content.decode()
    entry.refresh_from_db()
    assert entry.confirmed_at is None
    assert not Consent.objects.exists()
    assert not ava.occasions.exists()
    assert not Interaction.objects.filter(customer=ava).exists()

    button = re.search(r'<form method="post" action="([^"]+)"', page.content.decode())
    response = client.post(unescape(button.group(1)))

    assert response.status_code == 200 and "Confirmed" in response.content.decode()
    consents = Consent.objects.filter(customer=ava)
    assert {(c.address, c.channel, c.purpose, c.method, c.granted) for c in consents} == {
        ("ava@mail.example", Channel.EMAIL, Purpose.EVENTS, ConsentMethod.WEB_FORM, True),
        ("ava@mail.example", Channel.EMAIL, Purpose.OCCASION_REMINDERS, ConsentMethod.WEB_FORM,
         True),
    }
    assert {c.words for c in consents} == {entry.words}
    assert ava.occasions.get().kind == OccasionKind.BIRTHDAY
    assert "Confirmed ava@mail.example" in Interaction.objects.get(customer=ava).summary
    assert AuditEntry.objects.filter(action="sign_up.confirmed",
                                     object_id=str(entry.pk)).exists()


def test_the_confirm_button_is_a_form_protected_against_cross_site_posts(
        sign_up, store, queued):
    sign_up()
    link = _link_in_the_email(SignUp.objects.get())
    browser = Client(enforce_csrf_checks=True)

    page = browser.get(link)
    forged = browser.post(link)

    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    assert forged.status_code == 403
    assert not Consent.objects.exists() and not Customer.objects.exists()


def test_confirming_twice_says_already_confirmed_and_changes_nothing(
        client, sign_up, store, queued):
    sign_up()
    link = _link_in_the_email(SignUp.objects.get())
    client.post(link)
    counts = (Customer.objects.count(), Consent.objects.count(), Interaction.objects.count(),
              AuditEntry.objects.count())

    again = client.post(link)

    assert again.status_code == 200 and "Already confirmed" in again.content.decode()
    assert (Customer.objects.count(), Consent.objects.count(), Interaction.objects.count(),
            AuditEntry.objects.count()) == counts


@pytest.mark.time_machine(NOV_19, tick=False)
@pytest.mark.parametrize("spoil", ["tampered", "expired", "for another address"])
def test_a_tampered_or_expired_link_shows_a_clear_page_and_changes_nothing(
        client, sign_up, store, queued, spoil):
    sign_up()
    entry = SignUp.objects.get()
    link = _link_in_the_email(entry)
    later = contextlib.nullcontext()
    if spoil == "tampered":
        link = link.replace(link[-6:], "xxxxxx")
    elif spoil == "expired":
        later = time_machine.travel(NOV_19 + datetime.timedelta(days=15), tick=False)
    else:
        SignUp.objects.filter(pk=entry.pk).update(email="someone@else.example")

    with later:
        shown, pressed = client.get(link), client.post(link)

    assert (shown.status_code, pressed.status_code) == (400, 400)
    assert "not valid or has expired" in pressed.content.decode()
    entry.refresh_from_db()
    assert entry.confirmed_at is None
    assert not Customer.objects.exists() and not Consent.objects.exists()


@pytest.mark.time_machine(NOV_19, tick=False)
def test_a_stranger_with_a_clients_phone_and_their_own_email_becomes_a_new_prospect(
        client, sign_up, store, queued):
    carol = CustomerFactory(store=store, first_name="Carol", last_name="King", email="",
                            phone="+12175550123")
    OccasionFactory(customer=carol, kind=OccasionKind.BIRTHDAY, month=12, day=1)
    ConsentFactory(customer=carol, channel=Channel.SMS, purpose=Purpose.OCCASION_REMINDERS)

    sign_up(first_name="Sam", last_name="Stone", email="sam@mail.example",
            phone="(217) 555-0123", occasion_kind="", occasion_month="", occasion_day="")
    _confirm(client, SignUp.objects.get())

    carol.refresh_from_db()
    assert (carol.email, carol.secondary_email) == ("", "")
    assert not Consent.objects.filter(customer=carol, channel=Channel.EMAIL).exists()
    sam = Customer.objects.exclude(pk=carol.pk).get()
    assert (sam.first_name, sam.last_name, sam.email, sam.source) == (
        "Sam", "Stone", "sam@mail.example", Source.WEBSITE)
    assert not sam.phone  # the client's number stays hers alone
    assert SignUp.objects.get().outcome == SignUpOutcome.NEW_PROSPECT
    assert {c.purpose for c in Consent.objects.filter(customer=sam)} == {Purpose.EVENTS}
    plan_followups(now=NOV_19)
    reminders = Message.objects.filter(customer=carol)
    assert [(m.channel, m.to) for m in reminders] == [(Channel.SMS, "+12175550123")]
    assert not Message.objects.filter(to="sam@mail.example", customer__isnull=False).exists()


@pytest.mark.parametrize("main_email", ["ava@home.example", ""])
def test_the_same_name_and_phone_get_the_address_as_their_second_email_never_the_main_one(
        client, sign_up, store, queued, main_email):
    ava = CustomerFactory(store=store, first_name="AVA", last_name="brown", email=main_email,
                          phone="+12175550142")

    sign_up(phone="217 555 0142", email="ava@mail.example")
    _confirm(client, SignUp.objects.get())

    ava.refresh_from_db()
    assert (ava.email, ava.secondary_email) == (main_email, "ava@mail.example")
    assert SignUp.objects.get().outcome == SignUpOutcome.SECOND_EMAIL
    assert {c.address for c in Consent.objects.filter(customer=ava)} == {"ava@mail.example"}
    assert Customer.objects.count() == 1


def test_the_same_name_and_phone_with_both_emails_taken_leaves_a_note_for_staff(
        client, sign_up, store, queued):
    ava = CustomerFactory(store=store, first_name="Ava", last_name="Brown",
                          email="ava@home.example", secondary_email="ava@work.example",
                          phone="+12175550142")

    sign_up(phone="217 555 0142", email="ava@mail.example")
    _confirm(client, SignUp.objects.get())

    ava.refresh_from_db()
    assert (ava.email, ava.secondary_email) == ("ava@home.example", "ava@work.example")
    assert SignUp.objects.get().outcome == SignUpOutcome.NOTED
    note = Interaction.objects.get(customer=ava).summary
    assert "ava@mail.example" in note and "add it by hand" in note


def test_a_new_person_becomes_a_prospect_only_when_they_confirm(client, sign_up, store,
                                                                queued):
    sign_up(view="crm:capture-drawing", phone="217-555-0142")
    assert not Customer.objects.exists()

    _confirm(client, SignUp.objects.get())

    ava = Customer.objects.get()
    assert (ava.first_name, ava.last_name, ava.email, str(ava.phone), ava.source,
            ava.assigned_to) == ("Ava", "Brown", "ava@mail.example", "+12175550142",
                                 Source.DRAWING, None)
    assert [(o.kind, o.month, o.day) for o in ava.occasions.all()] == [("birthday", 4, 2)]
    assert {c.purpose for c in Consent.objects.filter(customer=ava)} == {
        Purpose.EVENTS, Purpose.OCCASION_REMINDERS}
    reminders = Consent.objects.get(customer=ava, purpose=Purpose.OCCASION_REMINDERS)
    assert reminders.occasion == ava.occasions.get()
    assert SignUp.objects.get().customer == ava


def test_with_redis_down_a_sign_up_is_saved_answered_and_sent_when_the_broker_is_back(
        sign_up, store, monkeypatch, django_capture_on_commit_callbacks):
    with _redis_down():
        response = sign_up()
        thanks = Client().get(response["Location"])

    assert (response.status_code, thanks.status_code) == (302, 200)
    entry = SignUp.objects.get()
    message = Message.objects.get(sign_up=entry)
    assert message.status == MessageStatus.PLANNED
    assert message.queued_at is None  # left for the dispatcher
    assert not mail.outbox

    handed = []
    monkeypatch.setattr(send_message, "apply_async",
                        lambda args, **options: handed.append(args[0]))
    with django_capture_on_commit_callbacks(execute=True):
        messages_dispatch_due()
    assert handed == [message.pk]
    assert message_send(message_id=message.pk) == "sent"
    [email] = mail.outbox
    assert email.to == ["ava@mail.example"]


def test_the_rate_limit_refuses_the_sixth_sign_up_from_one_address_within_the_hour(
        sign_up, store, queued):
    with _redis_down(), time_machine.travel(NOV_19, tick=False):
        for n in range(RATE_LIMIT):
            assert sign_up(email=f"a{n}@mail.example").status_code == 302
        refused = sign_up(email="late@mail.example")
        neighbour = sign_up(email="next.door@mail.example", ip="198.51.100.4")
    with _redis_down(), time_machine.travel(NOV_19 + datetime.timedelta(minutes=61),
                                            tick=False):
        an_hour_later = sign_up(email="later@mail.example")

    assert refused.status_code == 429
    assert "Too many sign-ups" in refused.content.decode()
    assert refused.context["form"]["email"].value() == "late@mail.example"
    assert not SignUp.objects.filter(email="late@mail.example").exists()
    assert (neighbour.status_code, an_hour_later.status_code) == (302, 302)
    assert SignUp.objects.count() == RATE_LIMIT + 2
    assert Message.objects.count() == RATE_LIMIT + 2


def test_a_bot_filling_the_honeypot_is_thanked_and_ignored(sign_up, queued):
    response = sign_up(website="http://spam.example")

    assert response.status_code == 302
    assert not SignUp.objects.exists() and not Message.objects.exists()
    assert not queued


@pytest.mark.parametrize(("overrides", "field"), [
    ({"email": "ava@"}, "email"),
    ({"email": ""}, "email"),
    ({"first_name": " "}, "first_name"),
    ({"phone": "123"}, "phone"),
    ({"occasion_month": "2", "occasion_day": "30"}, "occasion_day"),
    ({"occasion_year": "2031"}, "occasion_year"),
    ({"occasion_kind": ""}, "occasion_kind"),
])
def test_bad_sign_up_input_is_shown_beside_the_field(sign_up, queued, overrides, field):
    response = sign_up(**overrides)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert response.context["form"]["last_name"].value() == "Brown"
    assert not SignUp.objects.exists() and not Message.objects.exists()
    assert not queued
