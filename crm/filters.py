"""The filters above every customer list (django-filter)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.choices import NamedModelChoiceFilter
from core.widgets import QuickSelect
from crm.models import Customer, Preference, Source


class CustomerFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(label=_("Name"), method="filter_name")
    # The store's whole staff (hundreds in a chain's flagship): drawn in Python.
    assigned_to = NamedModelChoiceFilter(label=_("Associate"), empty_label=_("Anyone"),
                                         queryset=None, widget=QuickSelect,
                                         label_column="display_name")
    source = django_filters.ChoiceFilter(label=_("Came from"), choices=Source.choices,
                                         empty_label=_("Anywhere"))
    preference = NamedModelChoiceFilter(label=_("Likes"), field_name="preferences",
                                        empty_label=_("Anything"),
                                        queryset=Preference.objects.none(), label_column="name")
    bought = django_filters.ChoiceFilter(label=_("Bought"), method="filter_bought",
                                         empty_label=_("Either"),
                                         choices=[("yes", _("Customers")),
                                                  ("no", _("Prospects"))])

    class Meta:
        model = Customer
        fields = ["name", "assigned_to", "source", "preference", "bought"]

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["assigned_to"].queryset = store.staff.all()
        self.filters["preference"].queryset = Preference.objects.for_store(store)

    def filter_name(self, queryset, name, value):
        for word in value.split()[:5]:
            queryset = queryset.filter(Q(first_name__icontains=word)
                                       | Q(last_name__icontains=word))
        return queryset

    def filter_bought(self, queryset, name, value):
        return queryset.filter(first_purchase_on__isnull=value != "yes")
