"""Forms for the person at the tablet: they check types and say what is wrong beside the
field; the services check the rules again (the form is for the person, the service for the
truth) and raise LoupeError, which the view adds back here."""

import calendar
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import LoupeError
from core.one_line import OneLineInputsMixin
from crm.models import (
    Channel,
    ContactPreference,
    Customer,
    ImportKind,
    OccasionKind,
    Preference,
    VoucherKind,
)
from crm.normalize import normalize_email, normalize_phone, phone_key, phone_national
from crm.services import OccasionEntry, WalkInEntry, consent_questions, occasion_checked
from crm.wording import consent_words

MONTHS = [("", "—")] + [(str(n), calendar.month_name[n]) for n in range(1, 13)]
YES_NO = [("no", _("No")), ("yes", _("Yes"))]
PREFERENCE_CHOICES = [("", _("Not said")), *ContactPreference.choices]
TEL = {"type": "tel", "inputmode": "tel", "autocomplete": "off"}


def _contact_fields(form, data, *, known_phone=""):
    """Normalise email and phone on the form, so a mistake is shown beside the field.

    A phone the profile already has is kept as it is, even one today's check would refuse
    (an old import), so updating that profile is never blocked by it.
    """
    checks = [("email", normalize_email), ("phone", normalize_phone)]
    if known_phone and data.get("phone") and phone_key(data["phone"]) == known_phone:
        data["phone"] = known_phone
        checks.pop()
    for name, normalize in checks:
        if name in data:
            try:
                data[name] = normalize(data[name])
            except LoupeError as exc:
                form.add_error(name, exc.message)


class _ChoicesReadOnce(forms.models.ModelChoiceIterator):
    """The store's list read once per form, however often the page shows it (the walk-in's
    folded "What they like" names the ticked ones in its summary, then lists them all)."""

    def __iter__(self):
        cached = getattr(self.field, "_choices_read", None)
        if cached is None:
            cached = self.field._choices_read = list(super().__iter__())
        yield from cached


class _PreferencesField(forms.ModelMultipleChoiceField):
    iterator = _ChoicesReadOnce


def _preferences_field():
    return _PreferencesField(
        label=_("What they like"), queryset=Preference.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple)


def _offer_preferences_of(form, store) -> None:
    """The store's own list, the lines it still offers."""
    form.fields["preferences"].queryset = Preference.objects.for_store(store).offered()


class OccasionFieldsMixin:
    """Month, day and optional year per occasion kind, checked like the service checks."""

    occasion_kinds = [k for k, _ in OccasionKind.choices]

    def add_occasion_fields(self):
        for kind, label in OccasionKind.choices:
            self.fields[f"{kind}_month"] = forms.TypedChoiceField(
                label=label, choices=MONTHS, required=False, coerce=int, empty_value=None)
            self.fields[f"{kind}_day"] = forms.IntegerField(
                label=_("Day"), required=False, min_value=1, max_value=31,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
            self.fields[f"{kind}_year"] = forms.IntegerField(
                label=_("Year"), required=False, min_value=1900, max_value=2100,
                widget=forms.NumberInput(attrs={"inputmode": "numeric",
                                                "placeholder": _("optional")}))

    def clean_occasions(self, data, today) -> list[OccasionEntry]:
        entries = []
        for kind in self.occasion_kinds:
            month, day = data.get(f"{kind}_month"), data.get(f"{kind}_day")
            year = data.get(f"{kind}_year")
            if month is None and day is None and year is None:
                continue
            if month is None:
                self.add_error(f"{kind}_month", _("Choose the month."))
                continue
            if day is None:
                self.add_error(f"{kind}_day", _("Enter the day."))
                continue
            try:
                occasion_checked(kind=kind, month=month, day=day, year=year, today=today,
                                 prefix=f"{kind}_")
            except LoupeError as exc:
                self.add_error(exc.field, exc.message)
                continue
            entries.append(OccasionEntry(kind=kind, month=month, day=day, year=year,
                                         label=data.get("other_label", "")))
        return entries


class WalkInForm(OneLineInputsMixin, OccasionFieldsMixin, forms.Form):
    """The walk-in screen, in the order of the conversation."""

    key = forms.UUIDField(widget=forms.HiddenInput)
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80, required=False)
    phone = forms.CharField(label=_("Mobile phone"), max_length=32, required=False,
                            widget=forms.TextInput(attrs=TEL))
    email = forms.CharField(label=_("Email"), max_length=254, required=False,
                            widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    address_line = forms.CharField(label=_("Street address"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    region = forms.CharField(label=_("State"), max_length=80, required=False)
    postal_code = forms.CharField(label=_("ZIP"), max_length=20, required=False)
    partner_name = forms.CharField(label=_("Partner's name"), max_length=120, required=False)
    other_label = forms.CharField(label=_("Other occasion: what is it?"), max_length=80,
                                  required=False)
    looked_at = forms.CharField(label=_("What they looked at and loved"), max_length=200,
                                required=False)
    looked_at_price = forms.DecimalField(label=_("Its price"), max_digits=12, decimal_places=2,
                                         min_value=0, required=False)
    preferences = _preferences_field()
    bought = forms.ChoiceField(label=_("Did they buy?"), choices=YES_NO, initial="no",
                               widget=forms.RadioSelect)
    why_not = forms.CharField(label=_("Why not?"), max_length=200, required=False)
    purchase_amount = forms.DecimalField(label=_("Amount paid"), max_digits=12,
                                         decimal_places=2, min_value=0, required=False)
    consent_email = forms.BooleanField(label=_("Email"), required=False)
    consent_sms = forms.BooleanField(label=_("Text message"), required=False)
    consent_phone = forms.BooleanField(label=_("Phone call"), required=False)
    contact_preference = forms.ChoiceField(
        label=_("How do they prefer to hear from us?"), choices=PREFERENCE_CHOICES,
        required=False, widget=forms.RadioSelect)

    def __init__(self, *args, store, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.store = store
        _offer_preferences_of(self, store)
        self.known_phone = str(customer.phone or "") if customer is not None else ""
        self.add_occasion_fields()

    def full_clean(self):
        super().full_clean()
        if self.is_bound and "key" in self.errors:
            # Not opened here (or tampered with): a fresh key lets the next tap save once.
            self.data = self.data.copy()
            self.data["key"] = str(uuid.uuid4())

    def clean(self):
        data = super().clean()
        _contact_fields(self, data, known_phone=self.known_phone)
        data["occasions"] = self.clean_occasions(data, self.store.today())
        if data.get("bought") == "yes" and data.get("purchase_amount") is None:
            self.add_error("purchase_amount", _("Enter what they paid."))
        return data

    def entry(self) -> WalkInEntry:
        data = self.cleaned_data
        return WalkInEntry(
            **{name: data[name] for name in (
                "first_name", "last_name", "phone", "email", "address_line", "city", "region",
                "postal_code", "partner_name", "looked_at", "looked_at_price", "why_not",
                "purchase_amount")},
            occasions=data["occasions"], preferences=list(data["preferences"]),
            bought=data["bought"] == "yes",
            consents={channel: data[f"consent_{channel}"] for channel in Channel.values},
            contact_preference=data["contact_preference"],
        )

    @classmethod
    def typed(cls, data) -> dict:
        """What the associate typed (blank fields left out), as initial values: it survives
        a switch to the profile on file."""
        typed = {}
        for name, field in cls.base_fields.items():
            value = (data.getlist(name) if getattr(field.widget, "allow_multiple_selected", False)
                     else data.get(name, ""))
            if value and name != "key":
                typed[name] = value
        for name in data:
            if name.endswith(("_month", "_day", "_year")) and data.get(name):
                typed[name] = data[name]
        return typed

    @classmethod
    def initial_for(cls, customer: Customer | None, key, on_file: dict | None = None) -> dict:
        """A known customer's visit starts from what is on file (`selectors.walk_in_on_file`),
        so what the associate leaves alone is recorded as no change."""
        initial = {"key": key}
        if customer is not None:
            initial |= {name: getattr(customer, name) for name in (
                "first_name", "last_name", "email", "address_line", "city", "region",
                "postal_code", "partner_name", "contact_preference")}
            initial["phone"] = on_file["phone"] if on_file else str(customer.phone or "")
            initial["preferences"] = list(customer.preferences.all())
        for kind, occasion in (on_file or {}).get("first_of_kind", {}).items():
            initial |= {f"{kind}_month": occasion.month, f"{kind}_day": occasion.day,
                        f"{kind}_year": occasion.year}
            if kind == OccasionKind.OTHER:
                initial["other_label"] = occasion.label
        return initial


NEW_ADDRESS_HELP = _("A new address starts without consent: you will be asked to record it.")


class CustomerForm(OneLineInputsMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80, required=False)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False,
                            widget=forms.TextInput(attrs=TEL), help_text=NEW_ADDRESS_HELP)
    email = forms.CharField(label=_("Email"), max_length=254, required=False,
                            help_text=NEW_ADDRESS_HELP)
    secondary_email = forms.CharField(label=_("Second email"), max_length=254, required=False,
                                      help_text=NEW_ADDRESS_HELP)
    contact_preference = forms.ChoiceField(label=_("Prefers to hear from us by"),
                                           choices=PREFERENCE_CHOICES, required=False)
    address_line = forms.CharField(label=_("Street address"), max_length=200, required=False)
    city = forms.CharField(label=_("City"), max_length=80, required=False)
    region = forms.CharField(label=_("State"), max_length=80, required=False)
    postal_code = forms.CharField(label=_("ZIP"), max_length=20, required=False)
    partner_name = forms.CharField(label=_("Partner's name"), max_length=120, required=False)
    notes = forms.CharField(label=_("Notes"), required=False,
                            widget=forms.Textarea(attrs={"rows": 3}))
    preferences = _preferences_field()

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_preferences_of(self, store)

    def clean(self):
        data = super().clean()
        _contact_fields(self, data)
        if data.get("secondary_email"):
            try:
                data["secondary_email"] = normalize_email(data["secondary_email"],
                                                          field="secondary_email")
            except LoupeError as exc:
                self.add_error("secondary_email", exc.message)
        return data

    @classmethod
    def initial_for(cls, customer: Customer) -> dict:
        initial = {name: getattr(customer, name) for name in cls.base_fields
                   if name not in ("phone", "preferences")}
        return initial | {"phone": phone_national(str(customer.phone or "")),
                          "preferences": list(customer.preferences.all())}


class OccasionForm(forms.Form):
    """Correct one date on the profile (its kind stays: remove it and log the right one)."""

    month = forms.TypedChoiceField(label=_("Month"), choices=MONTHS, coerce=int,
                                   empty_value=None)
    day = forms.IntegerField(label=_("Day"), min_value=1, max_value=31,
                             widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2100,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric",
                                                              "placeholder": _("optional")}))
    label = forms.CharField(label=_("What is it?"), max_length=80, required=False)

    def __init__(self, *args, occasion, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.occasion, self.today = occasion, today
        if occasion.kind != OccasionKind.OTHER:
            del self.fields["label"]

    def clean(self):
        data = super().clean()
        if data.get("month") is None or data.get("day") is None:
            return data
        try:
            occasion_checked(kind=self.occasion.kind, month=data["month"], day=data["day"],
                             year=data.get("year"), today=self.today)
        except LoupeError as exc:
            self.add_error(exc.field, exc.message)
        return data

    @classmethod
    def initial_for(cls, occasion) -> dict:
        return {"month": occasion.month, "day": occasion.day, "year": occasion.year,
                "label": occasion.label}


ANSWERS = [("", _("Not asked")), ("yes", _("Yes")), ("no", _("No"))]


class ContactForm(CustomerForm):
    """The counter's correction of a customer's name, phone and emails (nothing else)."""

    CONTACT_FIELDS = ("first_name", "last_name", "phone", "email", "secondary_email")

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, store=store, **kwargs)
        for name in set(self.fields) - set(self.CONTACT_FIELDS):
            del self.fields[name]

    @classmethod
    def initial_for(cls, customer: Customer) -> dict:
        return {name: getattr(customer, name) for name in cls.CONTACT_FIELDS} | {
            "phone": str(customer.phone or "")}


class ConsentAnswersForm(forms.Form):
    """Asking again for one address: the words of each question and what they said, who
    asked and when (the store's local time)."""

    asked_by = forms.ModelChoiceField(label=_("Who asked"), queryset=None)
    asked_at = forms.DateTimeField(
        label=_("When"), input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))

    def __init__(self, *args, customer, address: str, purposes=None, **kwargs):
        """`purposes` narrows the questions (the counter asks about repair notices only)."""
        super().__init__(*args, **kwargs)
        self.store = customer.store
        self.fields["asked_by"].queryset = (self.store.staff.active()
                                            .order_by("display_name"))
        self.questions = [(c, p) for c, p in consent_questions(address=address)
                          if purposes is None or p in purposes]
        for channel, purpose in self.questions:
            self.fields[f"{channel}_{purpose}"] = forms.ChoiceField(
                label=consent_words(store=self.store, channel=channel, purpose=purpose,
                                    address=address),
                choices=ANSWERS, required=False, widget=forms.RadioSelect)
        self.order_fields([f"{c}_{p}" for c, p in self.questions])

    def clean_asked_at(self):
        """The time typed is the store's wall clock, whatever the server's zone."""
        typed = timezone.make_naive(self.cleaned_data["asked_at"])
        return typed.replace(tzinfo=self.store.tz)

    def answers(self) -> dict[tuple[str, str], bool]:
        said = {(c, p): self.cleaned_data.get(f"{c}_{p}") for c, p in self.questions}
        return {question: answer == "yes" for question, answer in said.items() if answer}


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Note"), max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class PurchaseForm(OneLineInputsMixin, forms.Form):
    purchased_on = forms.DateField(label=_("Date"),
                                   widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("Amount"), max_digits=12, decimal_places=2, min_value=0)
    description = forms.CharField(label=_("What they bought"), max_length=200, required=False)
    wedding_date = forms.DateField(
        label=_("Bridal: their wedding date"), required=False,
        help_text=_("For an engagement ring or wedding bands, ask: it becomes their "
                    "anniversary."), widget=forms.DateInput(attrs={"type": "date"}))


PHOTO_INPUT = forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"})


class PiecePhotoForm(OneLineInputsMixin, forms.Form):
    """A photo from the tablet's camera of a piece on the wish list or bought."""

    piece = forms.ChoiceField(label=_("The piece"))
    photo = forms.FileField(label=_("Photo"), widget=PHOTO_INPUT)
    caption = forms.CharField(label=_("Caption"), max_length=120, required=False)

    def __init__(self, *args, pieces, **kwargs):
        super().__init__(*args, **kwargs)
        self.pieces = {f"wish-{w.pk}": ("wish_item", w) for w in pieces["wish_items"]}
        self.pieces |= {f"purchase-{p.pk}": ("purchase", p) for p in pieces["purchases"]}
        self.fields["piece"].choices = [
            *((f"wish-{w.pk}", _("Wish list: %(d)s") % {"d": w.description})
              for w in pieces["wish_items"]),
            *((f"purchase-{p.pk}", f"{p.purchased_on:%b %-d, %Y}: {p.description or p.amount}")
              for p in pieces["purchases"])]

    def photo_kwargs(self) -> dict:
        kind, piece = self.pieces[self.cleaned_data["piece"]]
        return {kind: piece, "upload": self.cleaned_data["photo"],
                "caption": self.cleaned_data["caption"]}


class MergeForm(forms.Form):
    survivor = forms.ModelChoiceField(label=_("Keep this profile"),
                                      queryset=Customer.objects.none(),
                                      widget=forms.RadioSelect, empty_label=None)

    def __init__(self, *args, candidates, store, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["survivor"]
        field.queryset = Customer.objects.for_store(store)
        field.choices = [(c.pk, " · ".join((c.full_name, c.email or "—",
                                             phone_national(str(c.phone or "")) or "—")))
                         for c in candidates]


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("The file holds"), choices=ImportKind.choices,
                             initial=ImportKind.CUSTOMERS, required=False,
                             widget=forms.RadioSelect)
    file = forms.FileField(label=_("POS export (CSV)"))

    def clean_kind(self):
        return self.cleaned_data["kind"] or ImportKind.CUSTOMERS


class CaptureForm(OneLineInputsMixin, forms.Form):
    """The public sign-up (website voucher, monthly drawing)."""

    first_name = forms.CharField(label=_("First name"), max_length=80)
    last_name = forms.CharField(label=_("Last name"), max_length=80, required=False)
    email = forms.CharField(label=_("Email"), max_length=254,
                            widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(label=_("Phone (optional)"), max_length=32, required=False,
                            widget=forms.TextInput(attrs=TEL))
    occasion_kind = forms.ChoiceField(label=_("Occasion (optional)"),
                                      choices=[("", "—"), *OccasionKind.choices], required=False)
    occasion_label = forms.CharField(label=_("What is it? (for “Other”)"), max_length=80,
                                     required=False)
    occasion_month = forms.TypedChoiceField(label=_("Month"), choices=MONTHS, required=False,
                                            coerce=int, empty_value=None)
    occasion_day = forms.IntegerField(label=_("Day"), required=False, min_value=1, max_value=31)
    occasion_year = forms.IntegerField(
        label=_("Year"), required=False, min_value=1900, max_value=2100,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "placeholder": _("optional")}))
    # Hidden from people by the stylesheet; a bot that fills it in is thanked and ignored.
    website = forms.CharField(required=False, label=_("Leave this empty"),
                              widget=forms.TextInput(attrs={"autocomplete": "off",
                                                            "tabindex": "-1"}))

    def clean(self):
        data = super().clean()
        _contact_fields(self, data)
        kind, month, day = (data.get("occasion_kind"), data.get("occasion_month"),
                            data.get("occasion_day"))
        data["occasion"] = None
        if kind or month or day or data.get("occasion_year"):
            if not (kind and month and day):
                self.add_error("occasion_kind", _("Choose the occasion, its month and day."))
            else:
                data["occasion"] = {"kind": kind, "month": month, "day": day,
                                    "year": data.get("occasion_year"),
                                    "label": data.get("occasion_label", "")}
        return data

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def sign_up_fields(self) -> dict:
        """What `sign_up_create` takes from the form."""
        return {name: self.cleaned_data[name]
                for name in ("first_name", "last_name", "email", "phone", "occasion")}


class PreferenceForm(OneLineInputsMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=999, initial=0)
    active = forms.BooleanField(label=_("Offered on the walk-in screen"), required=False,
                                initial=True)


class VoucherLookupForm(forms.Form):
    """The counter's code box: typed, or filled by a scanner acting as a keyboard."""

    code = forms.CharField(label=_("Voucher code"), max_length=40, widget=forms.TextInput(
        attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false",
               "autofocus": True, "placeholder": "ABCD-EFGH", "class": "voucher-code-input"}))


class VoucherRedeemForm(OneLineInputsMixin, forms.Form):
    code = forms.CharField(widget=forms.HiddenInput, max_length=40)
    total = forms.DecimalField(label=_("Purchase total before the voucher"), max_digits=12,
                               decimal_places=2, min_value=0,
                               widget=forms.NumberInput(attrs={"inputmode": "decimal",
                                                               "step": "0.01"}))
    description = forms.CharField(label=_("What they bought"), max_length=150, required=False)


class VoucherProgramForm(forms.Form):
    kind = forms.ChoiceField(label=_("Voucher"), choices=VoucherKind.choices)
    value = forms.DecimalField(label=_("Amount ($) or percentage (%)"), max_digits=10,
                               decimal_places=2, min_value=0)
    minimum_purchase = forms.DecimalField(label=_("Minimum purchase ($)"), max_digits=10,
                                          decimal_places=2, min_value=0, initial=0)
    valid_days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=3650,
                                    initial=90)
    terms = forms.CharField(label=_("Terms shown to the customer"),
                            widget=forms.Textarea(attrs={"rows": 3}))


class DrawingForm(forms.Form):
    month = forms.DateField(label=_("Month (any day in it)"),
                            widget=forms.DateInput(attrs={"type": "date"}))
    prize = forms.CharField(label=_("Prize"), max_length=200)
    closes_on = forms.DateField(label=_("Last day to enter"),
                                widget=forms.DateInput(attrs={"type": "date"}))
    rules = forms.CharField(label=_("Official rules (public)"),
                            widget=forms.Textarea(attrs={"rows": 8}))


class DataExportForm(forms.Form):
    identity_checked = forms.BooleanField(
        label=_("I have checked that the person asking is this customer (or acts for them)."))


class EraseForm(forms.Form):
    """Erasure cannot be undone: the manager types the customer's name to confirm."""

    confirm_name = forms.CharField(label=_("Type the customer's full name to confirm"),
                                   max_length=200)
    identity_checked = forms.BooleanField(
        label=_("I have checked that the person asking is this customer (or acts for them)."))

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer

    def clean_confirm_name(self):
        typed = " ".join(self.cleaned_data["confirm_name"].split())
        if self.customer.erased_at is not None:
            raise forms.ValidationError(_("This customer was already erased."))
        if typed.casefold() != " ".join(self.customer.full_name.split()).casefold():
            raise forms.ValidationError(_("That is not this customer's name: nothing was "
                                          "erased."))
        return typed
