import uuid
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import LoupeError
from core.one_line import OneLineInputsMixin
from crm.models import Customer
from repairs.models import ItemType, Status
from repairs.services import (
    EMAIL_KEEP_BOTH,
    EMAIL_REPLACE,
    EMAIL_REQUIRED,
    MARKETING_WORDS,
    REPAIR_NOTICE_WORDS,
    REPAIR_TEXT_WORDS,
    Item,
    NewCustomer,
    envelope_check_email,
)

NUMBER_MESSAGE = _("Enter an amount in dollars as a number, e.g. 85 or 85.50.")


def _money(label):
    return forms.DecimalField(label=label, required=False, min_value=0, max_digits=10,
                              decimal_places=2, localize=False,
                              error_messages={"invalid": NUMBER_MESSAGE},
                              widget=forms.TextInput(attrs={"inputmode": "decimal"}))


# The tablet opens its back camera; a desk computer offers its files.
PHOTO_INPUT = forms.ClearableFileInput(attrs={"accept": "image/*", "capture": "environment"})


class PhotoForm(OneLineInputsMixin, forms.Form):
    photo = forms.FileField(label=_("Photo of the piece"), widget=PHOTO_INPUT)
    caption = forms.CharField(label=_("Caption"), max_length=120, required=False)


class TakeInForm(OneLineInputsMixin, forms.Form):
    """The counter's take-in: a customer found or new, a required email, the piece."""

    take_in_key = forms.UUIDField(widget=forms.HiddenInput)
    customer = forms.ModelChoiceField(queryset=Customer.objects.none(), required=False,
                                      widget=forms.HiddenInput)
    first_name = forms.CharField(label=_("First name"), max_length=80, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=80, required=False)
    email = forms.CharField(label=_("Email"), max_length=254,
                            help_text=REPAIR_NOTICE_WORDS,
                            error_messages={"required": EMAIL_REQUIRED},
                            widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    email_choice = forms.ChoiceField(
        label=_("The profile already has another email"), required=False,
        widget=forms.RadioSelect,
        choices=[(EMAIL_REPLACE, _("Replace it with this one (the old one stays on the "
                                   "timeline)")),
                 (EMAIL_KEEP_BOTH, _("Keep both (the one on file stays the main email)"))])
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False,
                            widget=forms.TextInput(attrs={"type": "tel"}))
    texts_ok = forms.BooleanField(label=REPAIR_TEXT_WORDS, required=False)
    marketing_ok = forms.BooleanField(label=MARKETING_WORDS, required=False)
    item_type = forms.ChoiceField(label=_("Item"), choices=ItemType.choices)
    item_description = forms.CharField(label=_("Description"), max_length=200)
    metal = forms.CharField(label=_("Metal"), max_length=60, required=False)
    stones = forms.CharField(label=_("Stones"), max_length=200, required=False)
    condition = forms.CharField(label=_("Condition at take-in"), required=False,
                                help_text=_("Existing damage, missing or loose stones, wear."),
                                widget=forms.Textarea(attrs={"rows": 2}))
    condition_photo = forms.FileField(label=_("Photo of its condition"), required=False,
                                      widget=PHOTO_INPUT)
    work_requested = forms.CharField(label=_("Work requested"),
                                     widget=forms.Textarea(attrs={"rows": 2}))
    estimate = _money(_("Estimate ($)"))
    deposit = _money(_("Deposit ($)"))
    promised_on = forms.DateField(label=_("Promised for"),
                                  widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        self.store = store
        self.fields["customer"].queryset = Customer.objects.for_store(store)
        self.fields["take_in_key"].initial = uuid.uuid4()

    def clean_email(self):
        try:
            return envelope_check_email(email=self.cleaned_data["email"])
        except LoupeError as error:
            raise forms.ValidationError(error.message, code=error.code) from error

    def clean_promised_on(self):
        promised_on = self.cleaned_data["promised_on"]
        if promised_on < self.store.today(timezone.now()):
            raise forms.ValidationError(
                _("That date has already passed; please choose today or a later date."))
        return promised_on

    def clean(self):
        data = super().clean()
        if not data.get("customer") and not (data.get("first_name") or "").strip():
            self.add_error("first_name", _("Find the customer above, or enter a new "
                                           "customer's first name."))
        return data

    def take_in_kwargs(self) -> dict:
        data = self.cleaned_data
        new = None if data["customer"] else NewCustomer(data["first_name"], data["last_name"])
        item = Item(item_type=data["item_type"], description=data["item_description"],
                    work_requested=data["work_requested"], metal=data["metal"],
                    stones=data["stones"], condition=data["condition"],
                    estimate=data["estimate"], deposit=data["deposit"] or Decimal("0"))
        return {"customer": data["customer"], "new_customer": new, "email": data["email"],
                "phone": data["phone"], "email_choice": data["email_choice"],
                "texts_ok": data["texts_ok"], "marketing_ok": data["marketing_ok"],
                "item": item, "promised_on": data["promised_on"],
                "take_in_key": data["take_in_key"],
                "condition_photo": data.get("condition_photo")}


class StatusForm(forms.Form):
    """One tap on a status button; the service decides whether the move is allowed."""

    to_status = forms.ChoiceField(choices=Status.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CancelForm(forms.Form):
    """The confirmation step before an envelope is cancelled: the reason is required."""

    reason = forms.CharField(label=_("Why is the repair cancelled?"), max_length=200,
                             widget=forms.TextInput(attrs={"autocomplete": "off"}),
                             error_messages={"required": _(
                                 "Say why the repair is cancelled: it goes on the "
                                 "envelope's history.")})
