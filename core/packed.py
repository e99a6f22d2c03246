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

import datetime
import functools
import itertools
import weakref

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection, models
from django.db.models import F, OuterRef, Subquery
from django.db.models.base import ModelState
from django.db.models.functions import Cast, JSONObject
from django.db.models.query import get_related_populators
from django.db.models.signals import post_init, pre_init
from psycopg2.extensions import AsIs

# A forward foreign key read with the row (select_related's counterpart).
FORWARD = "forward"


def _column(field, prefix=""):
    value = F(f"{prefix}{field.attname}")
    if isinstance(field, models.DecimalField):
        return Cast(value, models.TextField())
    return value


def _columns(model, prefix=""):
    return {field.attname: _column(field, prefix) for field in model._meta.concrete_fields}


# Fields whose `to_python` gives back a JSON value of theirs unchanged (text, a number, a
# boolean, null): their column is taken as it is.
_AS_IT_IS = frozenset({models.Field.to_python, models.CharField.to_python,
                       models.TextField.to_python, models.IntegerField.to_python,
                       models.BooleanField.to_python})


def _converter(field):
    """What turns the field's JSON value into its Python value: None for a value taken as it
    is (a JSON column, or a field whose `to_python` would give it back unchanged)."""
    if isinstance(field, models.JSONField):
        return None
    target = field.target_field if field.is_relation else field
    return None if type(target).to_python in _AS_IT_IS else field.to_python


@functools.cache
def _loader(model) -> tuple[list[str], list[tuple[str, object]]]:
    """The model's column names and, for each, its converter (worked out once per model:
    calling `to_python` on every column of every row was a twentieth of a customer page)."""
    fields = model._meta.concrete_fields
    return ([field.attname for field in fields],
            [(field.attname, _converter(field)) for field in fields])


def _instance(model, row, db):
    names, converters = _loader(model)
    values = [row[name] if convert is None else convert(row[name])
              for name, convert in converters]
    return built(model, db, names, values)


def built(model, db, names: list[str], values: list):
    """What `model.from_db(db, names, values)` returns. Given every concrete field's value,
    it is made without `Model.__init__`: the values go into its `__dict__` at once, where
    `__init__` set them one by one through each field's descriptor (a foreign key's checks
    whether its cached object is stale; a new instance has none) and sent `pre_init` and
    `post_init`. When something listens to those (an ImageField with dimension fields does),
    or a field is deferred, Django builds it."""
    if (len(values) != len(model._meta.concrete_fields)  # some deferred: Django's way
            or pre_init.has_listeners(model) or post_init.has_listeners(model)):
        return model.from_db(db, names, values)
    instance = model.__new__(model)
    instance.__dict__.update(zip(names, values, strict=True))
    instance._state = state = ModelState()
    state.adding, state.db = False, db
    return instance


def _forward(field) -> Subquery:
    """The row a forward foreign key points at, as one JSON object (null for none): looked up
    by its key for each row. As a join, PostgreSQL hashed the whole related table for a list
    of a few rows (the 530 staff members of a chain, for a customer's timeline, consents,
    assignments and messages: half a millisecond of a customer page's 1.5)."""
    related = field.related_model
    return Subquery(related._base_manager.filter(**{
        field.target_field.attname: OuterRef(field.attname)}).values(
        packed_row=JSONObject(**_columns(related))))


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

    def row(self) -> JSONObject:
        """One row of the queryset with its related rows, as one JSON object."""
        columns = _columns(self.model)
        for name, how in self.related.items():
            columns[name] = (_forward(self.model._meta.get_field(name)) if how == FORWARD
                             else how.expression())
        return JSONObject(**columns)

    def expression(self) -> ArraySubquery:
        return ArraySubquery(self.queryset.values(packed_row=self.row()))

    def load(self, rows) -> list[models.Model]:
        return [self.load_one(row) for row in rows or ()]

    def load_one(self, row):
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


def columns(lists: dict[str, Packed]) -> dict[str, ArraySubquery]:
    """Each of `lists` as a column of its name (for `.annotate()`, `.values()`, a JSONObject)."""
    return {name: packed.expression() for name, packed in lists.items()}


def rows_load(rows, lists: dict[str, Packed]) -> list[models.Model]:
    """The instances of a queryset annotated with `columns(lists)`, each of those columns
    turned into its list of instances, under the same name."""
    rows = list(rows)
    for row in rows:
        for name, packed in lists.items():
            setattr(row, name, packed.load(getattr(row, name)))
    return rows


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


class Compiled:
    """A read whose SQL is built once per process: `build(**arguments)` returns the queryset
    for those arguments, and only their values change
    from one call to the next. Building a query of many JSON columns costs more in the ORM
    than running it (about 2 ms of CPU a page); this keeps the SQL and swaps the arguments,
    found in the parameters by stand-in values that occur nowhere else (an argument may
    occur several times; ids, dates, moments and text each have their own stand-ins, and an
    array parameter, a list, a one-element list of its kind's). The query's
    shape must not depend on the arguments' values, only the parameters.

    `fetch` returns the row as a dict of its columns, each converted as the ORM converts it
    (a JSON column parsed, a jsonb[] one into a list), or None; `rows` every row of a
    `.values_list()` so converted; `instances` the model instances of a queryset that is not
    `.values()`.

    On PostgreSQL the SQL is also a prepared statement of each database connection: planning
    these queries cost the database more than running them (0.1-0.8 ms each, 2 ms on a
    customer page's six queries); a prepared statement is planned for its first few runs, then
    PostgreSQL keeps a generic plan. It is prepared once per connection, as connection
    set-up (like Django's own `SET TIME ZONE`), and each request sends `EXECUTE` with the
    arguments only: one round trip, as before. Prepared statements are the session's, not the
    transaction's: a rollback keeps them."""

    # Stand-ins for the arguments (ids are positive; these are never real values), within a
    # 32-bit integer column's range (Django drops a lookup of a value out of it).
    _STAND_IN = -1_907_319_000
    _STAND_IN_DAY = datetime.date(1001, 1, 1)
    # Text is an argument as it is (a lookup that rewrites it, as `startswith` does, is not).
    _STAND_IN_TEXT = "\x01loupe-stand-in-"

    _names = itertools.count(1)

    def __init__(self, build, *, prepared: bool = True):
        self.build = build
        # Not prepared: the SQL is sent with its arguments and planned for them each time,
        # for a query whose generic plan would be far worse than a custom one (an OR of
        # several name ranges, each as selective as its words are).
        self.prepared = prepared
        self._sql = None
        self._name = f"loupe_compiled_{next(self._names)}"
        # The database connections (psycopg2's) that hold this query prepared.
        self._prepared_on = weakref.WeakSet()

    @classmethod
    def _stand_in(cls, n: int, like):
        if isinstance(like, list):  # an array parameter: one stand-in element of its kind
            return [cls._stand_in(n, like[0] if like else 0)]
        if isinstance(like, datetime.datetime):
            return datetime.datetime.combine(cls._STAND_IN_DAY + datetime.timedelta(days=n),
                                             datetime.time(), tzinfo=datetime.UTC)
        if isinstance(like, datetime.date):
            return cls._STAND_IN_DAY + datetime.timedelta(days=n)
        if isinstance(like, str):
            return f"{cls._STAND_IN_TEXT}{n}"
        return cls._STAND_IN - n

    def _compile(self, arguments: dict):
        stand_ins = {name: self._stand_in(n, arguments[name])
                     for n, name in enumerate(sorted(arguments))}
        compiler = self.build(**stand_ins).query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        where = {name: [i for i, p in enumerate(params) if p == value]
                 for name, value in stand_ins.items()}
        if not all(where.values()):
            raise ValueError(f"each argument must be a parameter of the query: {where}")
        # The fields' own converters (from_db_value: JSON parsed), as the ORM applies them.
        converters = compiler.get_converters(
            [expression for expression, _, _ in compiler.select[:compiler.col_count]])
        return sql, list(params), where, compiler, list(converters.items())

    def _read(self, arguments: dict) -> tuple[list[list], object]:
        """The rows of the query for these arguments, converted, and its compiler."""
        if self._sql is None:
            self._sql = self._compile(arguments)
        sql, params, where, compiler, converters = self._sql
        with connection.cursor() as cursor:
            if self.prepared and connection.vendor == "postgresql":
                self._prepare()
                cursor.execute(self._execute, [arguments[name] for name in where])
            else:
                params = list(params)
                for name, places in where.items():
                    for at in places:
                        params[at] = arguments[name]
                cursor.execute(sql, params)
            rows = [list(row) for row in cursor.fetchall()]
        for row in rows:
            for at, (functions, expression) in converters:
                for convert in functions:
                    row[at] = convert(row[at], expression, connection)
        return rows, compiler

    def _prepare(self) -> None:
        """Prepare the query on this connection if it does not hold it yet, through
        psycopg2's own cursor (set-up, not a query of the request): the constant parameters
        written into it, each argument as a numbered parameter (`$1`...) of `EXECUTE`."""
        held = connection.connection
        if held in self._prepared_on:
            return
        sql, params, where, _, _ = self._sql
        numbered = list(params)
        for number, places in enumerate(where.values(), 1):
            for at in places:
                numbered[at] = AsIs(f"${number}")
        with held.cursor() as cursor:
            cursor.execute(f"PREPARE {self._name} AS " + cursor.mogrify(sql, numbered).decode())
        self._prepared_on.add(held)

    @property
    def _execute(self) -> str:
        return f"EXECUTE {self._name}({', '.join(['%s'] * len(self._sql[2]))})"

    def fetch(self, **arguments) -> dict | None:
        rows, compiler = self._read(arguments)
        if not rows:
            return None
        return dict(zip([alias for _, _, alias in compiler.select], rows[0], strict=True))

    def rows(self, **arguments) -> list[list]:
        """Every row of a `.values_list()` queryset, each a list of its converted columns."""
        return self._read(arguments)[0]

    def instances(self, **arguments) -> list[models.Model]:
        """For a queryset of model instances: what iterating it gives, the rows of
        `select_related` put in place (as Django's ModelIterable does)."""
        rows, compiler = self._read(arguments)
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        first, last = fields[0], fields[-1] + 1
        names = [column[0].target.attname for column in select[first:last]]
        related = get_related_populators(klass_info, select, connection.alias)
        found = []
        for row in rows:
            instance = built(klass_info["model"], connection.alias, names, row[first:last])
            for populator in related:
                populator.populate(row, instance)
            for name, at in compiler.annotation_col_map.items():
                setattr(instance, name, row[at])
            found.append(instance)
        return found


class CompiledSlices:
    """Compiled reads of the slices of one read: `build(start, stop, **arguments)` returns its
    queryset's rows [start:stop]. A slice's LIMIT and OFFSET are part of its SQL, so each slice
    is a `Compiled` of its own, made on first use and kept for the process: callers ask for
    few slices (a list's first pages)."""

    def __init__(self, build):
        self.build = build
        self._slices: dict[tuple[int, int], Compiled] = {}

    def __getitem__(self, bounds: tuple[int, int]) -> Compiled:
        if bounds not in self._slices:
            self._slices[bounds] = Compiled(functools.partial(self.build, *bounds))
        return self._slices[bounds]
