"""The per-associate table's figure cells, written in Python.

A chain's flagship lists hundreds of associates with ten linked figures each; drawn by the
template engine, their twenty thousand variables were most of the dashboard's time at the 1M
size (over a second for 424 rows under load; `format_html` per cell still cost a third of
that). The markup is the partial's, cell for cell (a test holds them to the same HTML): each
piece is escaped once, where it is made, and the row is joined as plain text.
"""

import functools
from html import escape

from django import template
from django.template.defaultfilters import floatformat
from django.urls import reverse
from django.utils import numberformat
from django.utils.formats import get_format
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()

LINKED = ("walk_ins", "reachable", "consent", "on_time", "reached", "voicemails",
          "appointments", "take_ins", "sales", "new_profiles")


def _number_format():
    """`django.utils.formats.number_format` with the language's separators read once (it
    reads them for every number: half of the table's time)."""
    lang = get_language()
    return functools.partial(numberformat.format,
                             decimal_sep=get_format("DECIMAL_SEPARATOR", lang),
                             grouping=get_format("NUMBER_GROUPING", lang),
                             thousand_sep=get_format("THOUSAND_SEPARATOR", lang), use_l10n=True)


def _page(context, period) -> dict:
    """Each figure's link up to the associate's id, the period after it, and the number
    format: worked out once a page."""
    kept = context.render_context.get("insights_associate_cells")
    if kept is None:
        dates = escape(f"start={period.start:%Y-%m-%d}&end={period.end:%Y-%m-%d}")
        kept = {"links": {figure: (escape(reverse("insights:customers", args=[figure])), dates)
                          for figure in LINKED},
                "number": _number_format()}
        context.render_context["insights_associate_cells"] = kept
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
    sales = escape("$" + floatformat(row["sales_amount"], "0g"))
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


@register.simple_tag(takes_context=True)
def associate_cells(context, row, period):
    """The ten figure cells of one associate's row, each opening the customers behind it."""
    cells = _cells(_page(context, period), row)
    # Every piece above is escaped where it is made (numbers, the period, the addresses).
    return mark_safe("\n      ".join(f'<td class="text-end">{c}</td>' for c in cells))  # noqa: S308
