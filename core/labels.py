"""A choice field's label read from its choices made a dictionary once per process.

Django's `get_<field>_display()` turns the field's choices into a dictionary on every call;
the busiest screens ask a hundred times a page (the customer page's consents and timeline,
the orphan list's occasions). A model's choices are fixed.
"""

import functools

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


def choice_label(instance, name: str) -> str:
    """What `instance.get_<name>_display()` gives: the label of its value among the field's
    choices, the value itself for one that is not."""
    field = instance._meta.get_field(name)
    value = getattr(instance, field.attname)
    return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)


@functools.cache
def _labels(field) -> dict:
    return dict(make_hashable(field.flatchoices))
