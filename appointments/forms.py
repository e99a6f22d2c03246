from django import forms

from appointments.models import LENGTHS, AppointmentOutcome, AppointmentPurpose
from core.one_line import OneLineInputsMixin

WEEKDAYS = [(0, "Monday"), (1, "Tuesday"), (2, "Wednesday"), (3, "Thursday"), (4, "Friday"),
            (5, "Saturday"), (6, "Sunday")]


class BookingForm(OneLineInputsMixin, forms.Form):
    associate = forms.ModelChoiceField(queryset=None, empty_label=None)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time", "step": 900},
                                                  format="%H:%M"))
    minutes = forms.TypedChoiceField(label="Length", coerce=int, initial=60,
                                     choices=[(m, f"{m} minutes") for m in LENGTHS])
    purpose = forms.ChoiceField(choices=AppointmentPurpose.choices)
    note = forms.CharField(required=False, max_length=500)

    def __init__(self, *args, sellers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["associate"].queryset = sellers


class CancelForm(forms.Form):
    why = forms.CharField(required=False, max_length=200, label="Why (optional)")


class RecordForm(forms.Form):
    status = forms.ChoiceField(choices=[("done", "Came in"), ("no_show", "Did not come")])
    outcome = forms.ChoiceField(required=False,
                                choices=[("", "—"), *AppointmentOutcome.choices])
    note = forms.CharField(required=False, max_length=500)


class MoveRequestForm(forms.Form):
    wish = forms.CharField(label="Which days or times suit you?", max_length=400,
                           widget=forms.Textarea(attrs={"rows": 3}))


class BookingHoursForm(forms.Form):
    opens_at = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    closes_at = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    closed_weekdays = forms.TypedMultipleChoiceField(
        required=False, coerce=int, choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple,
        label="Closed every")
