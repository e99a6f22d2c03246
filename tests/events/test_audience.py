"""Who a campaign invites, and for everyone it leaves out, why: one table of customers with
the expected reason for each (the preview's counts come from the same SQL)."""

import datetime

import pytest

from crm.models import Channel, Consent, ConsentMethod, Purpose
from events import audience, services
from events.models import Channels, CustomerKind, Invitation, Reason
from followups.models import MessageStatus
from tests.events.conftest import MORNING
from tests.factories import (
    ConsentFactory,
    CustomerFactory,
    MessageFactory,
    OccasionFactory,
    StaffMemberFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MORNING, tick=False)]
DAYS = datetime.timedelta(days=1)


def _reasons(campaign) -> dict[str, str]:
    """customer first name -> reason, for every customer the campaign's filters match."""
    from crm.models import Customer

    found = {}
    for reason in Reason.values:
        for pk in audience.customer_ids(campaign, reason=reason, now=MORNING, fatigue_cap=2,
                                        limit=1000):
            found[Customer.objects.get(pk=pk).first_name] = reason
    return found


def _revoke(customer, method, channel=Channel.EMAIL):
    address = customer.email if channel == Channel.EMAIL else str(customer.phone)
    Consent.objects.create(customer=customer, channel=channel, address=address,
                           purpose=Purpose.EVENTS, granted=False, method=method,
                           created_at=MORNING - 3 * DAYS)


def _sent(customer, *, days_ago, **fields):
    fields.setdefault("purpose", Purpose.OCCASION_REMINDERS)
    return MessageFactory(customer=customer, status=MessageStatus.SENT,
                          sent_at=MORNING - days_ago * DAYS,
                          occurs_on=(MORNING - days_ago * DAYS).date(), **fields)


@pytest.fixture
def table(store, other_store, event, guest):
    """The small table of customers, each with the one thing that decides them."""
    guest(first_name="Ann")
    CustomerFactory(store=store, first_name="Bob")
    guest(first_name="Cat", purpose=Purpose.OCCASION_REMINDERS)
    _revoke(guest(first_name="Dan"), ConsentMethod.UNSUBSCRIBE)
    _revoke(guest(first_name="Stu", channels=(Channel.SMS,), contact_preference="text"),
            ConsentMethod.STOP, channel=Channel.SMS)
    _revoke(guest(first_name="Eve"), ConsentMethod.BOUNCE)
    _sent(guest(first_name="Fay"), days_ago=5)
    gus = guest(first_name="Gus")
    _sent(gus, days_ago=20)
    _sent(gus, days_ago=25)
    hal = guest(first_name="Hal")
    other = services.campaign_create(event=event, by=None, name="Earlier invitations")
    Invitation.objects.create(event=event, campaign=other, customer=hal, created_at=MORNING)
    guest(first_name="Ivy", channels=(Channel.SMS,))
    jon = guest(first_name="Jon")
    _sent(jon, days_ago=2, purpose=Purpose.REPAIR_NOTICES, kind="repair_ready", occasion=None)
    kim = guest(first_name="Kim", secondary_email="kim.work@mail.example", channels=())
    ConsentFactory(customer=kim, channel=Channel.EMAIL, address="kim.work@mail.example",
                   purpose=Purpose.EVENTS)
    guest(first_name="Leo", contact_preference="text")
    CustomerFactory(store=other_store, first_name="Otto")
    ConsentFactory(customer=CustomerFactory(store=other_store, first_name="Olga"),
                   purpose=Purpose.EVENTS)


def test_each_customer_is_invited_or_left_out_for_their_own_reason(table, campaign):
    assert _reasons(campaign) == {
        "Ann": "included",
        "Bob": "no_consent",
        "Cat": "no_consent",  # consent to occasion reminders only
        "Dan": "unsubscribed",
        "Stu": "no_consent",  # prefers texts, and this campaign emails
        "Eve": "bounced",
        "Fay": "contacted_recently",
        "Gus": "over_cap",
        "Hal": "already_invited",
        "Ivy": "no_consent",  # a text consent, and this campaign emails
        "Jon": "included",  # a repair notice is no marketing touch
        "Kim": "included",  # the second email has the consent
        "Leo": "no_consent",  # prefers texts: the email is not used
    }


def test_a_campaign_by_email_and_text_reaches_the_texting_customers(table, campaign):
    campaign.channels = Channels.BOTH
    campaign.save()

    reasons = _reasons(campaign)

    assert reasons["Ivy"] == "included"
    assert reasons["Stu"] == "unsubscribed"  # texted STOP
    assert reasons["Leo"] == "no_consent"  # prefers texts, but no text consent


def test_the_preview_counts_match_the_table(table, campaign):
    preview = services.campaign_preview(campaign=campaign, now=MORNING)

    assert (preview.matched, preview.invited, preview.excluded) == (13, 3, 10)
    assert dict((reason, n) for reason, _, n in preview.rows()) == {
        "already_invited": 1, "unsubscribed": 1, "bounced": 1, "no_consent": 5,
        "contacted_recently": 1, "over_cap": 1}


def test_a_longer_window_leaves_out_the_customer_contacted_twenty_days_ago(store, campaign,
                                                                          guest):
    _sent(guest(first_name="Uma"), days_ago=20)
    assert _reasons(campaign) == {"Uma": "included"}

    campaign.contact_window_days = 21
    campaign.save()

    assert _reasons(campaign) == {"Uma": "contacted_recently"}


def test_filters_narrow_who_matches(store, event, campaign, guest, salesperson):
    loves_the_line = guest(first_name="Lia", assigned_to=salesperson)
    loves_the_line.preferences.add(event.categories.first())
    guest(first_name="Bea", first_purchase_on=datetime.date(2026, 3, 1),
          last_visit_at=MORNING - 10 * DAYS, source="repair")
    OccasionFactory(customer=guest(first_name="Dee"), month=12, day=3)

    def names(**fields):
        for name, value in fields.items():
            setattr(campaign, name, value)
        campaign.save()
        found = set(_reasons(campaign))
        for name in fields:
            setattr(campaign, name, type(campaign)._meta.get_field(name).get_default())
        campaign.save()
        return found

    assert names() == {"Lia", "Bea", "Dee"}
    assert names(match_categories=True) == {"Lia"}
    assert names(customer_kind=CustomerKind.CLIENTS) == {"Bea"}
    assert names(customer_kind=CustomerKind.PROSPECTS) == {"Lia", "Dee"}
    assert names(assigned_to=salesperson) == {"Lia"}
    assert names(source="repair") == {"Bea"}
    assert names(active_within_days=30) == {"Bea"}
    assert names(occasion_in_event_month=True) == {"Dee"}
    assert names(assigned_to=StaffMemberFactory(store=store)) == set()


def test_the_preview_reads_the_customers_in_one_query_whatever_their_number(
        store, campaign, guest):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def reading_customers(n):
        while store.customers.count() < n:
            guest()
        with CaptureQueriesContext(connection) as captured:
            preview = services.campaign_preview(campaign=campaign, now=MORNING)
        assert preview.invited == n
        return [q["sql"] for q in captured if "crm_customer" in q["sql"]], len(captured)

    few, few_total = reading_customers(3)
    many, many_total = reading_customers(12)

    assert (len(few), len(many)) == (1, 1)
    assert few_total == many_total
