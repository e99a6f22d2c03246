import django_filters

from followups.models import MESSAGE_CHANNELS, Message, MessageStatus, TemplateKind


class MessageLogFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=MessageStatus.choices, empty_label="Any status")
    channel = django_filters.ChoiceFilter(choices=MESSAGE_CHANNELS, empty_label="Any channel")
    kind = django_filters.ChoiceFilter(choices=TemplateKind.choices, empty_label="Any kind")
    customer = django_filters.CharFilter(field_name="customer__last_name",
                                         lookup_expr="istartswith", label="Last name")

    class Meta:
        model = Message
        fields = ["status", "channel", "kind", "customer"]
