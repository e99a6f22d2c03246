"""`{% plain_field field %}`: a filter form's field as Bootstrap markup, written in Python.

A list's filters (FOLLOW-UP, the orphan list) went through crispy-forms' field template: a
dozen nested templates and widget includes per field, about a millisecond each on every
view, for a label, a control and its error. This writes the same accessible markup as crispy's
Bootstrap 5 pack (a label tied to the control by its id, the error after the control and
named by `aria-describedby`, `aria-invalid` on a refused value, as Django sets them): a
select by `core.widgets.select_html`, an input as one tag; any other widget is rendered by
Django as usual.
"""

from django import forms, template
from django.forms.utils import flatatt
from django.forms.widgets import Input
from django.utils.safestring import mark_safe

from core.jinja import jinja_global
from core.widgets import escape_text, select_html

register = template.Library()


def _control(field, widget, attrs: dict) -> str:
    value = field.value()
    if isinstance(widget, forms.Select) and not widget.allow_multiple_selected:
        return select_html(field.html_name, widget.choices, widget.format_value(value),
                           widget.build_attrs(widget.attrs, attrs))
    if isinstance(widget, Input) and not isinstance(widget, forms.FileInput):
        shown = widget.format_value(value)
        value_attr = "" if shown is None else f' value="{escape_text(shown)}"'
        return (f'<input type="{widget.input_type}" name="{escape_text(field.html_name)}"'
                f"{value_attr}{flatatt(widget.build_attrs(widget.attrs, attrs))}>")
    return str(field.as_widget(attrs=attrs))


def _control_class(widget) -> str:
    return "form-select" if isinstance(widget, forms.Select) else "form-control"


@jinja_global("plain_field")
@register.simple_tag
def plain_field(field) -> str:
    """The field's label, control, help text and errors, as crispy's `as_crispy_field`
    draws them in Bootstrap 5 (a hidden field: the control alone)."""
    widget = field.field.widget
    if widget.is_hidden:
        return mark_safe(str(field))  # noqa: S308 - Django's own rendering
    invalid = " is-invalid" if field.errors else ""
    attrs = field.build_widget_attrs({"class": _control_class(widget) + invalid}, widget)
    if field.auto_id and "id" not in widget.attrs:
        attrs["id"] = field.auto_id
    label = ""
    if field.label:
        required = " requiredField" if field.field.required else ""
        star = '<span class="asteriskField">*</span>' if field.field.required else ""
        label = (f'<label for="{escape_text(field.id_for_label)}" class="form-label{required}">'
                 f"{escape_text(field.label)}{star}</label>")
    help_text = ""
    if field.help_text:
        help_text = (f'<div id="{escape_text(field.auto_id)}_helptext" class="form-text">'
                     f"{escape_text(field.help_text)}</div>")
    errors = ""
    if field.errors:
        each = "".join(f'<p id="error_{n}_{escape_text(field.auto_id)}"><strong>'
                       f"{escape_text(error)}</strong></p>"
                       for n, error in enumerate(field.errors, start=1))
        errors = (f'<div id="{escape_text(field.auto_id)}_error" class="invalid-feedback">'
                  f"{each}</div>")
    return mark_safe(  # noqa: S308 - every part is escaped above
        f'<div id="div_{escape_text(field.auto_id)}" class="mb-3">{label}'
        f"{_control(field, widget, attrs)}{help_text}{errors}</div>")
