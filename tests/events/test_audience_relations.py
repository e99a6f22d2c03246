"""The decided audience (events_audienceentry) has no foreign-key constraints in the database,
so the expansion does not pay two checks per matched customer; its rows still follow their
customer through Django: deleted with them, also when a merge deletes the profile."""

import pytest
from django.db import connection

from crm.services.merge import customer_merge
from events import services
from events.models import AudienceEntry
from events.selectors import campaign_results, saved_audience
from tests.events.conftest import MORNING

pytestmark = [pytest.mark.django_db, pytest.mark.time_machine(MORNING, tick=False)]


def _foreign_keys(table: str) -> set[str]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, table)
    return {c["columns"][0] for c in found.values() if c["foreign_key"]}


def test_the_audience_table_has_no_foreign_keys_to_check_but_invitations_keep_theirs():
    assert _foreign_keys("events_audienceentry") == set()
    assert _foreign_keys("events_invitation") == {"event_id", "campaign_id", "customer_id"}


@pytest.fixture
def expanded(campaign, guest, manager):
    ann = guest(first_name="Ann")
    bob = guest(first_name="Bob", channels=())
    services.campaign_start(campaign=campaign, by=manager)
    services.campaign_expand(campaign_id=campaign.pk)
    return campaign, ann, bob


def test_a_deleted_customer_leaves_the_audience_with_their_row(expanded):
    campaign, ann, bob = expanded
    assert saved_audience(campaign=campaign).counts == {"included": 1, "no_consent": 1}

    bob.delete()

    assert saved_audience(campaign=campaign).counts == {"included": 1}
    assert campaign_results(campaign=campaign)["excluded"].customers == 0
    assert list(AudienceEntry.objects.values_list("customer", flat=True)) == [ann.pk]


def test_a_merge_leaves_no_row_naming_the_deleted_profile(expanded, guest, manager):
    campaign, ann, bob = expanded
    cal = guest(first_name="Cal")

    customer_merge(survivor=cal, merged=bob, by=manager)

    assert dict(AudienceEntry.objects.values_list("customer", "reason")) == {ann.pk: "included"}
