"""The event pages: managers create and send, associates see their own clients' answers,
bad input gets a clear message and saves or sends nothing."""

import pytest
from django.urls import reverse

from crm.models import Channel
from events.models import Campaign, CampaignStatus, Event, Invitation
from followups.models import Message, MessageTemplate
from tests.events.conftest import MORNING
from tests.factories import CustomerFactory, InvitationFactory

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MORNING, tick=False)]

EVENT_FORM = {"title": "Trunk show: Sapphires", "date": "2026-12-12", "start_time": "18:00",
              "place": "Main floor", "capacity": "40", "rsvp_by": "2026-12-10"}


def test_a_manager_creates_an_event_on_the_stores_clock(manager_client, store, manager):
    response = manager_client.post(reverse("events:event-add"),
                                   {**EVENT_FORM, "hosts": [manager.pk]})

    event = Event.objects.get()
    assert response.url == reverse("events:event", kwargs={"event_id": event.pk})
    assert event.local_start().strftime("%Y-%m-%d %H:%M %Z") == "2026-12-12 18:00 CST"
    assert event.rsvp_deadline.astimezone(store.tz).strftime("%m-%d %H:%M") == "12-10 23:59"
    assert list(event.hosts.all()) == [manager]


def test_an_event_in_the_past_is_refused_and_nothing_is_saved(manager_client):
    response = manager_client.post(reverse("events:event-add"),
                                   {**EVENT_FORM, "date": "2026-11-20", "rsvp_by": "2026-11-19"})

    assert response.status_code == 200
    assert b"The event must start in the future." in response.content
    assert b"Trunk show: Sapphires" in response.content  # what they typed is kept
    assert not Event.objects.exists()


def test_an_associate_may_not_create_events_or_send_campaigns(sales_client, campaign):
    assert sales_client.post(reverse("events:event-add"), EVENT_FORM).status_code == 403
    start = reverse("events:campaign-start", kwargs={"campaign_id": campaign.pk})
    assert sales_client.post(start, {"now": ""}).status_code == 403
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_an_associate_sees_the_answers_of_their_own_clients_only(sales_client, salesperson,
                                                                 event, store):
    mine = CustomerFactory(store=store, assigned_to=salesperson, first_name="Mina")
    theirs = CustomerFactory(store=store, first_name="Theo")
    for customer in (mine, theirs):
        Invitation.objects.create(event=event, customer=customer, answer="yes",
                                  answered_at=MORNING, created_at=MORNING)

    page = sales_client.get(reverse("events:event", kwargs={"event_id": event.pk}))
    door = sales_client.get(reverse("events:guest-list", kwargs={"event_id": event.pk}))

    for response in (page, door):
        assert b"Mina" in response.content
        assert b"Theo" not in response.content


def test_the_manager_sees_every_answer_on_the_event_page(manager_client, event, store,
                                                         django_assert_max_num_queries):
    for n in range(5):
        Invitation.objects.create(event=event, customer=CustomerFactory(store=store),
                                  answer="yes", guests=n % 2, answered_at=MORNING,
                                  created_at=MORNING)
    with django_assert_max_num_queries(14):
        response = manager_client.get(reverse("events:event", kwargs={"event_id": event.pk}))

    assert b"7 seats confirmed" in response.content


def test_a_campaign_with_an_empty_audience_is_refused_and_sends_nothing(manager_client,
                                                                         campaign):
    response = manager_client.post(
        reverse("events:campaign-start", kwargs={"campaign_id": campaign.pk}), {"now": ""})

    assert b"Nobody in this audience can be invited" in response.content
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT
    assert not Message.objects.exists()


@pytest.mark.parametrize(("date", "time", "said"), [
    ("2026-11-25", "10:00", "The time to send is in the past."),
    ("2026-11-27", "22:30", "That time is inside quiet hours"),
    ("2026-12-11", "10:00", "Send before answers close."),
])
def test_a_bad_time_to_send_is_refused(manager_client, campaign, guest, date, time, said):
    guest(first_name="Ann")

    response = manager_client.post(
        reverse("events:campaign-start", kwargs={"campaign_id": campaign.pk}),
        {"schedule": "", "date": date, "time": time})

    assert said.encode() in response.content
    assert f'value="{date}"'.encode() in response.content  # what they typed is kept
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_a_template_with_an_unknown_placeholder_is_not_sent(manager_client, campaign, guest,
                                                            store):
    guest(first_name="Ann")
    # An older copy saved before placeholders were checked.
    MessageTemplate.objects.update_or_create(
        store=store, kind="event_invitation", channel=Channel.EMAIL,
        defaults={"subject": "Hi", "body": "{{ event }} {{ rsvp_link }} {{ vip }}"})

    response = manager_client.post(
        reverse("events:campaign-start", kwargs={"campaign_id": campaign.pk}), {"now": ""})

    assert b"Unknown placeholder: vip" in response.content
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.DRAFT


def test_scheduling_shows_the_time_and_the_progress_polls(manager_client, campaign, guest):
    guest(first_name="Ann")
    url = reverse("events:campaign-start", kwargs={"campaign_id": campaign.pk})

    response = manager_client.post(url, {"schedule": "", "date": "2026-11-27", "time": "10:00"},
                                   follow=True)

    assert b"Scheduled for Nov 27 at 10:00." in response.content
    assert b'hx-trigger="every 3s"' in response.content
    campaign.refresh_from_db()
    assert campaign.status == CampaignStatus.SCHEDULED
    assert not Message.objects.exists()  # expanded when its time comes


def test_the_preview_shows_counts_and_names_on_request(manager_client, campaign, guest, store):
    guest(first_name="Ann")
    CustomerFactory(store=store, first_name="Bob", last_name="Noconsent")
    page = manager_client.get(reverse("events:campaign", kwargs={"campaign_id": campaign.pk}))
    names = manager_client.get(
        reverse("events:campaign-audience", kwargs={"campaign_id": campaign.pk}),
        {"reason": "no_consent"}, HTTP_HX_REQUEST="true")

    assert b'<tr data-reason="no_consent"><td>No consent to events and news at that address' \
        b'</td><td class="text-end">1</td>' in page.content
    assert b"Bob Noconsent" in names.content
    assert b"Ann" not in names.content


def test_a_manager_of_another_store_cannot_send_this_stores_campaign(other_manager_client,
                                                                      campaign):
    response = other_manager_client.post(
        reverse("events:campaign-start", kwargs={"campaign_id": campaign.pk}), {"now": ""})

    assert response.status_code == 404
    assert Campaign.objects.get().status == CampaignStatus.DRAFT


def test_guests_are_checked_off_at_the_door(sales_client, salesperson, store):
    invitation = InvitationFactory(
        customer=CustomerFactory(store=store, assigned_to=salesperson), answer="yes")
    url = reverse("events:attended", kwargs={"event_id": invitation.event_id,
                                             "invitation_id": invitation.pk})

    response = sales_client.post(url, {"attended": "on"}, HTTP_HX_REQUEST="true")
    sales_client.post(url, {"attended": "on"}, HTTP_HX_REQUEST="true")

    assert b"Here" in response.content
    invitation.refresh_from_db()
    assert invitation.attended_at is not None
    assert invitation.customer.interactions.get().summary == "Came to Trunk show."


def test_another_stores_guest_cannot_be_checked_off(other_manager_client, store):
    invitation = InvitationFactory(customer=CustomerFactory(store=store), answer="yes")
    url = reverse("events:attended", kwargs={"event_id": invitation.event_id,
                                             "invitation_id": invitation.pk})

    assert other_manager_client.post(url, {"attended": "on"}).status_code == 404
    invitation.refresh_from_db()
    assert invitation.attended_at is None


def test_the_results_compare_purchases_of_the_invited_and_the_left_out(
        manager_client, campaign, guest, manager, store):
    import datetime

    from crm.models import Purchase
    from events import services

    ann = guest(first_name="Ann")
    bob = CustomerFactory(store=store, first_name="Bob")
    services.campaign_start(campaign=campaign, by=manager)
    services.campaign_expand(campaign_id=campaign.pk)
    for customer, amount in ((ann, "1200.00"), (bob, "80.00")):
        Purchase.objects.create(store=store, customer=customer,
                                purchased_on=datetime.date(2026, 12, 20), amount=amount)
    Invitation.objects.filter(customer=ann).update(answer="yes", attended_at=MORNING)

    from events.selectors import campaign_results

    results = campaign_results(campaign=campaign)
    assert (results["planned"], results["yes"], results["attended"]) == (1, 1, 1)
    assert (results["invited"].customers, results["invited"].buyers,
            str(results["invited"].amount)) == (1, 1, "1200.00")
    assert (results["excluded"].customers, results["excluded"].buyers) == (1, 1)
    page = manager_client.get(reverse("events:campaign", kwargs={"campaign_id": campaign.pk}))
    assert b"Left out (control)" in page.content


def test_a_campaign_left_at_its_defaults_uses_the_stores_window(manager_client, event, store):
    from followups.services import messaging_settings_for

    settings = messaging_settings_for(store=store)
    settings.event_contact_window_days = 21
    settings.save()

    response = manager_client.post(reverse("events:campaign-add", kwargs={"event_id": event.pk}),
                                   {"name": "Save the date", "channels": "email",
                                    "customer_kind": "all"})

    campaign = Campaign.objects.get()
    assert response.url == reverse("events:campaign", kwargs={"campaign_id": campaign.pk})
    assert (campaign.contact_window_days, campaign.status) == (21, "draft")


def test_a_clients_answer_shows_on_their_associates_today_list(sales_client, salesperson,
                                                               store):
    from events import services

    invitation = InvitationFactory(
        customer=CustomerFactory(store=store, assigned_to=salesperson, first_name="Mina"))
    services.rsvp_answer(invitation=invitation, answer="yes", guests=1)

    response = sales_client.get(reverse("followups:today"))

    assert b"Confirmed (+1) for Trunk show" in response.content


def test_the_invitation_template_previews_with_the_next_event(manager_client, event, store):
    from followups.services import templates_ensure

    CustomerFactory(store=store, first_name="Harper", email="harper@mail.example")
    templates_ensure(store=store)
    template = MessageTemplate.objects.get(store=store, kind="event_invitation", channel="email")

    response = manager_client.post(
        reverse("followups:template-edit", kwargs={"template_id": template.pk}),
        {"subject": template.subject, "body": template.body, "preview": "",
         "preview_customer": "harper@mail.example"})

    assert b"We would love to see you at Trunk show, Saturday, December 12 at 6:00 PM" \
        in response.content
    assert b"(their own link to answer)" in response.content
