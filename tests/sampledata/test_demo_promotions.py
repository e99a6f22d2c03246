"""The demo shows the voucher and the drawing with something on every screen."""

import pytest
from django.urls import reverse

from crm.models import Drawing, Voucher
from sampledata.demo import load_demo

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_offer_a_drawn_and_an_open_drawing_and_results(client):
    store = load_demo(customers=40)
    assert store.voucher_programs.filter(active=True).count() == 1
    assert Voucher.objects.filter(store=store).exists()
    past, current = Drawing.objects.filter(store=store).order_by("month")
    assert past.winner in past.entries.all() and past.entry_count == past.entries.count()
    assert current.drawn_at is None and current.entries.exists()
    manager = store.staff.filter(role="manager", departed_on__isnull=True).first()
    client.force_login(manager.user)
    page = client.get(reverse("crm:promotion-results")).content.decode()
    assert "Website voucher" in page and "Monthly drawing" in page
