"""Model choices read as (id, name) values instead of model instances.

A list's associate filter offered the store's whole staff (530 at 1M customers): Django built
a StaffMember per option, through a server-side cursor, only to write its name. The choices
are the same; the field still cleans a pick to the model instance (one look-up, when used).
"""

from django.forms.models import ModelChoiceIterator
from django_filters import fields, filters


class NamedChoices(ModelChoiceIterator):
    """The field's empty and null choices, then (id, `label_column`) of each row."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        if getattr(self.field, "null_label", None) is not None:
            yield (self.field.null_value, self.field.null_label)
        yield from self.queryset.values_list("pk", self.field.label_column)

    def __len__(self):
        extra = [self.field.empty_label, getattr(self.field, "null_label", None)]
        return self.queryset.count() + sum(label is not None for label in extra)


class NamedModelChoiceField(fields.ModelChoiceField):
    iterator = NamedChoices

    def __init__(self, *args, label_column: str, **kwargs):
        self.label_column = label_column
        super().__init__(*args, **kwargs)


class NamedModelChoiceFilter(filters.ModelChoiceFilter):
    """django-filter's ModelChoiceFilter, its options labelled by `label_column` (which must
    read as the model's `str()` does)."""

    field_class = NamedModelChoiceField
