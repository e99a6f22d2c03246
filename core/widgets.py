"""Form widgets drawn in Python.

Django draws a <select> through the template engine, one include per option: a picker of the
store's 300-odd associates cost more than everything else on a list page (the orphan list,
FOLLOW-UP at 1M customers). `QuickSelect` writes the same markup with plain string escaping.
"""

import html

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe


class QuickSelect(forms.Select):
    """A single-choice <select> with Django's markup (option groups included), built from the
    choices directly: no template, and no option dictionary, per option."""

    def render(self, name, value, attrs=None, renderer=None):
        return select_html(name, self.choices, self.format_value(value),
                           self.build_attrs(self.attrs, attrs))


def select_html(name: str, choices, chosen: list[str], attrs: dict) -> str:
    """A <select> of `choices` as Django's Select draws it, `chosen` its formatted value."""
    chosen = set(chosen)
    found = [False]  # Django marks the first matching option only
    groups = []
    for option_value, label in choices:
        if isinstance(label, list | tuple):
            options = "".join(_option(v, sub, chosen, found) for v, sub in label)
            groups.append(f'<optgroup label="{escape_text(option_value)}">{options}</optgroup>'
                          if option_value else options)
        else:
            groups.append(_option(option_value, label, chosen, found))
    return mark_safe(f'<select name="{escape_text(name)}"{flatatt(attrs)}>'  # noqa: S308 - every part escaped
                     f'{"".join(groups)}</select>')


def _option(value, label, chosen: set, found: list) -> str:
    value = "" if value is None else value
    selected = not found[0] and str(value) in chosen
    found[0] |= selected
    return (f'<option value="{escape_text(value)}"{" selected" if selected else ""}>'
            f"{escape_text(label)}</option>")


def escape_text(text) -> str:
    """As Django's conditional_escape, without its lazy-string wrapper (a few microseconds a
    call, thousands of calls a page)."""
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))
