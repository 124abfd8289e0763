"""Updating one row's fields on the hottest paths without compiling the UPDATE each time.

`Model.save(update_fields=…)` compiles its UPDATE afresh on every call and sends the model
signals; for the case row, saved by every step of the loop, that was about as much Python as the
rest of a step's writes. `update_row` writes `UPDATE … SET a = %s, … WHERE id = %s` once per
model and field list, keeps it, and turns the values into parameters the way Django's update
compiler does (`field.pre_save`, so auto_now fields move, then `field.get_db_prep_save`).

What it leaves out, on purpose: model signals (nothing listens to the models it is used on),
expressions as values, and multi-table inheritance. Use it for plain rows only."""

from functools import lru_cache

from django.db import DatabaseError, connections, router
from django.db.models import Model


def update_row(obj: Model, fields: tuple[str, ...]) -> None:
    """Saves `fields` of the existing row `obj` (by its id); DatabaseError when no row has it,
    as `save(update_fields=…)` raises."""
    model = type(obj)
    assert not model._meta.parents, "update_row does not handle multi-table inheritance"
    alias = router.db_for_write(model, instance=obj)
    connection = connections[alias]
    sql = _statement(model, alias, fields)
    meta = model._meta
    params = [
        meta.get_field(name).get_db_prep_save(  # type: ignore[union-attr]
            meta.get_field(name).pre_save(obj, False),  # type: ignore[union-attr]
            connection=connection,
        )
        for name in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, obj.pk])
        if cursor.rowcount != 1:
            raise DatabaseError(f"{meta.label} {obj.pk}: no row to update")


@lru_cache(maxsize=256)
def _statement(model: type[Model], alias: str, fields: tuple[str, ...]) -> str:
    quote, meta = connections[alias].ops.quote_name, model._meta
    assert meta.pk is not None
    columns = ", ".join(
        f"{quote(str(meta.get_field(name).column))} = %s"  # type: ignore[union-attr]
        for name in fields
    )
    table, pk = quote(meta.db_table), quote(str(meta.pk.column))
    return f"UPDATE {table} SET {columns} WHERE {pk} = %s"  # noqa: S608 (no input in it)
