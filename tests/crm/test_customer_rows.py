"""A customer list's rows written in Python are the partial's markup they replace: a prospect
or a buyer, with or without phone, email, associate, visit or a worklist's reason, and names
that need escaping, in the store's time zone."""

import datetime
from pathlib import Path

import pytest
from django.core.paginator import Paginator
from django.template import Engine, RequestContext
from django.test import RequestFactory

from crm.models import Customer
from crm.worklists import Why
from tests.factories import CustomerFactory

REFERENCE = Path(__file__).with_name("customer_rows_reference.html").read_text()

pytestmark = pytest.mark.django_db


def test_customer_rows_are_the_partials_markup(store, salesperson):
    late = datetime.datetime(2026, 11, 30, 4, 30, tzinfo=datetime.UTC)  # Nov 29 in Chicago
    CustomerFactory(store=store, first_name="Ann <b>", last_name='O"Neil & Co',
                    assigned_to=salesperson, last_visit_at=late,
                    first_purchase_on=datetime.date(2025, 1, 2))
    CustomerFactory(store=store, first_name="Bo", phone="", email="", assigned_to=None)
    page = Paginator(Customer.objects.filter(store=store).select_related("assigned_to")
                     .order_by("first_name"), 50).get_page(1)
    page.object_list = list(page.object_list)
    page.object_list[0].why = Why("Birthday on Dec 1 <tomorrow> & more")
    request = RequestFactory().get("/customers/", {"page": "1"})
    request.user, request.staff = salesperson.user, salesperson  # the store's time zone
    context = {"page": page}
    engine = Engine.get_default()
    ours = engine.get_template("crm/partials/_customer_rows.html").render(
        RequestContext(request, context))
    theirs = engine.from_string(REFERENCE).render(RequestContext(request, context))
    assert ours == theirs
    assert "Nov 29" in ours and "&lt;tomorrow&gt;" in ours and "prospect" in ours
