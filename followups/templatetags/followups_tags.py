from django import template

from followups import selectors

register = template.Library()


@register.inclusion_tag("followups/partials/_customer_messages_list.html")
def customer_messages(customer):
    """Every message for the customer with its status, in one query."""
    return {"customer": customer, "messages": list(selectors.customer_messages(customer=customer))}
