from django import forms

from appointments.models import LENGTHS, AppointmentOutcome, AppointmentPurpose
from appointments.services import NEW_CUSTOMER_SOURCES
from core.one_line import OneLineInputsMixin
from crm.models import Channel, Purpose
from crm.wording import consent_words

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


class MoveForm(OneLineInputsMixin, forms.Form):
    """The new time of a visit the store moves (what it is for stays)."""

    associate = forms.ModelChoiceField(queryset=None, empty_label=None)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time", "step": 900},
                                                  format="%H:%M"))
    minutes = forms.TypedChoiceField(label="Length", coerce=int,
                                     choices=[(m, f"{m} minutes") for m in LENGTHS])

    def __init__(self, *args, sellers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["associate"].queryset = sellers


class NewCustomerBookingForm(BookingForm):
    """Booking someone with no profile yet: who they are, how to reach them, and whether
    they agreed to hear about the visit, before the visit itself."""

    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100, required=False)
    phone = forms.CharField(max_length=40, required=False,
                            widget=forms.TextInput(attrs={"type": "tel"}))
    email = forms.CharField(max_length=254, required=False,
                            widget=forms.EmailInput())
    source = forms.ChoiceField(label="How they found us",
                               choices=[(s.value, s.label) for s in NEW_CUSTOMER_SOURCES])
    notices_agreed = forms.BooleanField(
        required=False, label="They agree to a confirmation and a reminder of the visit at "
                              "this number and email")

    field_order = ["first_name", "last_name", "phone", "email", "source", "notices_agreed"]

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        # The words recorded with the consent, shown as they will be recorded.
        self.fields["notices_agreed"].help_text = " ".join(
            consent_words(store=store, channel=channel, purpose=Purpose.REPAIR_NOTICES)
            for channel in (Channel.EMAIL, Channel.SMS))


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
