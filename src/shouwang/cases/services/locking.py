"""Taking a case for a change: the row is locked (SELECT … FOR UPDATE on the case row alone) for
the rest of the transaction, and saved with the fields the change touched.

The lock reads the bare row with SQL written once per process (core.db_select); its category,
node and responsible unit come from process memory (core.refcache), where intake reads them
too. Joining them into the locking query compiled and built five models' hundred-odd columns on
every action, the largest single cost of a dispatch after its answer; and a join under FOR
UPDATE would lock rows every other case shares unless told not to."""

from shouwang.cases.models import Case
from shouwang.cases.selectors.categories import category_by_id
from shouwang.core.db_select import rows_where
from shouwang.core.db_update import update_row
from shouwang.core.errors import NotFound
from shouwang.core.selectors import node_by_id, unit_by_id


def lock_case(case: Case | int) -> Case:
    """The case, locked, with its category (and the category's parent), node and responsible
    unit; NotFound when there is no such case (a service given an id)."""
    pk = case if isinstance(case, int) else case.pk
    found = rows_where(Case, "id", pk, for_update=True)
    if not found:
        raise NotFound()
    locked = found[0]
    locked.category = category_by_id(locked.category_id)
    locked.node = node_by_id(pk=locked.node_id)
    if locked.responsible_unit_id is not None:
        locked.responsible_unit = unit_by_id(pk=locked.responsible_unit_id)
    return locked


def save_case(case: Case, *fields: str) -> None:
    """Saves the fields a step changed, with its time of change and next deadline, in an UPDATE
    written once per field list (core.db_update)."""
    update_row(case, tuple(sorted({*fields, "updated_at", "next_deadline_at"})))
