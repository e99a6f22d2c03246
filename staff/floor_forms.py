"""Forms of the floor tablet (PINs, devices) and of the audit trail's filters."""

from django import forms
from django.utils.translation import gettext_lazy as _

from staff.services import PIN_PATTERN, pin_problem


def _pin_field(label):
    return forms.CharField(label=label, strip=True, max_length=6, widget=forms.PasswordInput(
        attrs={"inputmode": "numeric", "pattern": PIN_PATTERN[1:-1], "autocomplete": "off",
               "class": "form-control floor-pin-input"}))


class PinSetForm(forms.Form):
    """A new PIN, typed twice (by its owner, who also types their password; or a manager)."""

    pin = _pin_field(_("New PIN (4 to 6 digits)"))
    pin2 = _pin_field(_("The PIN again"))

    def clean(self):
        cleaned = super().clean()
        pin = cleaned.get("pin")
        if pin and pin_problem(pin):
            self.add_error("pin", pin_problem(pin))
        elif pin and pin != cleaned.get("pin2"):
            self.add_error("pin2", _("The two PINs differ: type them again."))
        return cleaned


class OwnPinSetForm(PinSetForm):
    password = forms.CharField(label=_("Your password"), strip=False,
                               widget=forms.PasswordInput(
                                   attrs={"autocomplete": "current-password"}))
    field_order = ["password", "pin", "pin2"]


class PinForm(forms.Form):
    pin = forms.CharField(label=_("PIN"), max_length=6, widget=forms.PasswordInput(
        attrs={"inputmode": "numeric", "autocomplete": "off", "autofocus": True,
               "class": "form-control form-control-lg floor-pin-input"}))


class FloorDeviceForm(forms.Form):
    name = forms.CharField(label=_("Name of this tablet"), max_length=60,
                           help_text=_("Where it stands, e.g. \u201cFront counter\u201d."))


class AuditFilterForm(forms.Form):
    """The audit trail's filters: who, what, from and to (the store's dates), which device."""

    KINDS = [
        ("", _("Everything")),
        ("logins", _("Logins and logouts")),
        ("failures", _("Failed logins and PINs")),
        ("switches", _("PIN switches")),
        ("locks", _("Locks and unlocks")),
        ("exports", _("Exports")),
        ("imports", _("Imports")),
        ("merges", _("Merges")),
        ("reassignments", _("Reassignments")),
        ("consent", _("Consent changes")),
        ("erasures", _("Erasures")),
    ]

    who = forms.ModelChoiceField(queryset=None, required=False, label=_("Who"),
                                 empty_label=_("Anyone"))
    kind = forms.ChoiceField(choices=KINDS, required=False, label=_("What"))
    since = forms.DateField(required=False, label=_("From"),
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label=_("To"),
                            widget=forms.DateInput(attrs={"type": "date"}))
    device = forms.CharField(required=False, max_length=60, label=_("Device"))

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["who"].queryset = members

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end date comes before the start date."))
        return cleaned
