"""Jinja2 beside Django's templates (core.jinja): paths as `{% url %}` writes them, dates as
`|date` shows them, a panel drawn the same from either engine, one navigation bar for both,
and the page's words escaped."""

import datetime

import pytest
from django.template import RequestContext, Template, engines
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from core.jinja import date, url
from tests.factories import CustomerFactory, EnvelopeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("name", "kwargs"), [
    ("crm:home", {}),
    ("crm:customer", {"customer_id": 7}),
    ("crm:customer", {"customer_id": 987_654_321_000}),
    ("crm:occasion-edit", {"customer_id": 12, "occasion_id": 3}),
    ("crm:occasion-edit", {"occasion_id": 3, "customer_id": 12}),
    ("repairs:envelope", {"envelope_id": 0}),
])
def test_a_path_is_what_reverse_writes(name, kwargs):
    assert url(name, **kwargs) == reverse(name, kwargs=kwargs or None)
    assert url(name, **kwargs) == url(name, **kwargs)  # the second time from the cut path


def test_a_path_the_fast_way_cannot_write_is_reversed_as_django_does():
    with pytest.raises(NoReverseMatch):
        url("crm:customer", customer_id=-4)
    with pytest.raises(NoReverseMatch):
        url("crm:customer", customer_id="abc")
    with pytest.raises(NoReverseMatch):
        url("crm:customer", customer_id=True)


def test_a_moment_is_shown_in_the_current_time_zone_or_the_one_given():
    late = datetime.datetime(2026, 11, 30, 4, 30, tzinfo=datetime.UTC)
    with timezone.override("America/Chicago"):
        assert date(late, "M j, g:i a") == "Nov 29, 10:30 p.m."
    assert date(late, "M j, g:i a", "Asia/Tokyo") == "Nov 30, 1:30 p.m."
    assert date(datetime.date(2027, 2, 15), "D, M j, Y") == "Mon, Feb 15, 2027"
    assert date(None, "M j") == ""


def test_a_panel_is_the_same_from_either_engine(rf, store, service_clerk):
    customer = CustomerFactory(store=store)
    EnvelopeFactory(customer=customer, item_description='Pearl <strand> & "clasp"')
    request = rf.get("/")
    request.store, request.staff, request.user = store, service_clerk, service_clerk.user
    django = Template('{% load repairs_tags %}{% customer_repairs customer %}').render(
        RequestContext(request, {"customer": customer}))
    jinja = engines["jinja2"].from_string("{{ customer_repairs(customer) }}").render(
        {"customer": customer}, request=request)
    assert django == jinja
    assert "Pearl &lt;strand&gt; &amp; &#34;clasp&#34;" in jinja


def test_a_name_the_page_lacks_is_blank_and_so_is_what_is_read_from_it():
    template = engines["jinja2"].from_string("[{{ nobody.perms.crm.change }}]")
    assert template.render({}) == "[]"


def test_a_django_page_and_a_jinja_page_share_the_navigation(sales_client):
    def nav(path):
        html = sales_client.get(path).content.decode()
        start = html.index("<nav class=\"navbar")
        end = html.index("</nav>", start)
        return html[start:end].replace(_token(html), "")

    assert nav(reverse("crm:home")) == nav(reverse("crm:customers"))
    assert "Sally Sales" in nav(reverse("crm:home"))


def _token(html: str) -> str:
    marker = 'name="csrfmiddlewaretoken" value="'
    start = html.index(marker) + len(marker)
    return html[start:html.index('"', start)]


def test_a_jinja_page_writes_one_csrf_token_that_the_post_accepts(sales_client, store):
    customer = CustomerFactory(store=store)
    html = sales_client.get(reverse("crm:customer",
                                    kwargs={"customer_id": customer.pk})).content.decode()
    assert html.count(_token(html)) >= 3  # the header, log out, and the note form
    client = sales_client
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("crm:note", kwargs={"customer_id": customer.pk}),
                           {"text": "Asked about pearls", "csrfmiddlewaretoken": _token(html)})
    assert response.status_code == 302


@pytest.fixture
def rf():
    return RequestFactory()
