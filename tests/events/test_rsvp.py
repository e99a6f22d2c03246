"""The customer's answer through the invitation's link: no login, GET asks and changes
nothing, the same answer twice is one answer, capacity and deadline hold, and a tampered
link changes nothing."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from crm.models import Interaction
from events import services
from events.models import Invitation
from tests.events.conftest import DEADLINE, MORNING
from tests.factories import CustomerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MORNING, tick=False)]


@pytest.fixture
def invite(event, campaign):
    def make(first_name="Ann"):
        customer = CustomerFactory(store=event.store, first_name=first_name)
        return Invitation.objects.create(event=event, campaign=campaign, customer=customer,
                                         created_at=MORNING)

    return make


def _url(invitation):
    return reverse("events:rsvp", kwargs={"invitation_token": services.rsvp_token(invitation)})


def test_the_link_asks_without_login_and_changes_nothing(client, invite):
    invitation = invite()

    response = client.get(_url(invitation))

    assert response.status_code == 200
    assert b"Ann, will you come?" in response.content
    invitation.refresh_from_db()
    assert (invitation.answer, invitation.answered_at) == ("", None)
    assert not Interaction.objects.exists()


def test_answering_yes_with_guests_twice_is_one_answer(client, invite):
    invitation = invite()

    first = client.post(_url(invitation), {"answer": "yes", "guests": "2"})
    again = client.post(_url(invitation), {"answer": "yes", "guests": "2"})

    assert b"you are confirmed (3 seats)" in first.content
    assert again.status_code == 200
    invitation.refresh_from_db()
    assert (invitation.answer, invitation.guests, invitation.waitlisted) == ("yes", 2, False)
    assert [i.summary for i in invitation.customer.interactions.all()] == [
        "Confirmed (+2) for Trunk show (Sat Dec 12), by the invitation's link."]


def test_the_answer_can_change_until_the_deadline_and_not_after(client, invite):
    invitation = invite()
    client.post(_url(invitation), {"answer": "yes", "guests": "0"})
    client.post(_url(invitation), {"answer": "no"})
    invitation.refresh_from_db()
    assert invitation.answer == "no"

    with time_machine.travel(DEADLINE + datetime.timedelta(minutes=1), tick=False):
        late = client.post(_url(invitation), {"answer": "yes", "guests": "0"})
        shown = client.get(_url(invitation))

    assert late.status_code == 400
    assert b"Answers for this event have closed." in late.content
    assert b"Answers for this event have closed. Please call the store." in shown.content
    invitation.refresh_from_db()
    assert invitation.answer == "no"


def test_a_yes_over_capacity_waits_and_gets_the_seat_given_back(event, invite):
    event.capacity = 3
    event.save()
    ann, bob, cid = invite("Ann"), invite("Bob"), invite("Cid")

    services.rsvp_answer(invitation=ann, answer="yes", guests=1)
    bob_answer = services.rsvp_answer(invitation=bob, answer="yes", guests=1)
    services.rsvp_answer(invitation=cid, answer="yes", guests=0)

    assert bob_answer.invitation.waitlisted
    assert not Invitation.objects.get(pk=cid.pk).waitlisted  # one seat left: Cid fits
    promoted = services.rsvp_answer(invitation=ann, answer="no").promoted
    assert [i.customer.first_name for i in promoted] == ["Bob"]
    assert services._seats_taken(event) == 3


def test_a_tampered_link_shows_a_clear_page_and_changes_nothing(client, invite):
    invitation = invite()
    token = services.rsvp_token(invitation)
    forged = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    response = client.post(f"/events/rsvp/{forged}/", {"answer": "yes", "guests": "0"})

    assert response.status_code == 400
    assert b"This link does not work" in response.content
    invitation.refresh_from_db()
    assert invitation.answer == ""


def test_a_link_for_another_purpose_is_refused(client, invite):
    from followups.compose import unsubscribe_token

    invitation = invite()
    token = unsubscribe_token(invitation.customer_id, address="a@b.example")
    response = client.get(f"/events/rsvp/{token}/")

    assert response.status_code == 400


def test_too_many_guests_is_a_clear_message_and_saves_nothing(client, invite):
    invitation = invite()

    response = client.post(_url(invitation), {"answer": "yes", "guests": "9"})

    assert response.status_code == 400
    assert b"Ensure this value is less than or equal to 4." in response.content
    invitation.refresh_from_db()
    assert invitation.answer == ""


def test_a_cancelled_event_takes_no_answers(client, event, invite, manager):
    invitation = invite()
    services.event_cancel(event=event, notify=False, by=manager)

    response = client.post(_url(invitation), {"answer": "yes", "guests": "0"})

    assert b"this event is cancelled" in response.content
    invitation.refresh_from_db()
    assert invitation.answer == ""


def test_a_yes_plans_the_reminder_and_a_no_withdraws_it(event, campaign, invite):
    from followups.models import Message

    campaign.remind_day_before = True
    campaign.save()
    invitation = invite()
    Message.objects.create(store=event.store, customer=invitation.customer, channel="email",
                           purpose="events", kind="event_invitation", campaign=campaign,
                           status="sent", to=invitation.customer.email, due_at=MORNING,
                           sent_at=MORNING, created_at=MORNING, updated_at=MORNING)

    services.rsvp_answer(invitation=invitation, answer="yes")
    reminder = Message.objects.get(kind="event_reminder")
    assert reminder.status == "planned"
    assert reminder.due_at == datetime.datetime(2026, 12, 11, 15, 0, tzinfo=datetime.UTC)

    services.rsvp_answer(invitation=invitation, answer="no")
    reminder.refresh_from_db()
    assert (reminder.status, reminder.reason) == ("suppressed",
                                                  "They answered they cannot come.")
