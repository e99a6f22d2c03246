"""Panels other rooms' pages show (a template tag is not an import: crm's home shows the
associate's calls without crm importing followups)."""

from django import template
from django.utils import timezone

from followups import selectors

register = template.Library()


@register.inclusion_tag("followups/partials/_calls_due.html", takes_context=True)
def calls_due_panel(context):
    """The logged-in associate's calls due today (and overdue) and today's replies."""
    request = context["request"]
    staff = request.staff
    if not staff or not request.user.has_perm("followups.view_followups"):
        return {"shown": False}
    now = timezone.now()
    return {"shown": True,
            "calls": list(selectors.calls_to_make(staff=staff,
                                                  today=staff.store.today(now))),
            "replies": list(selectors.replies_today(staff=staff, now=now))}
