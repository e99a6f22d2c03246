"""The per-associate table's cells, written in Python for speed, are the markup the template
engine gave for them (the partial's cells as they were, kept here as the reference)."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import engines
from django.utils import translation

from insights.selectors import Period
from staff.models import StaffMember

# The partial's cells as the template engine drew them before `associate_cells`.
REFERENCE = (Path(__file__).parent / "associate_cells_reference.html").read_text()

ROWS = [
    # Nothing in the period: no shares, no take-in share.
    {"walk_ins": 0, "reachable_pct": None, "consent_pct": None, "on_time": 0, "calls_due": 0,
     "reached": 0, "voicemails": 0, "appointments": 0, "take_ins": 0,
     "take_ins_email_pct": None, "sales": 0, "sales_amount": Decimal(0), "new_profiles": 0},
    # A busy month: thousands, shares, cents rounded away.
    {"walk_ins": 1234, "reachable_pct": 75, "consent_pct": 50, "on_time": 3, "calls_due": 4,
     "reached": 2, "voicemails": 1, "appointments": 12, "take_ins": 2,
     "take_ins_email_pct": 50, "sales": 116, "sales_amount": Decimal("1264276.50"),
     "new_profiles": 2},
]


def _cells(template, row, period):
    return " ".join(engines["django"].from_string(template).render(
        {"row": row, "period": period}).split())


@pytest.mark.parametrize("language", ["en", "de", "fr"])
@pytest.mark.parametrize("values", ROWS)
def test_the_cells_are_the_markup_the_template_gave(values, language):
    row = values | {"member": StaffMember(pk=371)}
    period = Period(datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    with translation.override(language):
        written = _cells("{% load insights_table %}{% associate_cells row period %}", row,
                         period)
        assert written == _cells(REFERENCE, row, period)
    assert 'href="/dashboard/customers/walk_ins/?associate=371&amp;start=2026-11-01' in written
