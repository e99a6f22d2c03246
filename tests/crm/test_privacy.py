"""Privacy requests: a manager exports everything held about one customer, and erases one
for good while the store's figures stay right and the addresses are never messaged again."""

import datetime
import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEntry
from crm.models import (
    Channel,
    Consent,
    ConsentMethod,
    Customer,
    Interaction,
    Occasion,
    PiecePhoto,
    Purchase,
    PurchaseLine,
    Purpose,
    SignUp,
)
from crm.selectors import consent_current, customer_search
from crm.services import consent_record, customer_update, interaction_add, purchase_record
from crm.services.privacy import (
    customer_data_export,
    customer_erase,
    erased_token,
)
from followups.models import Message
from tests.factories import (
    AppointmentFactory,
    ConsentFactory,
    CustomerFactory,
    EnvelopeFactory,
    InvitationFactory,
    MessageFactory,
    OccasionFactory,
    SignUpFactory,
    TaskFactory,
    WishItemFactory,
)

pytestmark = pytest.mark.django_db

EMAIL, PHONE = "ava.brown@mail.example", "+12175550142"


@pytest.fixture
def ava(store, salesperson, settings, tmp_path):
    """A client with something in every room: dates, consent, a visit, a purchase with a
    line, a repair, a reminder, a task, an appointment, an RSVP and a photo of a piece."""
    settings.MEDIA_ROOT = tmp_path
    ava = CustomerFactory(store=store, first_name="Ava", last_name="Brown", email=EMAIL,
                          phone=PHONE, address_line="12 Elm St", city="Springfield",
                          partner_name="Ben", notes="Allergic to nickel",
                          assigned_to=salesperson)
    OccasionFactory(customer=ava, month=4, day=2, year=1985)
    ConsentFactory(customer=ava, channel=Channel.EMAIL, purpose=Purpose.OCCASION_REMINDERS)
    ConsentFactory(customer=ava, channel=Channel.SMS, purpose=Purpose.EVENTS)
    interaction_add(customer=ava, kind="visit", summary="Looked at pearl studs with Ben",
                    by=salesperson)
    purchase = purchase_record(customer=ava, by=salesperson, purchased_on=store.today(),
                               amount=Decimal("1250.00"), description="Pearl studs for Ava")
    PurchaseLine.objects.create(purchase=purchase, position=1, category="Earrings",
                                description="Pearl studs", amount=Decimal("1250.00"))
    EnvelopeFactory(customer=ava, condition="Ava's grandmother's ring")
    MessageFactory(customer=ava, subject="Happy birthday, Ava", body="Dear Ava ...")
    TaskFactory(customer=ava, kind="call", note="Call Ava about the studs", occasion=None,
                occurs_on=None)
    AppointmentFactory(customer=ava, note="Ava brings Ben")
    InvitationFactory(customer=ava)
    wish = WishItemFactory(customer=ava, description="Tennis bracelet")
    photo = PiecePhoto(customer=ava, wish_item=wish, store=store, width=1, height=1,
                       created_at=timezone.now())
    photo.image.save("ava.jpg", ContentFile(b"jpeg"), save=True)
    customer_update(customer=ava, by=salesperson, notes="Allergic to nickel; likes pearls")
    return Customer.objects.get(pk=ava.pk)


def _export(client, customer, **data):
    return client.post(reverse("crm:data-export", kwargs={"customer_id": customer.pk}),
                       {"identity_checked": "on"} | data)


def _erase(client, customer, name=None):
    return client.post(reverse("crm:erase", kwargs={"customer_id": customer.pk}),
                       {"confirm_name": name or customer.full_name, "identity_checked": "on"})


def test_a_manager_downloads_everything_held_about_one_customer(manager_client, ava, store):
    CustomerFactory(store=store, first_name="Zed", email="zed@mail.example")

    response = _export(manager_client, ava)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    held = json.loads(archive.read("everything.json"))
    for section in ("profile", "crm.occasion", "crm.consent", "crm.interaction",
                    "crm.purchase", "crm.purchaseline", "repairs.envelope",
                    "repairs.statuschange", "followups.message", "followups.task",
                    "appointments.appointment", "events.invitation", "crm.wishitem",
                    "crm.piecephoto"):
        assert section in held, section
        assert f"{section}.csv" in archive.namelist()
    profile = held["profile"][0]
    assert (profile["first_name"], profile["email"], profile["phone"]) == ("Ava", EMAIL, PHONE)
    assert profile["addresses"] == [EMAIL, PHONE]
    assert {c["address"] for c in held["crm.consent"]} == {EMAIL, PHONE}
    assert held["crm.piecephoto"][0]["image"].endswith(".jpg")
    assert "Zed" not in archive.read("everything.json").decode()
    assert "Pearl studs for Ava" in archive.read("crm.purchase.csv").decode()
    entry = AuditEntry.objects.get(action="customer.data_exported")
    assert entry.object_id == str(ava.pk)


def test_the_export_is_a_confirmed_post_and_nothing_else(manager_client, ava):
    url = reverse("crm:data-export", kwargs={"customer_id": ava.pk})
    assert manager_client.get(url).status_code == 405
    refused = manager_client.post(url, {})
    assert refused.status_code == 400
    assert "This field is required" in refused.content.decode()
    assert not AuditEntry.objects.filter(action="customer.data_exported").exists()


def test_a_formula_in_a_cell_is_not_run_by_a_spreadsheet(manager, ava):
    ava.notes = "=HYPERLINK(\"http://evil.example\")"
    ava.save(update_fields=["notes"])
    archive = zipfile.ZipFile(io.BytesIO(customer_data_export(customer=ava, by=manager)))
    assert "'=HYPERLINK" in archive.read("profile.csv").decode()


def test_erasure_removes_the_personal_data_and_keeps_the_figures(manager_client, ava, manager):
    photo = PiecePhoto.objects.get(customer=ava)
    value_before = ava.lifetime_value

    response = _erase(manager_client, ava)

    assert response.status_code == 302
    ava.refresh_from_db()
    assert (ava.first_name, ava.last_name, ava.email, ava.phone, ava.address_line, ava.city,
            ava.partner_name, ava.notes) == ("Erased", "customer", "", "", "", "", "", "")
    assert ava.erased_at is not None
    # The figures: the purchase's amount, the lifetime value and the visit stay.
    assert ava.lifetime_value == value_before == Decimal("1250.00")
    purchase = Purchase.objects.get(customer=ava)
    assert (purchase.amount, purchase.description) == (Decimal("1250.00"), "(erased)")
    assert PurchaseLine.objects.get(purchase=purchase).category == "Earrings"
    assert Interaction.objects.filter(customer=ava, kind="visit").count() == 1
    # Nothing personal is left on any row, in the history or in the audit log.
    assert not Occasion.objects.filter(customer=ava).exists()
    assert not PiecePhoto.objects.filter(pk=photo.pk).exists()
    assert not default_storage.exists(photo.image.name)
    held = json.dumps([list(m.objects.filter(customer=ava).values()) for m in
                       (Interaction, Message, Consent)], default=str)
    held += json.dumps(list(Customer.history.filter(id=ava.pk).values()), default=str)
    held += json.dumps(list(AuditEntry.objects.filter(object_id=str(ava.pk)).values()),
                       default=str)
    for personal in ("Ava", "Brown", EMAIL, PHONE, "Elm St", "nickel", "Ben"):
        assert personal not in held, personal
    envelope = ava.envelopes.get()
    assert (envelope.email, envelope.condition) == (erased_token(EMAIL), "(erased)")
    message = Message.objects.get(customer=ava)
    assert (message.subject, message.body, message.to) == ("(erased)", "(erased)",
                                                            erased_token(EMAIL))
    assert AuditEntry.objects.filter(action="customer.erased", object_id=str(ava.pk)).exists()
    assert not customer_search(store=ava.store, query="Brown")
    assert not customer_search(store=ava.store, query=EMAIL)


def test_the_ledger_keeps_an_anonymous_revocation_per_address(manager, ava):
    customer_erase(customer=ava, by=manager)

    rows = Consent.objects.filter(customer=ava)
    assert not rows.filter(address__in=[EMAIL, PHONE]).exists()
    email_token, phone_token = erased_token(EMAIL), erased_token(PHONE)
    assert email_token.startswith("erased-") and EMAIL not in email_token
    for address, channels in ((email_token, ["email"]), (phone_token, ["phone", "sms"])):
        erasures = rows.filter(address=address, method=ConsentMethod.ERASURE, granted=False)
        assert sorted({(r.channel, r.purpose) for r in erasures}) == sorted(
            (c, p) for c in channels for p in Purpose.values)
    # The earlier grants stay as anonymous history, behind the revocation.
    assert rows.filter(address=email_token, granted=True, words="").count() == 1


def test_erasing_twice_changes_nothing(manager, ava):
    customer_erase(customer=ava, by=manager)
    count = Consent.objects.count()
    customer_erase(customer=ava, by=manager)
    assert Consent.objects.count() == count
    assert AuditEntry.objects.filter(action="customer.erased").count() == 1


def test_erasure_needs_the_name_typed_and_changes_nothing_without_it(manager_client, ava):
    url = reverse("crm:erase", kwargs={"customer_id": ava.pk})
    assert manager_client.get(url).status_code == 405
    response = _erase(manager_client, ava, name="Ava Smith")
    assert response.status_code == 400
    assert "not this customer" in response.content.decode()
    assert "Ava Smith" in response.content.decode()  # what was typed is kept
    ava.refresh_from_db()
    assert (ava.first_name, ava.email, ava.erased_at) == ("Ava", EMAIL, None)


def test_the_privacy_page_confirms_before_anything_happens(manager_client, ava):
    page = manager_client.get(reverse("crm:privacy", kwargs={"customer_id": ava.pk}))
    assert page.status_code == 200
    text = page.content.decode()
    assert "This cannot be undone" in text
    assert reverse("crm:erase", kwargs={"customer_id": ava.pk}) in text
    assert reverse("crm:privacy", kwargs={"customer_id": ava.pk}) in manager_client.get(
        reverse("crm:customer", kwargs={"customer_id": ava.pk})).content.decode()


@pytest.mark.parametrize("who", ["sales_client", "service_client"])
def test_only_managers_export_or_erase(request, who, ava):
    client = request.getfixturevalue(who)
    assert _export(client, ava).status_code == 403
    assert _erase(client, ava).status_code == 403
    ava.refresh_from_db()
    assert ava.erased_at is None


def test_another_stores_manager_gets_404(other_manager_client, ava):
    assert _export(other_manager_client, ava).status_code == 404
    assert _erase(other_manager_client, ava).status_code == 404


def test_another_profile_with_the_address_is_revoked_too(manager, ava, store):
    twin = CustomerFactory(store=store, first_name="A.", email=EMAIL, phone="")
    ConsentFactory(customer=twin, channel=Channel.EMAIL, purpose=Purpose.EVENTS)

    customer_erase(customer=ava, by=manager)

    assert not consent_current(customer=twin, channel=Channel.EMAIL, address=EMAIL,
                               purpose=Purpose.EVENTS)


def test_an_import_or_a_start_never_reopens_an_erased_address(manager, ava, store):
    customer_erase(customer=ava, by=manager)
    newcomer = CustomerFactory(store=store, email=EMAIL, phone=PHONE)

    consent_record(customer=newcomer, channel=Channel.EMAIL, address=EMAIL,
                   purpose=Purpose.EVENTS, granted=True, method=ConsentMethod.IMPORT)
    consent_record(customer=newcomer, channel=Channel.SMS, address=PHONE,
                   purpose=Purpose.EVENTS, granted=True, method=ConsentMethod.START)
    assert not Consent.objects.filter(customer=newcomer).exists()

    # Asked again explicitly (on the tablet): the address starts fresh.
    consent_record(customer=newcomer, channel=Channel.EMAIL, address=EMAIL,
                   purpose=Purpose.EVENTS, granted=True, method=ConsentMethod.TABLET)
    assert consent_current(customer=newcomer, channel=Channel.EMAIL, address=EMAIL,
                           purpose=Purpose.EVENTS)


def test_another_store_is_not_touched_by_the_erasure(manager, ava, other_store):
    elsewhere = CustomerFactory(store=other_store, email=EMAIL)
    customer_erase(customer=ava, by=manager)
    consent_record(customer=elsewhere, channel=Channel.EMAIL, address=EMAIL,
                   purpose=Purpose.EVENTS, granted=True, method=ConsentMethod.IMPORT)
    assert consent_current(customer=elsewhere, channel=Channel.EMAIL, address=EMAIL,
                           purpose=Purpose.EVENTS)


def test_a_pending_sign_up_cannot_bring_the_address_back(manager, ava, store):
    from core.audit import log_action

    pending = SignUpFactory(store=store, email=EMAIL, first_name="Ava")
    log_action(by=None, action="sign_up.received", obj=pending)
    envelope = ava.envelopes.get()
    log_action(by=manager, action="envelope.moved", obj=envelope)
    confirmed_elsewhere = SignUpFactory(store=store, email="other@mail.example")

    customer_erase(customer=ava, by=manager)

    assert not SignUp.objects.filter(pk=pending.pk).exists()
    assert SignUp.objects.filter(pk=confirmed_elsewhere.pk).exists()
    # Their rows' names leave the audit log too (a sign-up is named by its email).
    assert not AuditEntry.objects.filter(object_repr__contains=EMAIL).exists()
    assert AuditEntry.objects.get(action="envelope.moved").object_repr.endswith(
        "of an erased customer)")


def test_a_new_sign_up_after_erasure_starts_a_fresh_profile(manager, ava, store):
    from crm.links import confirmation_token
    from crm.services import sign_up_confirm, sign_up_create

    customer_erase(customer=ava, by=manager)
    entry = sign_up_create(store=store, source="website", ip="203.0.113.9", first_name="Ava",
                           email=EMAIL)
    sign_up_confirm(token=confirmation_token(sign_up=entry))

    fresh = Customer.objects.get(email=EMAIL)
    assert fresh.pk != ava.pk and fresh.erased_at is None
    assert consent_current(customer=fresh, channel=Channel.EMAIL, address=EMAIL,
                           purpose=Purpose.EVENTS)
    ava.refresh_from_db()
    assert ava.email == "" and not ava.occasions.exists()


def test_an_erased_customer_cannot_be_exported_again(manager, ava):
    from core.errors import LoupeError

    customer_erase(customer=ava, by=manager)
    with pytest.raises(LoupeError):
        customer_data_export(customer=ava, by=manager)


def _erasure_queries(store, manager, notes: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    customer = CustomerFactory(store=store)
    ConsentFactory(customer=customer)
    for n in range(notes):
        interaction_add(customer=customer, kind="note", summary=f"Note {n}", by=manager,
                        at=timezone.now() - datetime.timedelta(minutes=n))
    with CaptureQueriesContext(connection) as captured:
        customer_erase(customer=customer, by=manager)
    return len(captured.captured_queries)


def test_erasure_costs_the_same_however_long_the_timeline(store, manager):
    assert _erasure_queries(store, manager, 2) == _erasure_queries(store, manager, 40)
