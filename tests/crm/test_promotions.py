"""The website voucher and the monthly drawing (issue 18): issued or entered when a public
sign-up is confirmed, redeemed at the counter once, drawn once, and counted per month."""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from core.models import AuditEntry
from crm.links import confirmation_token
from crm.models import (
    Customer,
    Drawing,
    DrawingEntry,
    Purchase,
    Source,
    Voucher,
    VoucherKind,
)
from crm.selectors import customers_potential, promotion_results
from crm.services import (
    drawing_close,
    drawing_create,
    drawing_draw,
    sign_up_confirm,
    voucher_lookup,
    voucher_program_set,
    voucher_redeem,
)
from crm.services.promotions import CODE_ALPHABET
from tests.factories import CustomerFactory, SignUpFactory

pytestmark = pytest.mark.django_db

# Thursday Nov 19, 2026, 10:00 at the store (America/Chicago).
NOV_19 = datetime.datetime(2026, 11, 19, 16, 0, tzinfo=datetime.UTC)


@pytest.fixture
def program(store, manager):
    return voucher_program_set(store=store, kind=VoucherKind.AMOUNT, value=Decimal("25"),
                               minimum_purchase=Decimal("200"), valid_days=30,
                               terms="Not combinable with other offers.", by=manager)


@pytest.fixture
def drawing(store, manager):
    today = store.today()
    return drawing_create(store=store, month=today, prize="Pearl pendant",
                          rules="One entry per person. Winner drawn at random.",
                          closes_on=today + datetime.timedelta(days=10), by=manager)


def _confirmed(store, *, source=Source.WEBSITE, email="ava@mail.example", **fields):
    entry = SignUpFactory(store=store, source=source, email=email, **fields)
    return sign_up_confirm(token=confirmation_token(sign_up=entry))


# --- the voucher ---------------------------------------------------------------------------

@pytest.mark.time_machine(NOV_19, tick=False)
def test_confirming_a_website_sign_up_issues_one_voucher_with_an_unguessable_code(store,
                                                                                   program):
    done = _confirmed(store)
    voucher = done.issued.voucher
    assert not done.issued.earlier
    assert re.fullmatch(f"[{CODE_ALPHABET}]{{8}}", voucher.code)
    assert voucher.customer == done.sign_up.customer and voucher.email == "ava@mail.example"
    assert voucher.program == program and voucher.redeemed_at is None
    assert voucher.valid_through == datetime.date(2026, 12, 19)
    assert AuditEntry.objects.filter(action="voucher.issued", object_id=str(voucher.pk)).exists()


@pytest.mark.time_machine(NOV_19, tick=False)
def test_the_same_person_signing_up_again_keeps_their_one_voucher(store, program):
    first = _confirmed(store).issued.voucher
    again = _confirmed(store)
    assert again.issued.earlier and again.issued.voucher == first
    assert Voucher.objects.count() == 1


def test_codes_are_unique_across_many_vouchers(store, program):
    for n in range(60):
        _confirmed(store, email=f"p{n}@mail.example", first_name=f"P{n}")
    codes = list(Voucher.objects.values_list("code", flat=True))
    assert len(codes) == 60 and len(set(codes)) == 60


def test_without_an_offer_confirming_issues_nothing(store):
    done = _confirmed(store)
    assert done.issued.voucher is None and not Voucher.objects.exists()


def test_a_drawing_sign_up_gets_no_voucher(store, program, drawing):
    _confirmed(store, source=Source.DRAWING)
    assert not Voucher.objects.exists()


def test_the_confirmed_page_shows_the_voucher_code_qr_and_terms(client, store, program):
    entry = SignUpFactory(store=store, email="ava@mail.example")
    response = client.post(f"{reverse('crm:capture-confirm')}?t="
                           f"{confirmation_token(sign_up=entry)}")
    voucher = Voucher.objects.get()
    page = response.content.decode()
    assert voucher.shown_code in page and "<svg" in page
    assert "$25 off a purchase of $200 or more" in page
    assert "Not combinable with other offers." in page


def test_the_form_and_thanks_page_state_the_offer_and_its_terms(client, store, program):
    form = client.get(reverse("crm:capture", kwargs={"store_id": store.pk}))
    assert "$25 off a purchase of $200 or more" in form.content.decode()
    response = client.post(reverse("crm:capture", kwargs={"store_id": store.pk}),
                           {"first_name": "Ava", "email": "ava@mail.example"}, follow=True)
    page = response.content.decode()
    assert "Not combinable with other offers." in page and "single use" in page


def test_the_voucher_link_shows_the_code_and_a_tampered_one_says_so(client, store, program):
    from crm.links import voucher_url

    voucher = _confirmed(store).issued.voucher
    path = voucher_url(voucher=voucher).removeprefix("http://testserver")
    assert voucher.shown_code in client.get(path).content.decode()
    tampered = client.get(path[:-3] + "abc")
    assert tampered.status_code == 400 and voucher.code not in tampered.content.decode()


# --- at the counter ------------------------------------------------------------------------

@pytest.mark.time_machine(NOV_19, tick=False)
def test_redeeming_records_the_purchase_once_and_the_prospect_leaves_potential(
        store, program, salesperson):
    voucher = _confirmed(store).issued.voucher
    assert voucher.customer in customers_potential(store=store)
    done = voucher_redeem(store=store, code=voucher.shown_code.lower(), total=Decimal("250"),
                          description="Silver bracelet", by=salesperson)
    assert done.redeemed_at == NOV_19 and done.redeemed_by == salesperson
    assert done.discount == Decimal("25.00")
    purchase = Purchase.objects.get()
    assert purchase == done.purchase and purchase.amount == Decimal("225.00")
    assert "voucher" in purchase.description
    assert voucher.customer not in customers_potential(store=store)
    customer = Customer.objects.get(pk=voucher.customer_id)
    assert customer.first_purchase_on == store.today() and customer.last_visit_at == NOV_19


@pytest.mark.time_machine(NOV_19, tick=False)
def test_a_used_code_says_when_and_by_whom_and_changes_nothing(store, program, salesperson):
    voucher = _confirmed(store).issued.voucher
    voucher_redeem(store=store, code=voucher.code, total=Decimal("300"), by=salesperson)
    with pytest.raises(Exception, match=r"already used on Nov 19, 2026 at 10:00 \(by Sally"):
        voucher_redeem(store=store, code=voucher.code, total=Decimal("300"), by=salesperson)
    assert Purchase.objects.count() == 1


def test_an_expired_code_says_since_when(store, program, salesperson):
    with time_machine.travel(NOV_19, tick=False):
        voucher = _confirmed(store).issued.voucher
    with time_machine.travel(NOV_19 + datetime.timedelta(days=31), tick=False):
        lookup = voucher_lookup(store=store, code=voucher.code)
        assert lookup.problem == (f"Voucher {voucher.shown_code} expired: it was valid "
                                  f"through Dec 19, 2026.")
        with pytest.raises(Exception, match="expired"):
            voucher_redeem(store=store, code=voucher.code, total=Decimal("300"),
                           by=salesperson)
    assert not Purchase.objects.exists()


def test_unknown_and_other_store_codes_say_so(store, other_store, program, salesperson,
                                              manager):
    voucher = _confirmed(store).issued.voucher
    assert "No voucher has the code" in voucher_lookup(store=store, code="ZZZZ-ZZZZ").problem
    elsewhere = voucher_lookup(store=other_store, code=voucher.code)
    assert elsewhere.voucher is None and "not this store" in elsewhere.problem
    with pytest.raises(Exception, match="not this store"):
        voucher_redeem(store=other_store, code=voucher.code, total=Decimal("300"),
                       by=salesperson)
    assert Voucher.objects.get().redeemed_at is None


def test_a_purchase_under_the_minimum_is_refused(store, program, salesperson):
    voucher = _confirmed(store).issued.voucher
    with pytest.raises(Exception, match=r"needs a purchase of \$200.00 or more"):
        voucher_redeem(store=store, code=voucher.code, total=Decimal("150"), by=salesperson)
    assert Voucher.objects.get().redeemed_at is None and not Purchase.objects.exists()


def test_a_percentage_voucher_takes_its_share_off(store, manager, salesperson):
    voucher_program_set(store=store, kind=VoucherKind.PERCENT, value=Decimal("15"),
                        minimum_purchase=Decimal("0"), valid_days=60, terms="Once.",
                        by=manager)
    voucher = _confirmed(store).issued.voucher
    assert voucher.program.offer == "15% off your next purchase"
    done = voucher_redeem(store=store, code=voucher.code, total=Decimal("99.99"),
                          by=salesperson)
    assert done.discount == Decimal("15.00") and done.purchase.amount == Decimal("84.99")


def test_looking_a_code_up_writes_nothing_and_redeeming_from_the_page_works(
        sales_client, store, program):
    voucher = _confirmed(store).issued.voucher
    audits = AuditEntry.objects.count()
    page = sales_client.get(reverse("crm:vouchers"), {"code": voucher.shown_code})
    assert page.status_code == 200 and "Redeem against this purchase" in page.content.decode()
    assert AuditEntry.objects.count() == audits and Voucher.objects.get().redeemed_at is None
    done = sales_client.post(reverse("crm:voucher-redeem"),
                             {"code": voucher.code, "total": "210", "description": "Ring"})
    assert done.status_code == 302
    assert Voucher.objects.get().redeemed_at is not None
    again = sales_client.post(reverse("crm:voucher-redeem"),
                              {"code": voucher.code, "total": "210", "description": "Ring"})
    assert again.status_code == 400 and "already used" in again.content.decode()
    assert 'value="210"' in again.content.decode()  # what was typed is kept
    assert Purchase.objects.count() == 1


def test_another_stores_manager_cannot_redeem_this_stores_voucher(other_manager_client, store,
                                                                  program):
    voucher = _confirmed(store).issued.voucher
    response = other_manager_client.post(reverse("crm:voucher-redeem"),
                                         {"code": voucher.code, "total": "300"})
    assert response.status_code == 400 and "not this store" in response.content.decode()
    assert Voucher.objects.get().redeemed_at is None


# --- the drawing ---------------------------------------------------------------------------

def test_a_confirmed_drawing_sign_up_is_one_entry_and_a_second_is_acknowledged_not_counted(
        store, drawing):
    first = _confirmed(store, source=Source.DRAWING)
    assert first.entered.entry.drawing == drawing and not first.entered.earlier
    again = _confirmed(store, source=Source.DRAWING, email="AVA@mail.example".lower())
    assert again.entered.earlier and again.entered.entry == first.entered.entry
    assert drawing.entries.count() == 1


def test_an_existing_clients_entry_is_recorded_on_her_profile(store, drawing):
    client = CustomerFactory(store=store, first_name="Cleo", email="cleo@mail.example")
    done = _confirmed(store, source=Source.DRAWING, email="cleo@mail.example",
                      first_name="Cleo")
    assert done.entered.entry.customer == client
    assert DrawingEntry.objects.get().customer == client


def test_the_same_person_by_phone_and_name_with_another_email_is_not_entered_twice(store,
                                                                                  drawing):
    client = CustomerFactory(store=store, first_name="Cleo", last_name="Ray",
                             email="cleo@mail.example", phone="+12175550142")
    _confirmed(store, source=Source.DRAWING, email="cleo@mail.example", first_name="Cleo",
               last_name="Ray")
    again = _confirmed(store, source=Source.DRAWING, email="cleo.ray@work.example",
                       first_name="Cleo", last_name="Ray", phone="+12175550142")
    assert again.entered.earlier and drawing.entries.get().customer == client


def test_no_entry_when_no_drawing_is_open(store, drawing, manager):
    drawing_close(drawing=drawing, by=manager)
    done = _confirmed(store, source=Source.DRAWING)
    assert done.entered.drawing is None and not DrawingEntry.objects.exists()


def test_the_draw_waits_for_the_closing_picks_among_entries_once_and_is_audited(store, drawing,
                                                                               manager):
    for n in range(5):
        _confirmed(store, source=Source.DRAWING, email=f"e{n}@mail.example", first_name=f"E{n}")
    with pytest.raises(Exception, match="still open"):
        drawing_draw(drawing=drawing, by=manager)
    assert Drawing.objects.get().drawn_at is None
    drawing_close(drawing=drawing, by=manager)
    done = drawing_draw(drawing=drawing, by=manager)
    assert done.winner in drawing.entries.all() and done.entry_count == 5
    audit = AuditEntry.objects.get(action="drawing.drawn")
    assert audit.data["entries"] == 5 and audit.data["winner_entry"] == done.winner_id
    assert audit.actor == manager.user
    with pytest.raises(Exception, match="already drawn .* by Maria Manager"):
        drawing_draw(drawing=drawing, by=manager)
    assert Drawing.objects.get().winner_id == done.winner_id
    assert AuditEntry.objects.filter(action="drawing.drawn").count() == 1


def test_every_entry_can_win(store, drawing, manager, monkeypatch):
    """The pick is SystemRandom's choice over all entries: each entry is reachable."""
    import secrets

    for n in range(3):
        _confirmed(store, source=Source.DRAWING, email=f"e{n}@mail.example", first_name=f"E{n}")
    drawing_close(drawing=drawing, by=manager)
    offered = []
    real_choice = secrets.SystemRandom.choice

    def spy(self, seq):
        offered.append(list(seq))
        return real_choice(self, seq)

    monkeypatch.setattr(secrets.SystemRandom, "choice", spy)
    drawing_draw(drawing=drawing, by=manager)
    assert offered == [sorted(drawing.entries.values_list("pk", flat=True))]


def test_an_empty_drawing_has_no_winner_to_draw(store, drawing, manager):
    drawing_close(drawing=drawing, by=manager)
    with pytest.raises(Exception, match="Nobody entered"):
        drawing_draw(drawing=drawing, by=manager)
    assert Drawing.objects.get().drawn_at is None


def test_a_second_drawing_for_the_same_month_is_refused(store, drawing, manager):
    with pytest.raises(Exception, match="already a drawing"):
        drawing_create(store=store, month=drawing.month, prize="x", rules="y",
                       closes_on=store.today() + datetime.timedelta(days=3), by=manager)


def test_drawing_pages_of_another_store_are_404(other_manager_client, drawing):
    for name in ("crm:drawing", "crm:drawing-entrants"):
        assert other_manager_client.get(
            reverse(name, kwargs={"drawing_id": drawing.pk})).status_code == 404
    response = other_manager_client.post(reverse("crm:drawing-close",
                                                 kwargs={"drawing_id": drawing.pk}))
    assert response.status_code == 404 and Drawing.objects.get().closes_at == drawing.closes_at


def test_drawing_before_closing_from_the_page_says_so(manager_client, drawing):
    response = manager_client.post(reverse("crm:drawing-draw", kwargs={"drawing_id": drawing.pk}))
    assert response.status_code == 400 and "still open" in response.content.decode()


def test_the_public_form_and_rules_say_no_purchase_necessary(client, store, drawing):
    form = client.get(reverse("crm:capture-drawing", kwargs={"store_id": store.pk})).content
    assert b"No purchase necessary" in form and b"Pearl pendant" in form
    rules = client.get(reverse("crm:drawing-rules", kwargs={"drawing_id": drawing.pk})).content
    assert b"No purchase necessary" in rules and b"Winner drawn at random." in rules


def test_the_entrant_list_prints_every_entry(manager_client, store, drawing):
    for n in range(3):
        _confirmed(store, source=Source.DRAWING, email=f"e{n}@mail.example", first_name=f"E{n}")
    page = manager_client.get(reverse("crm:drawing-entrants",
                                      kwargs={"drawing_id": drawing.pk})).content.decode()
    assert all(f"e{n}@mail.example" in page for n in range(3)) and "3 entries" in page


# --- results -------------------------------------------------------------------------------

def test_results_per_month_and_form_on_a_fixed_data_set(store, manager, salesperson):
    """October: 3 website sign-ups (2 confirmed, 1 voucher redeemed) and 2 drawing sign-ups
    (both confirmed and entered; one visits within 90 days, the other only after). November:
    1 website sign-up, not confirmed."""
    from crm.models import WalkIn

    oct_5 = datetime.datetime(2026, 10, 5, 15, 0, tzinfo=datetime.UTC)
    with time_machine.travel(oct_5, tick=False):
        voucher_program_set(store=store, kind=VoucherKind.AMOUNT, value=Decimal("20"),
                            minimum_purchase=Decimal("0"), valid_days=60, terms="Once.",
                            by=manager)
        drawing_create(store=store, month=store.today(), prize="Pendant", rules="Rules.",
                       closes_on=datetime.date(2026, 10, 31), by=manager)
        redeemed = _confirmed(store, email="w1@mail.example", first_name="W1").issued.voucher
        _confirmed(store, email="w2@mail.example", first_name="W2")
        SignUpFactory(store=store, email="w3@mail.example")
        soon = _confirmed(store, source=Source.DRAWING, email="d1@mail.example",
                          first_name="D1").sign_up.customer
        late = _confirmed(store, source=Source.DRAWING, email="d2@mail.example",
                          first_name="D2").sign_up.customer
    with time_machine.travel(oct_5 + datetime.timedelta(days=3), tick=False):
        voucher_redeem(store=store, code=redeemed.code, total=Decimal("80"), by=salesperson)
    WalkIn.objects.create(key="00000000-0000-0000-0000-000000000001", customer=soon,
                          created_at=oct_5 + datetime.timedelta(days=89))
    WalkIn.objects.create(key="00000000-0000-0000-0000-000000000002", customer=late,
                          created_at=oct_5 + datetime.timedelta(days=91))
    with time_machine.travel(datetime.datetime(2026, 11, 2, 15, 0, tzinfo=datetime.UTC),
                             tick=False):
        SignUpFactory(store=store, email="w4@mail.example")

    rows = promotion_results(store=store, since=datetime.datetime(2026, 1, 1,
                                                                  tzinfo=datetime.UTC))
    got = [(r["month"], r["source"], r["sign_ups"], r["confirmed"], r["vouchers"],
            r["redeemed"], r["entries"], r["came_in"]) for r in rows]
    assert got == [
        (datetime.date(2026, 11, 1), "website", 1, 0, 0, 0, 0, 0),
        (datetime.date(2026, 10, 1), "drawing", 2, 2, 0, 0, 2, 1),
        (datetime.date(2026, 10, 1), "website", 3, 2, 2, 1, 0, 1),
    ]


def test_the_results_page_costs_the_same_queries_for_more_sign_ups(
        manager_client, store, program, django_assert_max_num_queries):
    for n in range(3):
        _confirmed(store, email=f"p{n}@mail.example", first_name=f"P{n}")
    with django_assert_max_num_queries(8):
        assert manager_client.get(reverse("crm:promotion-results")).status_code == 200
    for n in range(3, 12):
        _confirmed(store, source=Source.DRAWING, email=f"p{n}@mail.example",
                   first_name=f"P{n}")
    with django_assert_max_num_queries(8):
        page = manager_client.get(reverse("crm:promotion-results"))
    assert "Monthly drawing" in page.content.decode()


def test_the_entrant_list_and_drawing_list_cost_the_same_queries_as_entries_grow(
        manager_client, store, drawing, django_assert_max_num_queries):
    pages = [reverse("crm:drawing-entrants", kwargs={"drawing_id": drawing.pk}),
             reverse("crm:drawings")]
    _confirmed(store, source=Source.DRAWING, email="e0@mail.example", first_name="E0")
    for page in pages:
        with django_assert_max_num_queries(9):
            manager_client.get(page)
    for n in range(1, 15):
        _confirmed(store, source=Source.DRAWING, email=f"e{n}@mail.example", first_name=f"E{n}")
    for page in pages:
        with django_assert_max_num_queries(9):
            assert manager_client.get(page).status_code == 200


def test_staff_pages_show_times_in_the_stores_timezone(manager_client, store, manager):
    with time_machine.travel(NOV_19 - datetime.timedelta(hours=1), tick=False):
        drawing = drawing_create(store=store, month=store.today(), prize="Ring", rules="R.",
                                 closes_on=store.today(), by=manager)
        _confirmed(store, source=Source.DRAWING)
    with time_machine.travel(NOV_19, tick=False):
        drawing_close(drawing=drawing, by=manager)
        drawing_draw(drawing=drawing, by=manager)
    page = manager_client.get(reverse("crm:drawing", kwargs={"drawing_id": drawing.pk}))
    assert "on Nov 19, 10:00" in page.content.decode()  # 16:00 UTC is 10:00 in Chicago
