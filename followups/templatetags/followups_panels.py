"""Panels other rooms' pages show (a template tag is not an import: crm's home shows the
associate's calls without crm importing followups)."""

from django import template
from django.utils import timezone

from core.jinja import part
from followups import selectors

register = template.Library()


@part(register, "followups/calls_due.jinja")
def calls_due_panel(context):
    """The logged-in associate's calls due today (and overdue) and today's replies."""
    request = context["request"]
    staff = request.staff
    if not staff or not request.user.has_perm("followups.view_followups"):
        return {"shown": False}
    return {"shown": True, **selectors.calls_due_panel(staff=staff, now=timezone.now())}
