"""Taking a case for a change: the row is locked (SELECT … FOR UPDATE on the case row only, not
on the category, node or unit rows joined to it, which every other case shares) for the rest of
the transaction, and saved with the fields the change touched."""

from shouwang.cases.models import Case
from shouwang.core.errors import NotFound


def lock_case(case: Case | int) -> Case:
    """The case, locked; NotFound when there is no such case (a service given an id)."""
    pk = case if isinstance(case, int) else case.pk
    try:
        return (
            Case.objects.select_for_update(of=("self",))
            .select_related("category", "category__parent", "node", "responsible_unit")
            .get(pk=pk)
        )
    except Case.DoesNotExist:
        raise NotFound() from None


def save_case(case: Case, *fields: str) -> None:
    case.save(update_fields=sorted({*fields, "updated_at", "next_deadline_at"}))
