"""Many rows of one model in one INSERT, given as columns: the values every row shares, and
one list per column that varies, the n-th row taking the n-th value of each list.

An import or a bulk reassignment writes tens of thousands of rows of a few columns (a
timeline entry per customer, an assignment per client handed on). The ORM would build an
instance per row and then one statement with a parameter per value; on PostgreSQL each
varying column is sent as one array instead and unnested (`WITH ORDINALITY`, so the rows go
in, and take their ids, in the lists' order). Elsewhere (SQLite on a laptop) `bulk_create`.
"""

from collections.abc import Mapping, Sequence

from django.db import connection, models

# Columns whose values the database takes as Python gives them (ids, numbers, text): not
# prepared one by one (for 10,000 rows of two such columns that cost 30 ms). These classes
# exactly: a subclass may prepare its values (a phone number field turns them into text).
_AS_THEY_ARE = {models.AutoField, models.BigAutoField, models.IntegerField,
                models.BigIntegerField, models.ForeignKey, models.CharField, models.TextField}

_INSERT = """
    INSERT INTO {table} ({columns})
    SELECT {values}
      FROM unnest({arrays}) WITH ORDINALITY AS each_row({names}, n)
     ORDER BY each_row.n
"""


def rows_insert(model, *, same: Mapping[str, object],
                each: Mapping[str, Sequence]) -> int:
    """Insert one row of `model` per position of the `each` lists (all of one length), with
    the `same` values in every row; returns how many rows. Keys are field names, a foreign
    key's as its column (`customer_id`), with plain values. Call inside the caller's
    transaction."""
    lengths = {len(values) for values in each.values()}
    if len(lengths) > 1:
        raise ValueError(f"The columns of {model.__name__} rows differ in length: {lengths}.")
    count = lengths.pop() if lengths else 0
    if not count:
        return 0
    if connection.vendor != "postgresql":
        names = list(each)
        model.objects.bulk_create(model(**same, **dict(zip(names, row, strict=True)))
                                  for row in zip(*each.values(), strict=True))
        return count
    shared = {model._meta.get_field(name): value for name, value in same.items()}
    varying = {model._meta.get_field(name): values for name, values in each.items()}
    sql = _INSERT.format(
        table=connection.ops.quote_name(model._meta.db_table),
        columns=", ".join(connection.ops.quote_name(f.column) for f in (*shared, *varying)),
        values=", ".join([*(f"%s::{f.cast_db_type(connection)}" for f in shared),
                          *(f"each_row.c{n}" for n in range(len(varying)))]),
        arrays=", ".join(f"%s::{f.cast_db_type(connection)}[]" for f in varying),
        names=", ".join(f"c{n}" for n in range(len(varying))))
    parameters = [f.get_db_prep_save(value, connection) for f, value in shared.items()]
    parameters += [_column(f, values) for f, values in varying.items()]
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
    return count


def _column(field, values: Sequence) -> list:
    if type(field) in _AS_THEY_ARE:
        return list(values)
    return [field.get_db_prep_save(value, connection) for value in values]
