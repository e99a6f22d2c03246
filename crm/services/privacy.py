"""A customer's privacy requests (managers only): everything held about them, and erasure.

Both read the customer's rows in every app from `Customer._meta` (as the merge does), so a
model another app adds later is exported and erased too, without crm importing that app.

Erasure keeps the customer's row and every row the store's figures count (purchases and
their amounts, visits, messages sent, repairs, RSVPs), stripped of personal data: names,
addresses, phones, emails, notes, message bodies, dates of birth and photo files. Each email
and number they had is replaced in the consent ledger by a token made from a SHA-256 hash of
the normalised address, with a revocation for every channel and purpose, so:
- the planner, the campaign expansion and the sender, which need a current grant at the
  address on a profile, never find one for the erased profile (it has no addresses left),
  and another profile of the store holding one of those addresses gets the same revocation;
- a text from that number finds no profile (its reply lands nowhere) and START re-grants
  only what STOP revoked, never an erasure;
- the address starts fresh only when the person asks again explicitly: a new sign-up, a yes
  on the tablet or at the counter, a manager's "Ask again" (a grant recorded after the
  erasure). An import or a texted START never re-grants it (`consent_record`).
"""

import csv
import hashlib
import io
import json
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

from core.audit import log_action
from core.errors import LoupeError
from core.models import AuditEntry, PhotoBase
from crm.models import (
    Channel,
    Consent,
    ConsentMethod,
    Customer,
    Occasion,
    Purpose,
    SignUp,
    address_channels,
)
from crm.normalize import consent_address_or_blank

ERASED_FIRST_NAME, ERASED_LAST_NAME = "Erased", "customer"
ERASED_TEXT = "(erased)"
# Profile fields emptied on erasure (the name becomes ERASED_*).
PERSONAL_FIELDS = ["email", "secondary_email", "phone", "address_line", "city", "region",
                   "postal_code", "partner_name", "notes", "pos_id", "contact_preference"]
# Facts about a piece, not the person: the figures group sales by them.
PIECE_FACTS = {"category", "metal", "stones", "item_type"}
# Grants that are not the person asking: they never re-open an erased address.
NOT_AN_ASK = {ConsentMethod.IMPORT, ConsentMethod.START}


def erased_token(address: str) -> str:
    """What the ledger keeps of an erased address: a hash of the normalised address, shaped
    to fit the ledger's address rules (an email's contains "@", a number's starts "+")."""
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"erased-{digest}@erased.invalid" if "@" in address else f"+erased-{digest}"


def address_erased(*, store, address: str, since=None) -> bool:
    """Whether a customer of `store` who had `address` (normalised) was erased (after
    `since`, when given)."""
    found = Consent.objects.filter(customer__store=store, address=erased_token(address),
                                   method=ConsentMethod.ERASURE)
    if since is not None:
        found = found.filter(created_at__gt=since)
    return found.exists()


# -- what is held ---------------------------------------------------------------------------

def _is_history(model) -> bool:
    return any(f.name == "history_id" for f in model._meta.fields)


def _relations(model):
    """Reverse one-to-many and one-to-one relations to `model`, hidden ones included
    (`related_name="+"`), django-simple-history's tables left out (handled apart)."""
    return [r for r in model._meta.get_fields(include_hidden=True)
            if r.auto_created and not r.concrete and (r.one_to_many or r.one_to_one)
            and not _is_history(r.related_model)]


def _points_at_customer(model) -> bool:
    return any(getattr(f, "related_model", None) is Customer for f in model._meta.fields)


def held_rows(customer: Customer) -> dict[str, list]:
    """Every row of every app that belongs to the customer: theirs directly (occasions,
    consent, timeline, purchases, repairs, messages, tasks, appointments, RSVPs, photos...),
    then the rows belonging to those that name no customer themselves (a receipt's lines, an
    envelope's status changes and photos). Keyed by the model's label."""
    held: dict[str, list] = {}
    for relation in _relations(Customer):
        model = relation.related_model
        rows = list(model._base_manager.filter(**{relation.field.name: customer}).order_by("pk"))
        if not rows:
            continue
        held.setdefault(model._meta.label_lower, []).extend(rows)
        for child in _relations(model):
            if _points_at_customer(child.related_model):
                continue
            found = list(child.related_model._base_manager.filter(
                **{f"{child.field.name}__in": rows}).order_by("pk"))
            if found:
                held.setdefault(child.related_model._meta.label_lower, []).extend(found)
    if pending := list(_pending_sign_ups(customer)):
        held.setdefault(SignUp._meta.label_lower, []).extend(pending)
    return held


def _pending_sign_ups(customer: Customer):
    """Website or drawing entries with one of their emails, never confirmed (so linked to no
    profile yet): held about them too, and a link confirmed after an erasure must not bring
    the address back."""
    emails = [a for a in customer.addresses if "@" in a]
    return SignUp.objects.filter(store=customer.store, customer__isnull=True,
                                 confirmed_at__isnull=True, email__in=emails).order_by("pk")


def _as_dict(row) -> dict:
    values = {}
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        if isinstance(field, models.FileField):
            value = value.name if value else ""
        values[field.attname] = str(value) if field.get_internal_type() == "CharField" \
            and value is not None and not isinstance(value, str) else value
    return values


def _profile(customer: Customer) -> dict:
    return _as_dict(customer) | {
        "preferences": sorted(p.name for p in customer.preferences.all()),
        "addresses": customer.addresses,
    }


def _csv(rows: list[dict]) -> str:
    out = io.StringIO()
    columns = list(rows[0]) if rows else []
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return out.getvalue()


def _cell(value) -> str:
    """A CSV cell: lists as JSON; a value a spreadsheet would run as a formula is quoted."""
    text = json.dumps(value, cls=DjangoJSONEncoder) if isinstance(value, list | dict) \
        else ("" if value is None else str(value))
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@transaction.atomic
def customer_data_export(*, customer: Customer, by) -> bytes:
    """A zip of everything held about one customer: `everything.json` and one CSV per kind
    of row (profile.csv, crm.consent.csv, repairs.envelope.csv, ...). Audit-logged."""
    if Customer.objects.filter(pk=customer.pk, erased_at__isnull=False).exists():
        raise LoupeError("This customer was erased: nothing personal is held any more.")
    sections = {"profile": [_profile(customer)]} | {
        label: [_as_dict(row) for row in rows] for label, rows in held_rows(customer).items()}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("everything.json", json.dumps(
            {"customer_id": customer.pk, "exported_at": timezone.now(), **sections},
            cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
        for label, rows in sections.items():
            archive.writestr(f"{label}.csv", _csv(rows))
    log_action(by=by, action="customer.data_exported", obj=customer,
               data={"sections": sorted(sections)})
    return buffer.getvalue()


# -- erasure --------------------------------------------------------------------------------

@transaction.atomic
def customer_erase(*, customer: Customer, by) -> Customer:
    """Remove the customer's personal data for good, keeping what the figures count.

    Locks the customer; erasing one already erased changes nothing (a double tap). See the
    module's docstring for what stays and how the ledger keeps them from being messaged.
    """
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    if locked.erased_at is not None:
        return locked
    now = timezone.now()
    held = held_rows(locked)
    addresses = _addresses_of(locked, held)
    _pending_sign_ups(locked).delete()
    _revoke_elsewhere(locked, addresses, by=by, at=now)
    _anonymise_ledger(locked, addresses, at=now)
    _delete_photos(held)
    Occasion.objects.filter(customer=locked).delete()
    _wipe_rows(held, addresses)
    _forget_history(locked, held)
    locked.preferences.clear()
    Customer.objects.filter(pk=locked.pk).update(
        first_name=ERASED_FIRST_NAME, last_name=ERASED_LAST_NAME, erased_at=now,
        **{name: "" for name in PERSONAL_FIELDS})
    _forget_names_in_the_audit_log(locked, held)
    locked.refresh_from_db()
    log_action(by=by, action="customer.erased", obj=locked, at=now,
               data={"addresses": len(addresses)})
    return locked


def _addresses_of(customer: Customer, held: dict) -> set[str]:
    """Every email and number held: on the profile, in the ledger, on their other rows."""
    found = set(customer.addresses)
    found |= set(Consent.objects.filter(customer=customer).values_list("address", flat=True))
    for rows in held.values():
        for row in rows:
            for field in row._meta.concrete_fields:
                if _kind(field) in ("email", "phone") or field.name in ("to", "email_to"):
                    found.add(str(getattr(row, field.attname) or ""))
    normalised = {consent_address_or_blank(a, channel=Channel.EMAIL if "@" in a
                                           else Channel.SMS) for a in found}
    return {a for a in normalised if a and not a.startswith(("erased-", "+erased-"))}


def _revoke_elsewhere(customer: Customer, addresses: set[str], *, by, at) -> None:
    """Another profile of the store with one of these addresses is the same person's
    address: it is revoked there too, for every purpose."""
    from crm.services.customers import consent_record

    others = Customer.objects.for_store(customer.store).exclude(pk=customer.pk).filter(
        models.Q(email__in=addresses) | models.Q(secondary_email__in=addresses)
        | models.Q(phone__in=addresses))
    for other in others:
        for address in set(other.addresses) & addresses:
            for channel in address_channels(address):
                for purpose in Purpose.values:
                    consent_record(customer=other, channel=channel, address=address,
                                   purpose=purpose, granted=False, method=ConsentMethod.ERASURE,
                                   by=by, at=at, note="The person asked to be erased.")


def _anonymise_ledger(customer: Customer, addresses: set[str], *, at) -> None:
    """Each ledger row keeps its channel, purpose, yes or no and when, with the address
    replaced by its token and the words (which name the address) removed; then one
    revocation per address, channel and purpose closes the ledger for good."""
    for address in addresses:
        Consent.objects.filter(customer=customer, address=address).update(
            address=erased_token(address), words="", note="")
    Consent.objects.bulk_create([
        Consent(customer=customer, channel=channel, address=erased_token(address),
                purpose=purpose, granted=False, method=ConsentMethod.ERASURE,
                note="Erased on request", created_at=at)
        for address in sorted(addresses) for channel in address_channels(address)
        for purpose in Purpose.values])


def _delete_photos(held: dict) -> None:
    for rows in held.values():
        for row in rows:
            if isinstance(row, PhotoBase):
                row.image.delete(save=False)
                type(row)._base_manager.filter(pk=row.pk).delete()


def _kind(field) -> str | None:
    if isinstance(field, PhoneNumberField):
        return "phone"
    if isinstance(field, models.EmailField):
        return "email"
    if isinstance(field, models.CharField | models.TextField):
        return "text"
    return None


def _kept(field) -> bool:
    """Fields that are no personal text: not text, a choice, or a key a constraint holds."""
    if _kind(field) is None or field.primary_key or field.choices or field.unique \
            or field.name in PIECE_FACTS:
        return True
    return any(field.name in getattr(c, "fields", ()) for c in field.model._meta.constraints)


def _wiped(field, value, addresses: set[str]):
    """An address becomes its token (a number on a phone field is emptied: that field reads
    only real numbers), an email field another token, other text ERASED_TEXT."""
    if not value:
        return value
    text, kind = str(value), _kind(field)
    if kind == "phone":
        return ""
    if text in addresses or text.lower() in addresses or kind == "email":
        token = erased_token(text.lower() if "@" in text else text)
        return token if len(token) <= (field.max_length or len(token)) else ""
    return ERASED_TEXT if (field.max_length or len(ERASED_TEXT)) >= len(ERASED_TEXT) else ""


def _wipe_rows(held: dict, addresses: set[str]) -> None:
    """Every text on the customer's other rows (a message's body and address, a task's note,
    an envelope's description, a timeline entry) is replaced; numbers, dates, amounts,
    statuses and kinds stay, so every count and sum the store reports stays right. Rows that
    change alike are updated together (a long timeline is one UPDATE)."""
    for rows in held.values():
        model = type(rows[0])
        if issubclass(model, PhotoBase) or model in (Occasion, Consent, SignUp):
            continue
        fields = [f for f in model._meta.concrete_fields if not _kept(f)]
        alike: dict[tuple, list[int]] = {}
        for row in rows:
            changes = tuple((f.attname, _wiped(f, getattr(row, f.attname), addresses))
                            for f in fields
                            if _wiped(f, getattr(row, f.attname), addresses)
                            != getattr(row, f.attname))
            if changes:
                alike.setdefault(changes, []).append(row.pk)
        for changes, pks in alike.items():
            model._base_manager.filter(pk__in=pks).update(**dict(changes))


def _forget_names_in_the_audit_log(customer: Customer, held: dict) -> None:
    """The audit log keeps who did what and when; the customer's name, addresses and the
    names of their rows (a sign-up is named by its email) go."""
    AuditEntry.objects.filter(object_type=Customer._meta.label_lower,
                              object_id=str(customer.pk)).update(
        object_repr=f"Erased customer #{customer.pk}", data={})
    for label, rows in held.items():
        AuditEntry.objects.filter(object_type=label,
                                  object_id__in=[str(row.pk) for row in rows]).update(
            object_repr=f"({label} of an erased customer)")


def _forget_history(customer: Customer, held: dict) -> None:
    """django-simple-history keeps every past version: those of the profile and of each of
    its rows that has a history (dates, ledger rows, ...) go; the audit log keeps who did
    what, without the person."""
    Customer.history.model.objects.filter(id=customer.pk).delete()
    for rows in held.values():
        history = getattr(type(rows[0]), "history", None)
        if history is not None:
            history.model.objects.filter(id__in=[row.pk for row in rows]).delete()
