"""The planner writes the outbox in raw SQL, and the generator with COPY: neither may fall
silently behind the models when a column is added (a missing NOT NULL column would fail
every night's plan; a missing default would plan rows the app never would)."""

import re

import pytest
from django.db import models

from followups import planner
from followups.models import CallTask, Message
from sampledata.generate import loader


def _insert_columns(sql: str, table: str) -> set[str]:
    found = re.search(rf"INSERT INTO {table}\s*\((.*?)\)", sql, re.DOTALL)
    assert found, f"no INSERT INTO {table} in the planner's SQL"
    return {name.strip().strip('"') for name in found.group(1).split(",")}


def _needs_a_value(field) -> bool:
    """Left out of an INSERT, the column would not get what the model would give it."""
    if field.primary_key or field.has_db_default():
        return False
    return field.has_default() or not field.null


def _missing(columns: set[str], fields) -> list[str]:
    return sorted(f.column for f in fields if _needs_a_value(f) and f.column not in columns)


PLANNER_INSERTS = [(planner._INSERT_MESSAGES, Message), (planner._INSERT_CALLS, CallTask)]


@pytest.mark.parametrize(("sql", "model"), PLANNER_INSERTS, ids=["messages", "call tasks"])
def test_the_planners_insert_gives_every_column_of_the_outbox_a_value(sql, model):
    table = model._meta.db_table
    named = _insert_columns(sql, table)
    missing = _missing(named, model._meta.concrete_fields)
    assert not missing, (f"The planner's INSERT INTO {table} gives no value for {missing}: "
                         f"add them to the INSERT and its SELECT in followups/planner.py.")
    unknown = named - {f.column for f in model._meta.concrete_fields}
    assert not unknown, f"The planner's INSERT INTO {table} names columns it lacks: {unknown}"


def test_a_column_the_planner_does_not_insert_is_named_by_the_check():
    vip = models.BooleanField(default=False)
    vip.set_attributes_from_name("vip")
    named = _insert_columns(planner._INSERT_MESSAGES, Message._meta.db_table)

    assert _missing(named, [*Message._meta.concrete_fields, vip]) == ["vip"]


# The outbox's columns the planner's INSERT leaves out on purpose (NULL), each with why. A
# column added to Message must go into the INSERT or here: nothing falls behind unnoticed.
PLANNER_LEAVES_OUT = {
    "id": "the database numbers the row",
    "sign_up_id": "an occasion reminder is for a customer, never for a sign-up",
    "envelope_id": "repair notices are planned by repair_ready_notify",
    "voucher_id": "a website voucher's email is planned when the voucher is issued",
    "drawing_id": "the drawing winner's email is planned when the winner is drawn",
    "purchase_id": "aftercare after a sale is planned by followups.aftercare",
    "queued_at": "the dispatcher marks a row when it hands it over",
    "sent_at": "the sender records it",
    "campaign_id": "an event campaign's messages are planned by events/audience.py",
    "appointment_id": "appointment notices are planned by appointment_notices_plan",
    "written_by_id": "only an associate's reply in a conversation has a writer",
    "reply_key": "only a reply sent from the thread's form has its one-time key",
}


def _not_covered(columns: set[str], fields) -> list[str]:
    return sorted(f.column for f in fields
                  if f.column not in columns and f.column not in PLANNER_LEAVES_OUT)


def test_every_column_of_the_outbox_is_in_the_planners_insert_or_named_as_left_out():
    named = _insert_columns(planner._INSERT_MESSAGES, Message._meta.db_table)
    missing = _not_covered(named, Message._meta.concrete_fields)
    assert not missing, (f"followups_message has columns the planner's INSERT does not name: "
                         f"{missing}. Add them to the INSERT in followups/planner.py, or to "
                         f"PLANNER_LEAVES_OUT here with the reason the planner leaves them "
                         f"NULL.")
    assert not set(PLANNER_LEAVES_OUT) & named, "a column both inserted and left out"
    assert set(PLANNER_LEAVES_OUT) <= {f.column for f in Message._meta.concrete_fields}


def test_even_a_nullable_column_the_planner_does_not_insert_is_named_by_the_check():
    referral = models.ForeignKey("crm.Customer", null=True, on_delete=models.SET_NULL)
    referral.set_attributes_from_name("referral")
    named = _insert_columns(planner._INSERT_MESSAGES, Message._meta.db_table)

    assert _not_covered(named, [*Message._meta.concrete_fields, referral]) == ["referral_id"]


def test_the_generators_copy_gives_every_column_of_the_outbox_a_value():
    # COPY fills a column it does not name with the field's default (sampledata.generate.bulk:
    # "" for text), so only a NOT NULL column without one is missing.
    named = set(loader.MESSAGE_COLUMNS)
    missing = sorted(f.column for f in Message._meta.concrete_fields
                     if not f.primary_key and f.column not in named
                     and f.get_default() is None and not f.null)
    assert not missing, (f"The generator's COPY of {Message._meta.db_table} gives no value for "
                         f"{missing}: add them to MESSAGE_COLUMNS in "
                         f"sampledata/generate/loader.py and to the row it writes.")
    unknown = named - {f.column for f in Message._meta.concrete_fields}
    assert not unknown, f"The generator's COPY names columns Message lacks: {unknown}"
