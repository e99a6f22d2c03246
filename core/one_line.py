"""Fields that are one line (names, labels, subjects) refuse line breaks.

A name goes into an email's subject and greeting; a line break there makes the email
unsendable (a header cannot hold one) or lets a typed value add headers of its own. The
form refuses it beside the field; the service refuses it again (the form is for the person,
the service for the truth).
"""

import re

from django import forms
from django.core.exceptions import ValidationError

from core.errors import LoupeError

# Everything str.splitlines() would split on.
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
MESSAGE = "Please keep this on one line (no line breaks)."


def has_line_break(value) -> bool:
    return bool(value) and bool(_LINE_BREAK.search(str(value)))


def validate_one_line(value) -> None:
    """A form or model field validator."""
    if has_line_break(value):
        raise ValidationError(MESSAGE, code="line_break")


def check_one_line(values: dict, names) -> None:
    """For services: a LoupeError beside the first of `names` in `values` with a break."""
    for name in names:
        if has_line_break(values.get(name)):
            raise LoupeError(MESSAGE, field=name)


class OneLineInputsMixin:
    """Every text field of the form drawn as a one-line input refuses line breaks (a browser
    cannot type one there, but a crafted or pasted request can)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.CharField) \
                    and isinstance(field.widget, forms.widgets.Input) \
                    and not isinstance(field.widget, forms.HiddenInput):
                field.validators.append(validate_one_line)
