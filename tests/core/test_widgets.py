"""QuickSelect draws the same <select> as Django's own, only faster: whatever is chosen,
grouped or escaped."""

import re

import pytest
from django import forms
from django.utils.safestring import mark_safe

from core.widgets import QuickSelect

CHOICES = [("", "Anyone"), (1, 'Ann & "Bo" <b>'), (2, mark_safe("<i>Cal</i>")),
           ("Left", [(3, "Dot"), (4, "Eli")])]


def _same_markup(html: str) -> str:
    """Django's templates put each option on a line of its own; the markup is otherwise
    the same."""
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize("value", [None, "", "1", "2", "4", "99"])
def test_a_quick_select_is_djangos_select(value):
    attrs = {"class": "form-select", "id": "id_associate", "required": True}
    django = forms.Select(choices=CHOICES).render("associate", value, attrs)
    quick = QuickSelect(choices=CHOICES).render("associate", value, attrs)
    assert quick == _same_markup(django)


def test_a_quick_select_escapes_what_it_shows():
    html = QuickSelect(choices=CHOICES).render("associate", None)
    assert 'Ann &amp; &quot;Bo&quot; &lt;b&gt;' in html and "<b>" not in html
    assert "<i>Cal</i>" in html  # already safe: shown as it is, as Django does


@pytest.mark.django_db
def test_named_choices_offer_what_djangos_model_choices_offer(store):
    """The associate filter's options read as values are the options Django's model choice
    filter gives (ids, names, the empty and the null choice), and a pick still cleans to the
    staff member."""
    import django_filters

    from core.choices import NamedModelChoiceFilter
    from tests.factories import StaffMemberFactory

    picked = StaffMemberFactory(store=store, display_name='Ann & "Bo"')
    StaffMemberFactory(store=store, display_name="Cal")
    kwargs = {"queryset": store.staff.all(), "empty_label": "Anyone", "null_label": "Never"}
    ours = NamedModelChoiceFilter(label_column="display_name", **kwargs).field
    theirs = django_filters.ModelChoiceFilter(**kwargs).field
    assert [(str(v), str(label)) for v, label in ours.choices] == [
        (str(v), str(label)) for v, label in theirs.choices]
    assert len(ours.choices) == len(theirs.choices) == 4
    assert ours.clean(str(picked.pk)) == picked


def test_remembered_options_follow_their_choices_and_what_is_marked_safe():
    """The options' markup is remembered by what it is drawn from: a renamed associate shows
    renamed, and a name that is markup only when marked safe is escaped when it is not."""
    draw = QuickSelect(choices=[(1, "Ann")]).render
    assert ">Ann<" in draw("associate", "1")
    assert ">Anne<" in QuickSelect(choices=[(1, "Anne")]).render("associate", "1")
    assert "<i>Cal</i>" in QuickSelect(choices=[(2, mark_safe("<i>Cal</i>"))]).render("a", "")
    plain = QuickSelect(choices=[(2, "<i>Cal</i>")]).render("a", "")
    assert "<i>" not in plain and "&lt;i&gt;Cal&lt;/i&gt;" in plain
