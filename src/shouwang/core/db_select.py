"""Reading plain rows by one column on the hottest paths without compiling the query each time.

Django compiles a queryset's SQL on every evaluation: for a case row (forty-odd columns) that
was most of the cost of reading it. `rows_where` writes `SELECT <every column> … WHERE column =
%s` once per model, column, ordering and lock, keeps it, and builds the models from the rows as
Django's raw-query iterator does (each column's database and field converters, then
`Model.from_db`), with the converters worked out once per model instead of on every call.
Plain rows only: no joins, no deferred fields, no other filters."""

from collections.abc import Sequence
from functools import lru_cache
from typing import Any, TypeVar

from django.db import connections, router
from django.db.models import Model

M = TypeVar("M", bound=Model)


def rows_where(
    model: type[M],
    field: str,
    value: Any,
    *,
    order_by: Sequence[str] = (),
    for_update: bool = False,
) -> list[M]:
    """The rows whose `field` equals `value`, in `order_by` order (field names; ascending).
    `for_update` locks them (FOR UPDATE, where the database has it) until the transaction
    ends."""
    alias = router.db_for_write(model) if for_update else router.db_for_read(model)
    sql = _statement(model, alias, field, tuple(order_by), for_update)
    return _models(model, alias, sql, [value])


def rows_in(model: type[M], field: str, values: Sequence[Any]) -> list[M]:
    """The rows whose `field` is one of `values`, in no set order."""
    if not values:
        return []
    alias = router.db_for_read(model)
    sql = _statement_in(model, alias, field, len(values))
    return _models(model, alias, sql, list(values))


def _models(model: type[M], alias: str, sql: str, params: list[Any]) -> list[M]:
    connection = connections[alias]
    names, converters = _reader(model, alias)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    for row in rows:
        values = list(row)
        for index, functions, column in converters:
            for convert in functions:
                values[index] = convert(values[index], column, connection)
        found.append(model.from_db(alias, names, values))
    return found


Converter = tuple[int, list[Any], Any]


@lru_cache(maxsize=128)
def _reader(model: type[Model], alias: str) -> tuple[list[str], list[Converter]]:
    """The model's column names in SELECT order, and the converters Django would apply to each
    column of a row (SQLCompiler.get_converters), by position."""
    connection = connections[alias]
    fields = model._meta.concrete_fields
    converters: list[Converter] = []
    for index, field in enumerate(fields):
        column = field.get_col(model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converters.append((index, functions, column))
    return [f.attname for f in fields], converters


def _columns(model: type[Model], alias: str) -> str:
    quote = connections[alias].ops.quote_name
    return ", ".join(quote(str(f.column)) for f in model._meta.concrete_fields)


@lru_cache(maxsize=128)
def _statement_in(model: type[Model], alias: str, field: str, count: int) -> str:
    quote, meta = connections[alias].ops.quote_name, model._meta
    column = quote(str(meta.get_field(field).column))  # type: ignore[union-attr]
    places = ", ".join(["%s"] * count)
    return (
        f"SELECT {_columns(model, alias)} FROM {quote(meta.db_table)} "  # noqa: S608 (no input)
        f"WHERE {column} IN ({places})"
    )


@lru_cache(maxsize=128)
def _statement(
    model: type[Model], alias: str, field: str, order_by: tuple[str, ...], for_update: bool
) -> str:
    connection = connections[alias]
    quote, meta = connection.ops.quote_name, model._meta
    column = quote(str(meta.get_field(field).column))  # type: ignore[union-attr]
    sql = f"SELECT {_columns(model, alias)} FROM {quote(meta.db_table)} WHERE {column} = %s"  # noqa: S608
    if order_by:
        columns = (quote(str(meta.get_field(name).column)) for name in order_by)  # type: ignore[union-attr]
        sql += " ORDER BY " + ", ".join(columns)
    if for_update and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    return sql
