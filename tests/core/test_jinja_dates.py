"""The Jinja2 screens' `date` filter writes what Django's `date` filter writes, for every date
and moment and every format the screens use (or could make of the same specifiers)."""

import datetime
import zoneinfo

from django.template import defaultfilters
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from core.jinja import _date_pieces, date

SCREENS = ["D, M j", "D, M j, Y", "D, M j, g:i a", "M j", "M j, Y H:i", "M j, Y g:i a",
           "M j, Y", "M j, g:i a"]
CHICAGO = zoneinfo.ZoneInfo("America/Chicago")
moments = st.datetimes(min_value=datetime.datetime(1, 1, 1, 12),
                       max_value=datetime.datetime(9999, 12, 30))
formats = st.one_of(st.sampled_from(SCREENS),
                    st.text(alphabet="DMjYgiaH ,:-/.()yFnNd", max_size=12))


@given(moments, formats)
def test_a_moment_is_written_as_django_writes_it(moment, format_string):
    aware = moment.replace(tzinfo=datetime.UTC)
    local = timezone.localtime(aware, CHICAGO)
    assert date(aware, format_string, tz=CHICAGO) == defaultfilters.date(local, format_string)
    assert date(moment, format_string) == defaultfilters.date(moment, format_string)


@given(st.dates(), formats.filter(lambda f: not set(f) & set("giaH")))
def test_a_date_is_written_as_django_writes_it(day, format_string):
    assert date(day, format_string) == defaultfilters.date(day, format_string)


def test_what_django_must_write_is_left_to_django():
    """Another specifier, an escape or a format setting's name: Django's own formatter."""
    assert _date_pieces("M j, Y") is not None
    assert _date_pieces("F j") is None
    assert _date_pieces(r"\M j") is None
    assert _date_pieces("DATE_FORMAT") is None
    assert date(None, "M j") == date("", "M j") == ""


def test_a_choice_label_is_what_django_displays(db):
    """`|label("field")` gives what `get_<field>_display()` gives: the label of a value among
    the choices, the value itself for one that is not."""
    from core.labels import choice_label
    from crm.models import Interaction, InteractionKind

    for kind in [*InteractionKind.values, "not-a-kind"]:
        entry = Interaction(kind=kind)
        assert choice_label(entry, "kind") == entry.get_kind_display()
