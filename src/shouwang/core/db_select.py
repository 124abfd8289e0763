"""Reading plain rows by one column on the hottest paths without compiling the query each time.

Django compiles a queryset's SQL on every evaluation: for a case row (forty-odd columns) that
was most of the cost of reading it. `rows_where` writes `SELECT * … WHERE column = %s` once
per model, column, ordering and lock, keeps it, and lets Django build the models from it
(`Manager.raw`, which applies the same field conversions). Plain rows only: no joins, no
deferred fields, no other filters."""

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
    return list(model._default_manager.db_manager(alias).raw(sql, [value]))


def rows_in(model: type[M], field: str, values: Sequence[Any]) -> list[M]:
    """The rows whose `field` is one of `values`, in no set order."""
    if not values:
        return []
    alias = router.db_for_read(model)
    sql = _statement_in(model, alias, field, len(values))
    return list(model._default_manager.db_manager(alias).raw(sql, list(values)))


@lru_cache(maxsize=128)
def _statement_in(model: type[Model], alias: str, field: str, count: int) -> str:
    quote, meta = connections[alias].ops.quote_name, model._meta
    column = quote(str(meta.get_field(field).column))  # type: ignore[union-attr]
    places = ", ".join(["%s"] * count)
    return f"SELECT * FROM {quote(meta.db_table)} WHERE {column} IN ({places})"  # noqa: S608


@lru_cache(maxsize=128)
def _statement(
    model: type[Model], alias: str, field: str, order_by: tuple[str, ...], for_update: bool
) -> str:
    connection = connections[alias]
    quote, meta = connection.ops.quote_name, model._meta
    column = quote(str(meta.get_field(field).column))  # type: ignore[union-attr]
    sql = f"SELECT * FROM {quote(meta.db_table)} WHERE {column} = %s"  # noqa: S608 (no input)
    if order_by:
        columns = (quote(str(meta.get_field(name).column)) for name in order_by)  # type: ignore[union-attr]
        sql += " ORDER BY " + ", ".join(columns)
    if for_update and connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    return sql
