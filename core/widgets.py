"""Form widgets drawn in Python.

Django draws a <select> through the template engine, one include per option: a picker of the
store's 300-odd associates cost more than everything else on a list page (the orphan list,
FOLLOW-UP at 1M customers). `QuickSelect` writes the same markup with plain string escaping.
"""

import functools
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
    options = tuple((_text(value), tuple((_text(v), _text(sub)) for v, sub in label)
                     if isinstance(label, list | tuple) else _text(label))
                    for value, label in choices)
    return mark_safe(f'<select name="{escape_text(name)}"{flatatt(attrs)}>'  # noqa: S308 - every part escaped
                     f"{_options_html(options, tuple(chosen))}</select>")


def _text(value) -> tuple[str, bool]:
    """A value or label as its text and whether it is markup already (a label marked safe is
    not escaped; the same text unmarked is, so the two must not share remembered markup)."""
    return ("" if value is None else str(value)), hasattr(value, "__html__")


def _escaped(text: tuple[str, bool]) -> str:
    return text[0] if text[1] else html.escape(text[0])


@functools.lru_cache(maxsize=64)
def _options_html(choices: tuple, chosen: tuple) -> str:
    """The options' markup, remembered per process by what it is drawn from (each value's and
    label's text and whether it is markup, and the chosen values; so it is never out of
    date): a list drew the store's 300-odd associates, escaping each name, on every view
    (~2 ms of CPU a page)."""
    chosen = set(chosen)
    found = [False]  # Django marks the first matching option only
    groups = []
    for option_value, label in choices:
        if isinstance(label[0], tuple):
            options = "".join(_option(v, sub, chosen, found) for v, sub in label)
            groups.append(f'<optgroup label="{_escaped(option_value)}">{options}</optgroup>'
                          if option_value[0] else options)
        else:
            groups.append(_option(option_value, label, chosen, found))
    return "".join(groups)


def _option(value, label, chosen: set, found: list) -> str:
    selected = not found[0] and value[0] in chosen
    found[0] |= selected
    return (f'<option value="{_escaped(value)}"{" selected" if selected else ""}>'
            f"{_escaped(label)}</option>")


def escape_text(text) -> str:
    """As Django's conditional_escape, without its lazy-string wrapper (a few microseconds a
    call, thousands of calls a page)."""
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))
