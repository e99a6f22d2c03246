from django import forms

from core.one_line import OneLineInputsMixin
from followups import rendering
from followups.models import AftercareStep, MessagingSettings


class MessagingSettingsForm(OneLineInputsMixin, forms.ModelForm):
    class Meta:
        model = MessagingSettings
        fields = ["lead_days", "send_from", "send_until", "fatigue_cap", "sender_name",
                  "sender_email", "sender_phone", "footer_address"]
        widgets = {
            "send_from": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "send_until": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "footer_address": forms.Textarea(attrs={"rows": 3}),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("send_from"), cleaned.get("send_until")
        if start and end and start >= end:
            self.add_error("send_until", "Sending must start before it ends.")
        return cleaned

    def clean_lead_days(self):
        value = self.cleaned_data["lead_days"]
        if not 1 <= value <= 90:
            raise forms.ValidationError("Choose between 1 and 90 days.")
        return value


class TemplateForm(OneLineInputsMixin, forms.Form):
    subject = forms.CharField(max_length=200, required=False)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}),
                           help_text="Placeholders: " + ", ".join(
                               f"{{{{ {name} }}}}" for name in rendering.PLACEHOLDERS))
    preview_customer = forms.CharField(
        required=False, label="Preview on customer",
        help_text="A customer's email address; blank for a recent customer with an occasion.")


class CallDoneForm(forms.Form):
    # No max_length: a long note is kept (cut to 200 characters), never dropped.
    outcome = forms.CharField(required=False)
    # The tries the screen showed, so a double-tapped "Left voicemail" counts once.
    tries = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)


class AftercareStepForm(forms.ModelForm):
    """One step after the sale; the page shows one form per step (prefixed by its kind)."""

    class Meta:
        model = AftercareStep
        fields = ["after_days", "min_amount", "active"]
        widgets = {"min_amount": forms.TextInput(attrs={"inputmode": "decimal"})}

    def clean_after_days(self):
        value = self.cleaned_data["after_days"]
        if not 1 <= value <= 1000:
            raise forms.ValidationError("Choose between 1 and 1000 days.")
        return value

    def clean_min_amount(self):
        value = self.cleaned_data["min_amount"]
        if value < 0:
            raise forms.ValidationError("Enter an amount of 0 or more.")
        return value
