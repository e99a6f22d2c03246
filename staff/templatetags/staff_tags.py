from django import template

from core.jinja import part
from crm.selectors import assignments_shown

register = template.Library()


@part(register, "staff/customer_assignments.jinja")
def customer_assignments(context, customer, *, with_reassign=True):
    """Who has looked after this customer, newest first (one query)."""
    return {
        "customer": customer,
        "assignments": assignments_shown(customer=customer),
        "perms": context.get("perms"),
        "with_reassign": with_reassign,
    }


@register.simple_tag
def suggestion_for(pick, customer_id, posted=None):
    """The associate to preselect: what the manager chose before a refused submit, else the
    suggested one (None if nobody can take them)."""
    chosen = (posted or {}).get(f"to-{customer_id}", "")
    if chosen.isdigit():
        return int(chosen)
    return pick.associate_id if pick else None


@register.filter
def pick_for(suggestions, customer_id):
    """The suggestion for one client of the list (None if nobody can take them)."""
    return suggestions.picks.get(customer_id)
