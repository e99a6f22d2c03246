"""An erased customer is left out of every campaign expanded after the erasure."""

import pytest

from crm.models import Channel
from crm.services.privacy import customer_erase
from events import services
from followups.models import Message
from tests.events.conftest import MORNING
from tests.factories import ConsentFactory, CustomerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MORNING, tick=False)]


def test_the_campaign_expansion_leaves_out_the_erased_and_their_address(campaign, guest,
                                                                        manager, store):
    erased = guest(first_name="Erin", channels=(Channel.EMAIL, Channel.SMS))
    twin = CustomerFactory(store=store, first_name="E.", email=erased.email, phone="")
    ConsentFactory(customer=twin, channel=Channel.EMAIL, purpose="events")
    ann = guest(first_name="Ann")

    customer_erase(customer=erased, by=manager)
    services.campaign_start(campaign=campaign, by=manager)
    services.campaign_expand(campaign_id=campaign.pk)

    assert list(Message.objects.values_list("customer", flat=True)) == [ann.pk]
