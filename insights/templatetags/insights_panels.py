"""The associate's goals as a panel any page can show (followups' Today, crm's home) without
importing insights."""

from django import template

from core.jinja import part
from insights.selectors import goal_progress

register = template.Library()


@part(register, "insights/goals.jinja")
def my_goals_panel(context):
    request = context["request"]
    staff = request.staff
    if not staff or not request.user.has_perm("insights.view_my_year"):
        return {"progress": None}
    return {"progress": goal_progress(store=staff.store, associate=staff,
                                      year=staff.store.today().year),
            "associate": staff}
