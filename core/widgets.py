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
        chosen = set(self.format_value(value))
        found = [False]  # Django marks the first matching option only
        groups = []
        for option_value, label in self.choices:
            if isinstance(label, list | tuple):
                options = "".join(_option(v, sub, chosen, found) for v, sub in label)
                groups.append(f'<optgroup label="{_escape(option_value)}">{options}</optgroup>'
                              if option_value else options)
            else:
                groups.append(_option(option_value, label, chosen, found))
        attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{_escape(name)}"{attrs}>'  # noqa: S308 - every part escaped
                         f'{"".join(groups)}</select>')


def _option(value, label, chosen: set, found: list) -> str:
    value = "" if value is None else value
    selected = not found[0] and str(value) in chosen
    found[0] |= selected
    return (f'<option value="{_escape(value)}"{" selected" if selected else ""}>'
            f"{_escape(label)}</option>")


def _escape(text) -> str:
    """As Django's conditional_escape, without its lazy-string wrapper (a few microseconds a
    call, thousands of calls a page)."""
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))
