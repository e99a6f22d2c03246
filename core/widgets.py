"""Form widgets drawn in Python.

Django draws a <select> through the template engine, one include per option: a picker of the
store's 300-odd associates cost more than everything else on a list page (the orphan list,
FOLLOW-UP at 1M customers). `QuickSelect` writes the same markup in Python.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class QuickSelect(forms.Select):
    """A single-choice <select> with Django's markup (option groups included), built without
    a template per option."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = [_group(label, options) for label, options, _index in widget["optgroups"]]
        return format_html('<select name="{}"{}>{}</select>', widget["name"],
                           flatatt(widget["attrs"]), mark_safe("".join(groups)))  # noqa: S308


def _group(label, options) -> str:
    html = format_html_join("", '<option value="{}"{}>{}</option>',
                            ((str(o["value"]), flatatt(o["attrs"]), o["label"])
                             for o in options))
    return format_html('<optgroup label="{}">{}</optgroup>', label, html) if label else html
