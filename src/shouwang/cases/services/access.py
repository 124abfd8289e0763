"""Who may do what to a case. Checked inside every service, after the case row is locked, in
this order: can the actor see the case at all (else NotFound, 404: telling "exists but not
yours" would leak it), is the action legal in its state (IllegalTransition, 409), does the
actor hold the authority for it (PermissionDeniedError, 403).

Seeing a case: its node lies in the actor's jurisdiction and the actor's role reads such cases
there (least privilege: selectors/cases.py jurisdiction_part_q), or the actor registered it, is
(or belongs to a unit that is) assigned to it, or belongs to its responsible unit."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shouwang.cases.models import Assignment, AssignmentState, Case
from shouwang.cases.selectors.cases import (
    JURISDICTION_KINDS_BY_ROLE,
    landlord_premises_cases_q,
    sees_whole_jurisdiction,
)
from shouwang.core.errors import IllegalTransition, NotFound, PermissionDeniedError
from shouwang.core.models import Role, User
from shouwang.core.selectors import node_in_scope


def is_admin(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.role == Role.ADMIN)


def in_jurisdiction(user: User, case: Case) -> bool:
    return node_in_scope(user, case.node)


def can_see_case(user: User, case: Case) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if case.created_by_id == user.pk:
        return True
    if in_jurisdiction(user, case) and _role_reads_in_jurisdiction(user, case):
        return True
    if user.unit_id is not None and case.responsible_unit_id == user.unit_id:
        return True
    mine = Q(person=user)
    if user.unit_id is not None:
        mine |= Q(unit_id=user.unit_id)
    return Assignment.objects.filter(mine, case=case).exists()


def _role_reads_in_jurisdiction(user: User, case: Case) -> bool:
    """Least privilege inside a jurisdiction (selectors/cases.py jurisdiction_part_q)."""
    if sees_whole_jurisdiction(user):
        return True
    kinds = JURISDICTION_KINDS_BY_ROLE.get(user.role)
    if kinds is not None:
        return case.kind in kinds
    if user.role == Role.LANDLORD:
        return Case.objects.filter(landlord_premises_cases_q(user), pk=case.pk).exists()
    return False


def require_visible(user: User, case: Case) -> None:
    if not can_see_case(user, case):
        raise NotFound()


def is_dispatcher_for(user: User, case: Case) -> bool:
    """Dispatchers (and admins) of the case's jurisdiction, or of the unit it was routed or
    transferred to."""
    if is_admin(user):
        return in_jurisdiction(user, case)
    if user.role != Role.DISPATCHER:
        return False
    own_unit = user.unit_id is not None and case.responsible_unit_id == user.unit_id
    return in_jurisdiction(user, case) or own_unit


def require_dispatcher(user: User, case: Case) -> None:
    if not is_dispatcher_for(user, case):
        raise PermissionDeniedError(_("只有本辖区的指挥中心值班员可以执行此操作。"))


def require_leader(user: User, case: Case) -> None:
    """A leader (or admin) whose node contains the case's node: verification, closure and the
    callback belong to the supervising level, not to whoever did the work."""
    if (is_admin(user) or user.role == Role.LEADER) and in_jurisdiction(user, case):
        return
    raise PermissionDeniedError(_("只有本辖区或上级的领导可以核查、结案和回访。"))


def require_dispatcher_or_leader(user: User, case: Case) -> None:
    if is_dispatcher_for(user, case):
        return
    require_leader(user, case)


def actor_assignment(user: User, case: Case, *, states: tuple[str, ...]) -> Assignment:
    """The actor's open assignment on the case (their own before their unit's), locked, in
    one of `states`. Raises PermissionDeniedError when the actor is not an assignee at all and
    IllegalTransition when their assignment is in another state (e.g. accepting twice)."""
    # A unit's assignment is anyone's in the unit until a member takes it; then it is theirs.
    mine = Q(person=user)
    if user.unit_id is not None:
        mine |= Q(unit_id=user.unit_id, person__isnull=True)
    rows = list(
        Assignment.objects.select_for_update(of=("self",))
        .filter(mine, case=case, round=case.round)
        .exclude(state__in=(AssignmentState.CANCELLED, AssignmentState.RETURNED))
        .select_related("unit", "person")
    )
    # Someone holding their own assignment acts on it, not on their unit's as well.
    own = [a for a in rows if a.person_id == user.pk]
    rows = own or sorted(rows, key=lambda a: a.pk)
    for assignment in rows:
        if assignment.state in states:
            return assignment
    if rows:
        state = AssignmentState(rows[0].state)
        raise IllegalTransition(
            _("您的派单当前状态为「%(state)s」，不能执行此操作。") % {"state": state.label},
            extra={"assignment_state": state.value},
        )
    raise PermissionDeniedError(_("您不是该事件的处置人员。"))
