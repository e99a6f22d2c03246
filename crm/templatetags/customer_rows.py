"""A customer list's row (All customers, HERE, FOLLOW-UP, POTENTIAL), written in Python.

Fifty rows through the template engine (a URL, three filters and a dozen variables each) cost
about 6 ms of CPU a page at the 1M size, a fifth of FOLLOW-UP's. The markup is the one the
partial drew (tests/crm/customer_rows_reference.html; a test holds them to the same HTML):
each piece escaped where it is made, the customer link worked out once a page; dates in the
time zone the partial sets (`{% timezone %}`, the store's).
"""

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape as escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.days import month_day
from core.phones import phone_for_people
from crm.templatetags.crm_links import around_the_id

register = template.Library()

_LINK = ('<li class="list-group-item list-group-item-action p-0"><a class="crm-row-link d-flex '
         "flex-wrap justify-content-between align-items-center gap-2 px-3 py-2 text-reset "
         'text-decoration-none" href="')


def _link() -> tuple[str, str]:
    """The customer page's path around the id, worked out once per process (crm_links)."""
    before, after = around_the_id()
    return escape(before), escape(after)


@register.simple_tag
def customer_row(customer) -> str:
    """The list item of `customer`: name (a prospect marked), phone and email, associate and
    last visit, and why they are on a worklist (`customer.why`, if set)."""
    head, tail = _link()
    name = escape(customer.full_name)
    if customer.is_prospect:
        name += f' <span class="badge text-bg-light border">{escape(_("prospect"))}</span>'
    associate = customer.assigned_to.display_name if customer.assigned_to else ""
    seen = escape(associate or _("no associate"))
    if customer.last_visit_at:
        on = month_day(timezone.localtime(customer.last_visit_at))
        seen += f" · {escape(_('visited'))} {escape(on)}"
    why = getattr(customer, "why", None)
    why = f'<span class="w-100 small crm-why">{escape(why.text)}</span>' if why else ""
    return mark_safe(  # noqa: S308 - every part is escaped above
        f'{_LINK}{head}{customer.pk}{tail}">\n'
        f'      <span class="fw-semibold">{name}</span>\n'
        f'      <span class="small text-muted">{escape(phone_for_people(customer.phone))} '
        f"{escape(customer.email)}</span>\n"
        f'      <span class="small">{seen}</span>\n'
        f"      {why}\n"
        "    </a></li>")
