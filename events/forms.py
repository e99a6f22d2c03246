import datetime

from django import forms

from core.one_line import OneLineInputsMixin
from crm.models import Preference, Source
from events.models import Answer, Campaign
from events.services import MAX_GUESTS


def _at(store, day: datetime.date, time: datetime.time) -> datetime.datetime:
    """A date and a wall-clock time on the store's clock."""
    return datetime.datetime.combine(day, time, tzinfo=store.tz)


class EventForm(OneLineInputsMixin, forms.Form):
    """Dates and times are the store's; answers close at the end of `rsvp_by` (or when the
    event starts, on its own day)."""

    title = forms.CharField(max_length=120)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    place = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    categories = forms.ModelMultipleChoiceField(
        queryset=Preference.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, label="Featured lines")
    capacity = forms.IntegerField(required=False, min_value=1,
                                  help_text="Seats, guests included; empty for no limit.")
    rsvp_by = forms.DateField(label="Answers until", widget=forms.DateInput(attrs={"type": "date"}))
    hosts = forms.ModelMultipleChoiceField(queryset=None, required=False,
                                           widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        self.store = store
        self.fields["categories"].queryset = Preference.objects.for_store(store).offered()
        self.fields["hosts"].queryset = store.staff.filter(departed_on__isnull=True)

    @classmethod
    def initial_for(cls, event) -> dict:
        local = event.local_start()
        return {"title": event.title, "date": local.date(), "start_time": local.time(),
                "place": event.place, "description": event.description,
                "categories": event.categories.all(), "capacity": event.capacity,
                "rsvp_by": event.rsvp_deadline.astimezone(event.store.tz).date(),
                "hosts": event.hosts.all()}

    def event_fields(self) -> dict:
        data = self.cleaned_data
        starts_at = _at(self.store, data["date"], data["start_time"])
        end_of_day = _at(self.store, data["rsvp_by"], datetime.time(23, 59))
        return {"title": data["title"], "starts_at": starts_at, "place": data["place"],
                "description": data["description"], "categories": data["categories"],
                "capacity": data["capacity"], "hosts": data["hosts"],
                "rsvp_deadline": min(end_of_day, starts_at)}


class CampaignForm(OneLineInputsMixin, forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["name", "channels", "remind_day_before", "customer_kind", "match_categories",
                  "active_within_days", "assigned_to", "source", "occasion_in_event_month",
                  "contact_window_days"]


    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = store.staff.all()
        self.fields["assigned_to"].empty_label = "Anyone"
        self.fields["source"] = forms.ChoiceField(
            choices=[("", "Any")] + list(Source.choices), required=False,
            label=Campaign._meta.get_field("source").verbose_name)
        self.fields["contact_window_days"].required = False
        self.fields["contact_window_days"].help_text = "Empty: the store's setting."


class ScheduleForm(forms.Form):
    date = forms.DateField(label="Send on", widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label="at", widget=forms.TimeInput(attrs={"type": "time"},
                                                              format="%H:%M"))

    def moment(self, store) -> datetime.datetime:
        return _at(store, self.cleaned_data["date"], self.cleaned_data["time"])


class CancelForm(forms.Form):
    notify = forms.BooleanField(
        required=False, initial=True,
        label="Tell those the invitation went to that the event is cancelled")


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(choices=[(Answer.YES, "Yes, I will come"),
                                        (Answer.NO, "No, I cannot come")],
                               widget=forms.RadioSelect)
    guests = forms.IntegerField(min_value=0, max_value=MAX_GUESTS, initial=0, required=False,
                                label="Guests coming with me")

    def clean_guests(self):
        return self.cleaned_data.get("guests") or 0


class AttendedForm(forms.Form):
    attended = forms.BooleanField(required=False)
