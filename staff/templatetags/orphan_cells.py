"""An orphan's cells in the orphan list and its print, written in Python.

Drawn by the template engine, the fifty rows' cells were a quarter of the list's time at the 1M
size (12 ms of CPU a page: an include, a URL and five filters a row). The markup is the
partial's it replaces, cell for cell (tests/staff/orphan_cells_reference.html; a test holds
them to the same HTML): each piece escaped where it is made, the customer link worked out
once a page.
"""

import decimal
import html

from django import template
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.amounts import dollars_format
from core.days import month_day
from core.jinja import jinja_global
from core.phones import phone_for_people
from crm.templatetags.crm_links import around_the_id

register = template.Library()


def escape(text) -> str:
    """Django's `conditional_escape` (markup kept, anything else escaped as Django escapes
    it), without its check of every argument for a lazy translation: a few hundred calls a
    page."""
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))


def dollars(value) -> str:
    """What `value|floatformat:"0g"` writes for an amount (core.amounts); anything but a
    finite non-negative Decimal goes to Django."""
    if type(value) is not decimal.Decimal or not value.is_finite() or value < 0:
        return floatformat(value, "0g")
    return dollars_format()(value)


def _link() -> tuple[str, str]:
    """The customer page's path around the id, worked out once per process (crm_links)."""
    before, after = around_the_id()
    return escape(before), escape(after)


@jinja_global("orphan_cells")
@register.simple_tag
def orphan_cells(c) -> str:
    """The client, bought, last visit, loves, upcoming and former associate cells of `c`
    (from `crm.selectors.orphans_of_store`, with `staff.selectors.add_upcoming`), in a Django
    template (`{% orphan_cells c %}`) or a Jinja2 one (`{{ orphan_cells(c) }}`)."""
    head, tail = _link()
    client = (f'<a class="client-link" href="{head}{c.pk}{tail}">'
              f"<strong>{escape(c.full_name)}</strong></a>")
    if c.is_prospect:
        client += f' <span class="badge text-bg-light">{escape(_("prospect"))}</span>'
    # The number as people read it, blank for none (a stored number's truth value would
    # validate and format it again).
    if phone := phone_for_people(c.phone):
        client += f'<div class="small text-muted">{escape(phone)}</div>'
    visited = c.last_visit_at and month_day(timezone.localtime(c.last_visit_at), year=True)
    loves = ", ".join(escape(p.name) for p in c.loves) or "–"
    upcoming = "<br>".join(f"{escape(o.title)} {escape(month_day(when))}"
                           for when, o in c.upcoming) or "–"
    former = (escape(c.assigned_to.display_name) if c.assigned_to else
              f'<span class="text-muted">{escape(_("never assigned"))}</span>')
    return mark_safe(  # noqa: S308 - every part is escaped above
        f"<td>{client}</td>\n"
        f'<td class="text-end text-nowrap">${escape(dollars(c.lifetime_value))}</td>\n'
        f'<td class="text-nowrap">{escape(visited or "–")}</td>\n'
        f'<td class="small">{loves}</td>\n'
        f'<td class="small">{upcoming}</td>\n'
        f'<td class="small">{former}</td>\n')
