from django import template

from core.jinja import part
from repairs.models import Status
from repairs.selectors import customer_envelopes

register = template.Library()


@part(register, "repairs/customer_repairs.jinja")
def customer_repairs(context, customer):
    """The repairs panel on a customer's page: one query, whatever the number of repairs."""
    store = context["request"].store
    return {
        "customer": customer,
        "envelopes": customer_envelopes(customer=customer),
        "today": store.today(),
        "store_tz": store.timezone,
        "perms": context.get("perms"),
    }


@register.filter
def is_overdue(envelope, today):
    return envelope.is_overdue(today)


@register.filter
def get_count(counts, name):
    return counts.get(name, 0)


@register.filter
def status_label(status):
    """The button for a move: "Ready for pickup", "At the bench"."""
    return Status(status).label
