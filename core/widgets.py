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
    """A single-choice <select> with Django's markup (option groups included), built without
    a template per option."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = "".join(_group(label, options) for label, options, _index in widget["optgroups"])
        return mark_safe(f'<select name="{_escape(widget["name"])}"{flatatt(widget["attrs"])}>'  # noqa: S308 - every part escaped
                         f"{groups}</select>")


def _group(label, options) -> str:
    html_options = "".join(
        f'<option value="{_escape(o["value"])}"{flatatt(o["attrs"]) if o["attrs"] else ""}>'
        f'{_escape(o["label"])}</option>' for o in options)
    return (f"<optgroup label=\"{_escape(label)}\">{html_options}</optgroup>" if label
            else html_options)


def _escape(text) -> str:
    """As Django's conditional_escape, without its lazy-string wrapper (a few microseconds a
    call, thousands of calls a page)."""
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))
