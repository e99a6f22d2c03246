from django import template

from appointments import selectors
from core.jinja import part

register = template.Library()


@part(register, "appointments/customer_appointments.jinja")
def customer_appointments(context, customer):
    """The customer's appointments, latest first, on their page (one query)."""
    return {"customer": customer, "perms": context.get("perms"),
            "appointments": selectors.customer_appointments_latest(customer=customer)}
