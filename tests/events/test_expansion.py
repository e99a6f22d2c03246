"""Sending a campaign: expanded into the outbox once, whoever starts it and however often;
sent by the ordinary sender, so consent taken back after scheduling still stops a message."""

import datetime
import threading

import pytest
import time_machine
from django.core import mail
from django.db import connection

from core.errors import LoupeError
from crm.models import Channel, Consent, ConsentMethod, Purpose
from events import services
from events.audience import INSERT_MESSAGES
from events.models import AudienceEntry, CampaignStatus, Channels, Invitation
from followups.models import Message, MessageStatus
from followups.sender import message_send
from followups.services import sms_inbound
from tests.events.conftest import MORNING
from tests.factories import StaffMemberFactory

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MORNING, tick=False)]


def _send_all():
    return [message_send(message_id=pk) for pk in
            Message.objects.filter(status=MessageStatus.PLANNED).values_list("pk", flat=True)]


def test_send_now_plans_one_invitation_per_customer_and_channel(campaign, guest, manager):
    ann = guest(first_name="Ann", channels=(Channel.EMAIL, Channel.SMS))
    guest(first_name="Bob", channels=())
    campaign.channels = Channels.BOTH
    campaign.save()

    services.campaign_start(campaign=campaign, by=manager)
    result = services.campaign_expand(campaign_id=campaign.pk)

    assert result.messages == 2
    rows = Message.objects.order_by("channel")
    assert [(m.customer, m.channel, m.kind, m.purpose, m.to) for m in rows] == [
        (ann, "email", "event_invitation", "events", ann.email),
        (ann, "sms", "event_invitation", "events", str(ann.phone))]
    assert Invitation.objects.get().customer == ann
    assert AudienceEntry.objects.count() == 2
    campaign.refresh_from_db()
    assert campaign.is_expanded


def test_the_invitation_names_the_event_and_carries_the_rsvp_link(campaign, guest, manager):
    ann = guest(first_name="Ann")
    services.campaign_start(campaign=campaign, by=manager)
    services.campaign_expand(campaign_id=campaign.pk)

    assert _send_all() == ["sent"]

    email = mail.outbox[0]
    assert email.subject == "Save the date: Trunk show at Gem & Loupe Springfield"
    assert "Trunk show, Saturday, December 12 at 6:00 PM, Main floor" in email.body
    token = services.rsvp_token(Invitation.objects.get(customer=ann))
    assert f"http://testserver/events/rsvp/{token}/" in email.body
    assert "Unsubscribe: http://testserver/followups/unsubscribe/" in email.body


def test_starting_twice_is_refused_and_expanding_twice_adds_nothing(campaign, guest, manager):
    guest(first_name="Ann")
    services.campaign_start(campaign=campaign, by=manager)
    services.campaign_expand(campaign_id=campaign.pk)

    with pytest.raises(LoupeError, match="already started by Maria Manager"):
        services.campaign_start(campaign=campaign, by=StaffMemberFactory(store=campaign.store))
    # A retried task, or the beat's catch-up, on a campaign already expanded.
    campaign.expanded_at = None
    campaign.expanded_through = 0
    campaign.save()
    again = services.campaign_expand(campaign_id=campaign.pk)

    assert again.messages == 0
    assert Message.objects.count() == 1
    assert Invitation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_processes_expanding_at_once_send_each_message_once(campaign, guest, manager):
    for n in range(12):
        guest(first_name=f"Guest{n}", channels=(Channel.EMAIL, Channel.SMS))
    campaign.channels = Channels.BOTH
    campaign.save()
    services.campaign_start(campaign=campaign, by=manager)
    start = threading.Barrier(2)
    results, errors = [], []

    def expand():
        try:
            start.wait()
            results.append(services.campaign_expand(campaign_id=campaign.pk, batch_size=5))
        except Exception as exc:  # noqa: BLE001 - the assertion below reports it
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=expand) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors
    assert sum(r.messages for r in results) == 24
    assert Message.objects.count() == 24
    assert Message.objects.values("customer", "channel").distinct().count() == 24
    assert Invitation.objects.count() == 12


@pytest.mark.django_db(transaction=True)
def test_two_managers_pressing_send_at_once_start_it_once(campaign, guest, manager, store):
    guest(first_name="Ann")
    other = StaffMemberFactory(store=store, role="manager")
    start = threading.Barrier(2)
    outcomes = []

    def press(by):
        try:
            start.wait()
            services.campaign_start(campaign=campaign, by=by)
            outcomes.append("started")
        except LoupeError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=press, args=(by,)) for by in (manager, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["already_started", "started"]


def test_consent_revoked_between_scheduling_and_sending_suppresses_that_message(
        campaign, guest, manager):
    ann, bob = guest(first_name="Ann"), guest(first_name="Bob")
    services.campaign_start(campaign=campaign, by=manager,
                            at=MORNING + datetime.timedelta(hours=2))
    Consent.objects.create(customer=bob, channel=Channel.EMAIL, address=bob.email,
                           purpose=Purpose.EVENTS, granted=False,
                           method=ConsentMethod.UNSUBSCRIBE,
                           created_at=MORNING + datetime.timedelta(hours=1))

    with time_machine.travel(MORNING + datetime.timedelta(hours=2, minutes=1), tick=False):
        assert services.campaigns_advance()["started"] == 1
        _send_all()
    # Expanded at its time, Bob is left out as unsubscribed; had the row been planned
    # already (expanded earlier), the sender would have held it back: both are covered.
    assert [e.to for e in mail.outbox] == [[ann.email]]
    assert AudienceEntry.objects.get(customer=bob).reason == "unsubscribed"


def test_consent_revoked_after_expansion_is_checked_again_by_the_sender(campaign, guest,
                                                                      manager):
    ann = guest(first_name="Ann")
    services.campaign_start(campaign=campaign, by=manager)
    services.campaign_expand(campaign_id=campaign.pk)
    Consent.objects.create(customer=ann, channel=Channel.EMAIL, address=ann.email,
                           purpose=Purpose.EVENTS, granted=False,
                           method=ConsentMethod.UNSUBSCRIBE, created_at=MORNING)

    assert _send_all() == ["suppressed"]
    assert not mail.outbox
    assert "No current consent for events and news" in Message.objects.get().reason


def test_a_campaigns_email_and_text_are_one_touch_for_the_fatigue_cap(campaign, guest,
                                                                     manager):
    guest(first_name="Ann", channels=(Channel.EMAIL, Channel.SMS))
    campaign.channels = Channels.BOTH
    campaign.save()
    services.campaign_start(campaign=campaign, by=manager)
    services.campaign_expand(campaign_id=campaign.pk)

    assert sorted(_send_all()) == ["sent", "sent"]


def test_pausing_holds_the_unsent_and_resuming_lets_them_go(campaign, guest, manager):
    guest(first_name="Ann")
    services.campaign_start(campaign=campaign, by=manager)
    services.campaign_expand(campaign_id=campaign.pk)

    services.campaign_pause(campaign=campaign, by=manager)
    assert Message.objects.get().status == MessageStatus.PAUSED
    assert _send_all() == []  # the dispatcher and the sender see no planned row

    services.campaign_resume(campaign=campaign, by=manager)
    assert _send_all() == ["sent"]
    assert services.campaigns_advance()["done"] == 1
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DONE


def test_pausing_in_the_middle_stops_the_expansion_and_resuming_carries_on(campaign, guest,
                                                                          manager):
    for n in range(6):
        guest(first_name=f"Guest{n}")
    services.campaign_start(campaign=campaign, by=manager)
    services.campaign_expand(campaign_id=campaign.pk, batch_size=2)
    campaign.refresh_from_db()
    campaign.expanded_at, campaign.expanded_through = None, campaign.expand_until - 4
    campaign.save()  # as if the worker had done the first batch only
    Message.objects.filter(customer_id__gt=campaign.expanded_through).delete()

    services.campaign_pause(campaign=campaign, by=manager)
    assert services.campaign_expand(campaign_id=campaign.pk, batch_size=2).batches == 0
    services.campaign_resume(campaign=campaign, by=manager)
    assert services.campaign_expand(campaign_id=campaign.pk, batch_size=2).messages == 4

    assert Message.objects.count() == 6


def test_expansion_costs_the_same_queries_per_batch_whatever_the_audience(
        campaign, guest, manager, django_assert_max_num_queries):
    def queries(customers: int) -> int:
        Message.objects.all().delete()
        AudienceEntry.objects.all().delete()
        Invitation.objects.all().delete()
        while campaign.store.customers.count() < customers:
            guest()
        campaign.refresh_from_db()
        campaign.status, campaign.expanded_at, campaign.expanded_through = "sending", None, 0
        campaign.expand_until = campaign.store.customers.order_by("-pk").first().pk
        campaign.save()
        with django_assert_max_num_queries(1000) as captured:
            result = services.campaign_expand(campaign_id=campaign.pk, batch_size=4)
        assert Message.objects.count() == customers
        return len(captured), result.batches

    small, small_batches = queries(8)
    large, large_batches = queries(24)

    per_batch = (large - small) / (large_batches - small_batches)
    assert (small_batches, large_batches) == (2, 6)
    # The lock, the messaging settings, the next boundary, JIT off, three INSERT ... SELECT,
    # the save, a savepoint and its release.
    assert per_batch <= 10
    assert small - small_batches * per_batch <= 4  # and a constant rest


def test_the_expansions_insert_gives_every_column_of_the_outbox_a_value():
    from tests.followups.test_outbox_columns import _insert_columns, _missing

    named = _insert_columns(INSERT_MESSAGES, Message._meta.db_table)

    assert not _missing(named, Message._meta.concrete_fields)
    assert not named - {f.column for f in Message._meta.concrete_fields}


def test_a_texted_yes_answers_the_text_invitation(campaign, guest, manager):
    ann = guest(first_name="Ann", channels=(Channel.SMS,))
    campaign.channels = Channels.SMS
    campaign.save()
    services.campaign_start(campaign=campaign, by=manager)
    services.campaign_expand(campaign_id=campaign.pk)
    assert _send_all() == ["sent"]

    reply = sms_inbound(sender=str(ann.phone), store_number="+12175550100", text="Yes!")

    invitation = Invitation.objects.get(customer=ann)
    assert (invitation.answer, invitation.guests) == ("yes", 0)
    assert reply.startswith("Gem & Loupe Springfield: thank you, see you at Trunk show")
    assert ann.interactions.filter(summary__startswith="Confirmed for Trunk show").exists()


def test_a_texted_yes_without_a_text_invitation_is_an_ordinary_reply(store, guest):
    ann = guest(first_name="Ann", channels=(Channel.SMS,))

    assert sms_inbound(sender=str(ann.phone), store_number="+12175550100", text="YES") == ""
    assert ann.interactions.get().summary == "Texted: YES"


def test_cancelling_the_event_withdraws_the_unsent_and_tells_those_invited(
        event, campaign, guest, manager):
    ann, bob = guest(first_name="Ann"), guest(first_name="Bob")
    services.campaign_start(campaign=campaign, by=manager)
    services.campaign_expand(campaign_id=campaign.pk)
    message_send(message_id=Message.objects.get(customer=ann).pk)

    services.event_cancel(event=event, notify=True, by=manager)
    services.event_cancel(event=event, notify=True, by=manager)  # twice is once

    bobs = Message.objects.get(customer=bob)
    assert (bobs.status, bobs.reason) == ("suppressed", "The event was cancelled.")
    notice = Message.objects.get(kind="event_cancelled")
    assert (notice.customer, notice.channel, notice.to) == (ann, "email", ann.email)
    assert _send_all() == ["sent"]
    assert mail.outbox[-1].subject == "Cancelled: Trunk show at Gem & Loupe Springfield"
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.WITHDRAWN


def test_the_sender_holds_an_invitation_once_the_customer_reaches_the_cap(campaign, guest,
                                                                         manager):
    from tests.factories import MessageFactory

    ann = guest(first_name="Ann")
    services.campaign_start(campaign=campaign, by=manager)
    services.campaign_expand(campaign_id=campaign.pk)
    for days in (20, 25):  # two reminders went out after the audience was decided
        MessageFactory(customer=ann, status=MessageStatus.SENT,
                       sent_at=MORNING - datetime.timedelta(days=days),
                       occurs_on=(MORNING - datetime.timedelta(days=days)).date())

    assert _send_all() == ["suppressed"]
    assert Message.objects.get(campaign=campaign).reason.startswith("Fatigue cap: 2")
