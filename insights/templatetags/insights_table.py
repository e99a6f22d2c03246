"""The per-associate table's rows, written in Python.

A chain's flagship lists hundreds of associates with ten linked figures each; drawn by the
template engine, their twenty thousand variables were most of the dashboard's time at the 1M
size (over a second for 424 rows under load; `format_html` per cell still cost a third of
that, and the name and goals cells around them another third). The markup is the partial's,
cell for cell (tests hold them to the same HTML): each piece is escaped once, where it is
made, and the row is joined as plain text.
"""

import functools
from html import escape

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from core.amounts import dollars_format

register = template.Library()

LINKED = ("walk_ins", "reachable", "consent", "on_time", "reached", "voicemails",
          "appointments", "take_ins", "sales", "new_profiles")


# Any id: reversed once, then replaced by each associate's.
_SOME_ID = 987654321


def _number_format():
    """`django.utils.formats.number_format` with the language's separators read once (it
    reads them for every number: half of the table's time). Without thousand separators
    (USE_THOUSAND_SEPARATOR), a whole number is its digits."""
    lang = get_language()
    formatted = functools.partial(numberformat.format,
                                  decimal_sep=get_format("DECIMAL_SEPARATOR", lang),
                                  grouping=get_format("NUMBER_GROUPING", lang),
                                  thousand_sep=get_format("THOUSAND_SEPARATOR", lang),
                                  use_l10n=True)
    if settings.USE_THOUSAND_SEPARATOR:
        return formatted
    return lambda value: str(value) if type(value) is int else formatted(value)


def _page(context, period) -> dict:
    """Each figure's link up to the associate's id, the period after it, and the number
    format: worked out once a page."""
    kept = context.render_context.get("insights_associate_rows")
    if kept is None:
        dates = escape(f"start={period.start:%Y-%m-%d}&end={period.end:%Y-%m-%d}")
        goal_edit = escape(reverse("insights:goal-edit", args=[_SOME_ID])).split(str(_SOME_ID))
        kept = {"links": {figure: (escape(reverse("insights:customers", args=[figure])), dates)
                          for figure in LINKED},
                "number": _number_format(), "dollars": dollars_format(),
                "goal_edit": goal_edit,
                "words": {word: escape(gettext(word))
                          for word in ("left", "profiles", "appointments", "Set")}}
        context.render_context["insights_associate_rows"] = kept
    return kept


def _cells(page, row) -> list[str]:
    m, links, number = int(row["member"].pk), page["links"], page["number"]

    def _n(value) -> str:
        return escape(str(number(value)))

    def _pct(value) -> str:
        return "–" if value is None else f"{_n(value)} %"

    def link(figure, shown):
        url, dates = links[figure]
        return f'<a href="{url}?associate={m}&amp;{dates}" data-figure="{figure}">{shown}</a>'

    take_ins = link("take_ins", _n(row["take_ins"]))
    if row["take_ins"]:
        take_ins += f" ({_n(row['take_ins_email_pct'])} %)"
    sales = escape("$" + page["dollars"](row["sales_amount"]))
    return [
        link("walk_ins", _n(row["walk_ins"])),
        link("reachable", _pct(row["reachable_pct"])),
        link("consent", _pct(row["consent_pct"])),
        link("on_time", f"{_n(row['on_time'])} / {_n(row['calls_due'])}"),
        f'{link("reached", _n(row["reached"]))} / {link("voicemails", _n(row["voicemails"]))}',
        link("appointments", _n(row["appointments"])),
        take_ins,
        f'{link("sales", sales)} <span class="small text-muted">({_n(row["sales"])})</span>',
        link("new_profiles", _n(row["new_profiles"])),
    ]


def _goals_cell(page, row) -> str:
    """What the associate aims for this year, and the link to set it (while they work here)."""
    goal, member, words = row.get("goal"), row["member"], page["words"]
    shown = ""
    if goal:
        number = page["number"]
        shown = (f"${escape(page['dollars'](goal.sales_amount))} · "
                 f"{escape(str(number(goal.new_profiles)))} {words['profiles']}")
        if goal.appointments:
            shown += f" · {escape(str(number(goal.appointments)))} {words['appointments']}"
        shown += " "
    if member.is_active:
        before, after = page["goal_edit"]
        shown += f'<a href="{before}{int(member.pk)}{after}">{words["Set"]}</a>'
    return f'<td class="small d-print-none">{shown}</td>'


@register.simple_tag(takes_context=True)
def associate_row(context, row, period, *, goals=False):
    """One associate's row: their name, the ten figure cells (each opening the customers
    behind it), and their goals when asked."""
    page, member = _page(context, period), row["member"]
    left = ("" if member.is_active
            else f' <span class="small text-muted">{page["words"]["left"]}</span>')
    cells = [f'<th class="fw-semibold">{escape(member.display_name)}{left}</th>']
    cells += [f'<td class="text-end">{c}</td>' for c in _cells(page, row)]
    if goals:
        cells.append(_goals_cell(page, row))
    # Every piece above is escaped where it is made (names, numbers, words, addresses).
    inside = "\n      ".join(cells)
    return mark_safe(f'<tr data-associate="{int(member.pk)}">\n      {inside}\n    </tr>')  # noqa: S308
