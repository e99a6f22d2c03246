from django import template

from appointments import selectors

register = template.Library()


@register.inclusion_tag("appointments/partials/_customer_appointments_panel.html",
                        takes_context=True)
def customer_appointments(context, customer):
    """The customer's appointments, latest first, on their page (one query)."""
    return {"customer": customer, "perms": context.get("perms"),
            "appointments": selectors.customer_appointments_latest(customer=customer)}
