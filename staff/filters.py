import django_filters
from django.utils.translation import gettext_lazy as _

from core.choices import NamedModelChoiceFilter
from core.widgets import QuickSelect
from crm.models import Customer, Preference
from staff.selectors import departed_of_store


def _departed(request):
    return departed_of_store(store=request.store)


def _offered(request):
    return Preference.objects.for_store(request.store).offered()


class OrphanFilter(django_filters.FilterSet):
    """What a manager narrows the orphan list by: who had them, what they love, their value."""

    former = NamedModelChoiceFilter(
        field_name="assigned_to", queryset=_departed, label=_("Former associate"),
        empty_label=_("Anyone"), null_label=_("Never assigned"), widget=QuickSelect,
        label_column="display_name")
    preference = NamedModelChoiceFilter(
        field_name="preferences", queryset=_offered,
        label=_("Loves"), empty_label=_("Anything"), label_column="name")
    min_value = django_filters.NumberFilter(
        field_name="lifetime_value", lookup_expr="gte", label=_("Bought at least ($)"),
        min_value=0)
    sort = django_filters.OrderingFilter(
        fields=(("lifetime_value", "value"), ("last_visit_at", "visit"), ("last_name", "name")),
        field_labels={"lifetime_value": _("Lifetime value"), "last_visit_at": _("Last visit"),
                      "last_name": _("Name")},
        label=_("Sort by"), empty_label=_("Highest value first"))

    class Meta:
        model = Customer
        fields = []
