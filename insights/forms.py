import datetime

from django import forms
from django.utils.translation import gettext_lazy as _


class PeriodForm(forms.Form):
    """The period the per-associate table and the funnel count (days on the store's clock)."""

    start = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The period must end on or after its first day."))
        if start and end and (end - start) > datetime.timedelta(days=3 * 366):
            self.add_error("start", _("Pick a period of at most three years."))
        return data


class GoalForm(forms.Form):
    year = forms.IntegerField(widget=forms.HiddenInput)
    sales_amount = forms.DecimalField(label=_("Sales ($)"), min_value=0, max_digits=12,
                                      decimal_places=2)
    new_profiles = forms.IntegerField(label=_("New customer profiles"), min_value=0,
                                      max_value=100_000)
    appointments = forms.IntegerField(label=_("Appointments"), min_value=0, max_value=100_000,
                                      required=False, initial=0)

    def clean_appointments(self):
        return self.cleaned_data["appointments"] or 0
