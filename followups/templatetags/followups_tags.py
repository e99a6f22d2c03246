from django import template
from django.utils import timezone

from followups import selectors

register = template.Library()


@register.inclusion_tag("followups/partials/_customer_messages_list.html", takes_context=True)
def customer_messages(context, customer):
    """Every message for the customer with its status, in one query, in the store's time."""
    staff = context.get("staff_member")
    return {"customer": customer,
            "messages": list(selectors.customer_messages(customer=customer)),
            "store_timezone": staff.store.timezone if staff else timezone.get_current_timezone()}
