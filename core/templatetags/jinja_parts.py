"""`{% jinja "layout/_nav.jinja" %}`: a Jinja2 partial drawn inside a Django template, with the
page's context (and any `name=value` given), so both engines share one copy (core.jinja)."""

from django import template

from core.jinja import draw

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context, template_name, **extra):
    return draw(template_name, {**context.flatten(), **extra})
