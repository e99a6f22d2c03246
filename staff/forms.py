from django import forms
from django.utils.translation import gettext_lazy as _

from core.widgets import QuickSelect
from crm.models import Preference
from crm.services import Move
from staff.models import EARLIEST_DEPARTURE, StaffMember, Store
from staff.roles import Role


def _strengths_field():
    return forms.ModelMultipleChoiceField(
        queryset=Preference.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, label=_("Merchandise strengths"),
        help_text=_("The same list customers' preferences use; suggestions match on it."))


class _StrengthsOfStore:
    """Strengths come from the store's own preference list."""

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["strengths"].queryset = Preference.objects.for_store(store).offered()


class StaffMemberAddForm(_StrengthsOfStore, forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=120)
    username = forms.CharField(max_length=150, help_text=_("What they type to log in."))
    role = forms.ChoiceField(choices=Role.choices)
    strengths = _strengths_field()
    password1 = forms.CharField(label=_("Password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Password again"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", _("The two passwords differ: type them again."))
        return cleaned


class StaffMemberChangeForm(_StrengthsOfStore, forms.Form):
    display_name = forms.CharField(label=_("Name"), max_length=120)
    role = forms.ChoiceField(choices=Role.choices)
    strengths = _strengths_field()


class DepartureForm(forms.Form):
    departed_on = forms.DateField(label=_("Last day"),
                                  widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, today, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["departed_on"].widget.attrs.update(min=EARLIEST_DEPARTURE.isoformat(),
                                                       max=today.isoformat())

    def clean_departed_on(self):
        departed_on = self.cleaned_data["departed_on"]
        problem = StaffMember.departure_date_problem(departed_on, today=self.today)
        if problem:
            raise forms.ValidationError(problem)
        return departed_on


class StorePolicyForm(forms.ModelForm):
    class Meta:
        model = Store
        fields = ["reassign_on_departure", "managers_take_clients", "lapsed_after_months",
                  "yearly_growth_target", "floor_idle_minutes"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out of a post (an older page, a script), the dashboard's settings stay as they
        # are: the service keeps a None.
        for name in ("lapsed_after_months", "yearly_growth_target", "floor_idle_minutes"):
            self.fields[name].required = False


class AssociateChoiceField(forms.ModelChoiceField):
    """Offers only who may take clients, but accepts any of the store's staff so the service
    can say clearly why a departed or service colleague (picked on a stale page) cannot."""

    def __init__(self, *, store, sellers, **kwargs):
        super().__init__(queryset=StaffMember.objects.for_store(store), label=_("Associate"),
                         empty_label=_("Pick an associate"),
                         widget=QuickSelect(attrs={"class": "form-select"}), **kwargs)
        self.widget.choices = [("", self.empty_label)] + [
            (m.pk, _label(m)) for m in sellers
        ]


def _label(member) -> str:
    names = getattr(member, "strength_names", None)  # staff.selectors.sellers_to_pick
    strengths = ", ".join(names if names is not None else
                          [p.name for p in member.strengths.all()])
    count = getattr(member, "client_count", None)
    clients = f" · {count} clients" if count is not None else ""
    return f"{member.display_name}{' (' + strengths + ')' if strengths else ''}{clients}"


def _optional_id(raw: str) -> int | None:
    return int(raw) if raw else None


class _RowsForm(forms.Form):
    """Rows of a client table: ticked `customers`, and for each the associate the client had
    when the page was shown (`shown-<id>`), so a stale page is refused rather than applied."""

    def _ticked(self):
        try:
            ids = [int(pk) for pk in self.data.getlist("customers")]
            return [(pk, _optional_id(self.data.get(f"shown-{pk}", ""))) for pk in ids]
        except ValueError as error:
            raise forms.ValidationError(_("The list was damaged: reload the page.")) from error


class OrphansReassignForm(_RowsForm):
    """Tick many clients, pick one associate."""

    def __init__(self, *args, store, sellers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["associate"] = AssociateChoiceField(store=store, sellers=sellers)

    def clean(self):
        cleaned = super().clean()
        rows = self._ticked()
        if not rows:
            raise forms.ValidationError(_("Tick at least one client to reassign."))
        if cleaned.get("associate"):
            cleaned["moves"] = [Move(customer_id=pk, shown_associate_id=shown,
                                     associate_id=cleaned["associate"].pk) for pk, shown in rows]
        return cleaned


class SuggestionsAcceptForm(_RowsForm):
    """Each ticked row carries its own associate (`to-<id>`), suggested or changed."""

    def clean(self):
        cleaned = super().clean()
        rows = self._ticked()
        if not rows:
            raise forms.ValidationError(_("Tick at least one suggestion to accept."))
        try:
            cleaned["moves"] = [Move(customer_id=pk, shown_associate_id=shown,
                                     associate_id=int(self.data.get(f"to-{pk}", "")))
                                for pk, shown in rows]
        except ValueError as error:
            raise forms.ValidationError(_("Pick an associate for every ticked client.")) \
                from error
        return cleaned


class SuggestionsAcceptAllForm(forms.Form):
    """Every suggestion of the list at once, exactly as the confirmation page showed them.

    `moves` holds "client:former associate:suggested associate" for each client, so what is
    applied is what the manager saw; a client who changed hands meanwhile makes
    `clients_reassign` refuse the whole list.
    """

    moves = forms.CharField(widget=forms.HiddenInput)

    @classmethod
    def for_suggestions(cls, suggestions):
        return cls(initial={"moves": " ".join(
            f"{pk}:{pick.former_id or ''}:{pick.associate_id}"
            for pk, pick in suggestions.picks.items())})

    def clean_moves(self):
        try:
            return [Move(customer_id=int(client), shown_associate_id=_optional_id(former),
                         associate_id=int(associate))
                    for client, former, associate in
                    (token.split(":") for token in self.cleaned_data["moves"].split())]
        except ValueError as error:
            raise forms.ValidationError(_("The list was damaged: reload the page.")) \
                from error


class ClientReassignForm(forms.Form):
    """One client: pick the associate; `shown` is who had them when the page was shown."""

    shown = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, store, sellers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["associate"] = AssociateChoiceField(store=store, sellers=sellers)
