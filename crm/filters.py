"""The filters above every customer list (django-filter)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm.models import Customer, Preference, Source
from staff.models import StaffMember


class CustomerFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(label=_("Name"), method="filter_name")
    assigned_to = django_filters.ModelChoiceFilter(label=_("Associate"),
                                                   queryset=StaffMember.objects.none())
    source = django_filters.ChoiceFilter(label=_("Came from"), choices=Source.choices)
    preference = django_filters.ModelChoiceFilter(label=_("Likes"), field_name="preferences",
                                                  queryset=Preference.objects.all())
    prospect = django_filters.BooleanFilter(label=_("Not bought yet"),
                                            field_name="first_purchase_on",
                                            lookup_expr="isnull")

    class Meta:
        model = Customer
        fields = ["name", "assigned_to", "source", "preference", "prospect"]

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["assigned_to"].queryset = StaffMember.objects.for_store(store)

    def filter_name(self, queryset, name, value):
        for word in value.split()[:5]:
            queryset = queryset.filter(Q(first_name__icontains=word)
                                       | Q(last_name__icontains=word))
        return queryset
