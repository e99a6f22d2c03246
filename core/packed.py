"""Related rows read inside one SELECT, as JSON, and turned back into model instances.

A page that shows one object with a dozen related lists pays a round trip per
`prefetch_related` lookup (and Django builds and parses each query). On PostgreSQL, each list
can instead be a column of the object's own query: `ARRAY(SELECT jsonb_build_object(...) ...)`,
its rows in the queryset's own order and limit. `Packed.load` rebuilds them as instances
and puts them where `prefetch_related` would (the related manager's cache), so templates and
model methods work unchanged and the values are the database's, read in the same query as
the object itself (nothing is cached between requests).

Numbers are sent as text so a `Decimal` comes back exact; dates and times come back in ISO
8601 and are parsed by the field, as the database adapter would.
"""

from django.contrib.postgres.expressions import ArraySubquery
from django.db import models
from django.db.models import F
from django.db.models.functions import Cast, JSONObject

# A forward foreign key read with the row (select_related's counterpart).
FORWARD = "forward"


def _column(field, prefix=""):
    value = F(f"{prefix}{field.attname}")
    if isinstance(field, models.DecimalField):
        return Cast(value, models.TextField())
    return value


def _columns(model, prefix=""):
    return {field.attname: _column(field, prefix) for field in model._meta.concrete_fields}


def _instance(model, row, db):
    fields = model._meta.concrete_fields
    values = [row[field.attname] if isinstance(field, models.JSONField)
              else field.to_python(row[field.attname]) for field in fields]
    return model.from_db(db, [field.attname for field in fields], values)


class Packed:
    """`queryset`'s rows as one array column, each with the forward foreign keys named
    `name=FORWARD` and the reverse or many-to-many relations named `name=Packed(...)` (whose
    querysets refer to the row with `OuterRef("pk")`)."""

    def __init__(self, queryset, **related):
        self.queryset = queryset
        self.related = related

    @property
    def model(self):
        return self.queryset.model

    def expression(self) -> ArraySubquery:
        columns = _columns(self.model)
        for name, how in self.related.items():
            columns[name] = (
                JSONObject(**_columns(self.model._meta.get_field(name).related_model,
                                      f"{name}__"))
                if how == FORWARD else how.expression())
        return ArraySubquery(self.queryset.values(packed_row=JSONObject(**columns)))

    def load(self, rows) -> list[models.Model]:
        return [self._load_one(row) for row in rows or ()]

    def _load_one(self, row):
        db = self.queryset.db
        instance = _instance(self.model, row, db)
        for name, how in self.related.items():
            if how == FORWARD:
                field = self.model._meta.get_field(name)
                related = (None if row[name] is None or row[field.attname] is None
                           else _instance(field.related_model, row[name], db))
                field.set_cached_value(instance, related)
            else:
                attach(instance, name, how.load(row[name]))
        return instance


def attach(instance, name: str, related: list) -> None:
    """Put `related` where `prefetch_related(name)` would: `instance.<name>.all()` returns
    them without a query."""
    manager = getattr(instance, name)
    cache_name = (getattr(manager, "prefetch_cache_name", None)
                  or manager.field.remote_field.cache_name)
    queryset = manager.get_queryset()
    queryset._result_cache = related
    queryset._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[cache_name] = queryset
