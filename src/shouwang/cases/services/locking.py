"""Taking a case for a change: the row is locked (SELECT … FOR UPDATE on the case row alone) for
the rest of the transaction, and saved with the fields the change touched.

The lock reads the bare row; its category, node and responsible unit come from process memory
(core.refcache), where intake reads them too. Joining them into the locking query compiled and
built five models' hundred-odd columns on every action, the largest single cost of a dispatch
after its answer; and a join under FOR UPDATE would lock rows every other case shares unless
told not to."""

from functools import cache

from django.db import connection

from shouwang.cases.models import Case
from shouwang.cases.selectors.categories import category_by_id
from shouwang.core.errors import NotFound
from shouwang.core.selectors import node_by_id, unit_by_id


def lock_case(case: Case | int) -> Case:
    """The case, locked, with its category (and the category's parent), node and responsible
    unit; NotFound when there is no such case (a service given an id)."""
    pk = case if isinstance(case, int) else case.pk
    found = list(Case.objects.raw(_lock_sql(), [pk]))
    if not found:
        raise NotFound()
    locked = found[0]
    locked.category = category_by_id(locked.category_id)
    locked.node = node_by_id(pk=locked.node_id)
    if locked.responsible_unit_id is not None:
        locked.responsible_unit = unit_by_id(pk=locked.responsible_unit_id)
    return locked


@cache
def _lock_sql() -> str:
    """Written once: compiling the locking query for the case's forty-odd columns cost more
    than the rest of the lock."""
    table = connection.ops.quote_name(Case._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return f"SELECT * FROM {table} WHERE id = %s{lock}"  # noqa: S608 (no input in it)


def save_case(case: Case, *fields: str) -> None:
    case.save(update_fields=sorted({*fields, "updated_at", "next_deadline_at"}))
