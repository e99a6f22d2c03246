"""A list's filter fields drawn in Python (`plain_field`) are crispy's Bootstrap 5 markup:
the same elements, attributes and words, for every field of the two lists' filters, empty,
picked, and refused (the error tied to the control)."""

from html.parser import HTMLParser

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from crm.filters import CustomerFilter
from crm.models import Customer
from crm.selectors import orphans_of_store
from staff.filters import OrphanFilter
from tests.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db

# crispy adds the widget's class name as a class of its own; nothing styles or finds them.
WIDGET_CLASSES = {"select", "quickselect", "csvselect", "textinput", "numberinput"}


class _Markup(HTMLParser):
    """Elements with their attributes (classes as a set) and the words between them."""

    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "class" in attrs:
            attrs["class"] = " ".join(sorted(set(attrs["class"].split()) - WIDGET_CLASSES))
        self.parts.append(("<", tag, sorted(attrs.items())))

    def handle_endtag(self, tag):
        self.parts.append((">", tag))

    def handle_data(self, data):
        if data.strip():
            self.parts.append((" ".join(data.split()),))


def _markup(html: str) -> list:
    parser = _Markup()
    parser.feed(html)
    return parser.parts


CRISPY = Template("{% load crispy_forms_tags %}{% for field in form %}"
                  "{{ field|as_crispy_field }}{% endfor %}")
PLAIN = Template("{% load plain_fields %}{% for field in form %}{% plain_field field %}"
                 "{% endfor %}")


def _same(form):
    theirs = CRISPY.render(Context({"form": form}))
    ours = PLAIN.render(Context({"form": form}))
    assert _markup(ours) == _markup(theirs)
    return ours


@pytest.mark.parametrize("query", [{}, {"name": 'Ann "<b>"', "source": "website",
                                        "bought": "no"}, {"assigned_to": "nobody"}])
def test_the_customer_filter_is_crispys_markup(store, query):
    StaffMemberFactory(store=store, display_name='Lou <Left> & "Co"')
    request = RequestFactory().get("/customers/follow-up/", query)
    form = CustomerFilter(request.GET or None, queryset=Customer.objects.all(), store=store).form
    ours = _same(form)
    assert ("aria-invalid" in ours) == ("assigned_to" in query)


@pytest.mark.parametrize("query", [{}, {"min_value": "lots"}, {"min_value": "500",
                                                                "sort": "-visit"},
                                   {"former": "null"}])
def test_the_orphan_filter_is_crispys_markup(store, query):
    gone = StaffMemberFactory(store=store, display_name="Dana <Departed>",
                              departed_on=store.today())
    request = RequestFactory().get("/staff/orphans/", query | {"former": query.get(
        "former", str(gone.pk))})
    request.store = store
    form = OrphanFilter(request.GET, request=request,
                        queryset=orphans_of_store(store=store)).form
    ours = _same(form)
    if query.get("min_value") == "lots":
        assert 'aria-describedby="id_min_value_error"' in ours and "Enter a number." in ours
