import django_filters
from django.db.models import Q

from followups.models import MESSAGE_CHANNELS, Message, MessageStatus, TemplateKind


class MessageLogFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=MessageStatus.choices, empty_label="Any status")
    channel = django_filters.ChoiceFilter(choices=MESSAGE_CHANNELS, empty_label="Any channel")
    kind = django_filters.ChoiceFilter(choices=TemplateKind.choices, empty_label="Any kind")
    customer = django_filters.CharFilter(method="last_name_starts", label="Last name")

    class Meta:
        model = Message
        fields = ["status", "channel", "kind", "customer"]

    def last_name_starts(self, queryset, name, value):
        """The customer's last name, or the one typed on a sign-up form."""
        return queryset.filter(Q(customer__last_name__istartswith=value)
                               | Q(sign_up__last_name__istartswith=value))
