"""Inserting rows on the hottest paths without compiling the INSERT each time.

Django compiles every `save()` and `bulk_create()` afresh: for a case, a timeline event, an
assignment or an outbox row that was about 1,500–2,200 Python calls each, a quarter of an intake
plus dispatch. `insert_rows` writes the same statement once per model, column list and row
count, keeps it, and from then on only turns the values into parameters, the way Django's
insert compiler does (`field.pre_save`, then `field.get_db_prep_save`).

What it leaves out, on purpose: model signals (as `bulk_create` does; nothing listens to these
models), expressions as values, and multi-table inheritance. Use it for plain rows only."""

from collections.abc import Sequence
from functools import lru_cache

from django.db import connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model


def insert_rows(
    objs: Sequence[Model], *, ignore_conflicts: bool = False, conflict_key: str | None = None
) -> None:
    """INSERTs `objs` (all of one model) and sets their ids when the database made them. With
    `ignore_conflicts` a row that breaks a unique constraint is skipped silently, and ids are
    not set (as with bulk_create(ignore_conflicts=True)), unless `conflict_key` names a unique
    field that tells the rows apart: then the rows that went in get their ids and the skipped
    ones keep None (needs RETURNING: PostgreSQL, SQLite >= 3.35)."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    assert all(type(obj) is model for obj in objs), "insert_rows takes rows of one model"
    assert not meta.parents, "insert_rows does not handle multi-table inheritance"
    alias = router.db_for_write(model)
    connection = connections[alias]
    with_pk = objs[0].pk is not None
    assert all((obj.pk is not None) == with_pk for obj in objs), "ids all given or all not"
    fields = tuple(f for f in meta.concrete_fields if with_pk or f is not meta.pk)
    returning = not with_pk and (not ignore_conflicts or conflict_key is not None)
    if conflict_key is not None:
        assert ignore_conflicts and connection.features.can_return_rows_from_bulk_insert
    batch = max(1, connection.ops.bulk_batch_size(list(fields), list(objs)))
    if returning and not connection.features.can_return_rows_from_bulk_insert:
        batch = 1  # an old SQLite: one row at a time, its id from lastrowid
    for start in range(0, len(objs), batch):
        _insert(
            connection,
            model,
            fields,
            objs[start : start + batch],
            ignore_conflicts,
            returning,
            conflict_key,
        )
    for obj in objs:
        obj._state.adding, obj._state.db = False, alias


def _insert(
    connection: BaseDatabaseWrapper,
    model: type[Model],
    fields: tuple[Field, ...],  # type: ignore[type-arg]
    objs: Sequence[Model],
    ignore_conflicts: bool,
    returning: bool,
    conflict_key: str | None,
) -> None:
    reports_ids = returning and connection.features.can_return_rows_from_bulk_insert
    sql = _statement(
        model, connection.alias, fields, len(objs), ignore_conflicts, reports_ids, conflict_key
    )
    params = [
        field.get_db_prep_save(field.pre_save(obj, True), connection=connection)
        for obj in objs
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if conflict_key is not None:  # only the rows that went in come back, in no set order
            inserted = {key: pk for pk, key in cursor.fetchall()}
            for obj in objs:
                obj.pk = inserted.get(getattr(obj, conflict_key))
        elif reports_ids:
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = pk
        elif returning:
            objs[0].pk = cursor.lastrowid


@lru_cache(maxsize=256)
def _statement(
    model: type[Model],
    alias: str,
    fields: tuple[Field, ...],  # type: ignore[type-arg]
    rows: int,
    ignore_conflicts: bool,
    returning: bool,
    conflict_key: str | None = None,
) -> str:
    connection = connections[alias]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(str(f.column)) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    values = ", ".join([row] * rows)
    if connection.vendor == "sqlite":
        verb = "INSERT OR IGNORE INTO" if ignore_conflicts else "INSERT INTO"
        conflict = ""
    else:
        verb = "INSERT INTO"
        conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    sql = f"{verb} {table} ({columns}) VALUES {values}{conflict}"
    if returning:
        pk = model._meta.pk
        assert pk is not None
        sql += f" RETURNING {table}.{quote(str(pk.column))}"
        if conflict_key is not None:
            key = model._meta.get_field(conflict_key)
            assert isinstance(key, Field), "conflict_key names a column"
            sql += f", {table}.{quote(str(key.column))}"
    return sql
