"""Who may take which step of a case: one table, `AUTHORITY`, from each action of the state
machine (states.py) to the kind of actor that may take it. The step kernel
(services/step.py) checks it on every step, after locking the case, in this order: can the
actor see the case at all (else NotFound, 404: telling "exists but not yours" would leak it), is
the action legal in the case's state (IllegalTransition, 409), does the actor hold the authority
(PermissionDeniedError, 403). `actions_for` (rules/actions.py) reads the same table to decide
which buttons a screen shows."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shouwang.cases.models import Assignment, AssignmentState, Case
from shouwang.cases.rules.visibility import can_see_case
from shouwang.cases.states import CaseAction
from shouwang.core.errors import IllegalTransition, NotFound, PermissionDeniedError
from shouwang.core.models import Role, User
from shouwang.core.selectors import node_in_scope

A = AssignmentState


def is_admin(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.role == Role.ADMIN)


def in_jurisdiction(user: User, case: Case) -> bool:
    return node_in_scope(user, case.node)


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


def is_leader_for(user: User, case: Case) -> bool:
    """A leader (or admin) whose node contains the case's node: verification, closure and the
    callback belong to the supervising level, not to whoever did the work."""
    return (is_admin(user) or user.role == Role.LEADER) and in_jurisdiction(user, case)


def require_dispatcher(user: User, case: Case) -> None:
    if not is_dispatcher_for(user, case):
        raise PermissionDeniedError(_("只有本辖区的指挥中心值班员可以执行此操作。"))


def require_leader(user: User, case: Case) -> None:
    if not is_leader_for(user, case):
        raise PermissionDeniedError(_("只有本辖区或上级的领导可以核查、结案和回访。"))


def require_dispatcher_or_leader(user: User, case: Case) -> None:
    if is_dispatcher_for(user, case):
        return
    require_leader(user, case)


@dataclass(frozen=True)
class Command:
    """Command-centre authority: dispatchers, leaders, or either."""

    dispatcher: bool = False
    leader: bool = False

    def allows(self, user: User, case: Case) -> bool:
        return (self.dispatcher and is_dispatcher_for(user, case)) or (
            self.leader and is_leader_for(user, case)
        )

    def require(self, user: User, case: Case) -> None:
        if self.dispatcher and self.leader:
            require_dispatcher_or_leader(user, case)
        elif self.dispatcher:
            require_dispatcher(user, case)
        else:
            require_leader(user, case)


@dataclass(frozen=True)
class Assignee:
    """Assignee authority: the actor holds an assignment of the case's round (their own, else
    their unit's untaken one) in one of `states`."""

    states: tuple[AssignmentState, ...]

    def allows(self, held: Iterable[Assignment]) -> bool:
        return any(a.state in self.states for a in held)


DISPATCHER = Command(dispatcher=True)
LEADER = Command(leader=True)
DISPATCHER_OR_LEADER = Command(dispatcher=True, leader=True)

# action -> who may take it. SETTLE is absent: a feeder app decides who may settle its matter
# (cases/feeders.py), and the kernel runs it with the feeder's word for it.
AUTHORITY: dict[CaseAction, Command | Assignee] = {
    CaseAction.DISPATCH: DISPATCHER,
    CaseAction.ACCEPT: Assignee((A.NOTIFIED,)),
    CaseAction.ARRIVE: Assignee((A.ACCEPTED,)),
    CaseAction.FEEDBACK: Assignee((A.ACCEPTED, A.ARRIVED)),
    CaseAction.RESOLVE: Assignee((A.ACCEPTED, A.ARRIVED)),
    CaseAction.RETURN: Assignee((A.NOTIFIED, A.ACCEPTED, A.ARRIVED)),
    CaseAction.VERIFY: LEADER,
    CaseAction.REJECT: LEADER,
    CaseAction.CLOSE: LEADER,
    CaseAction.CALLBACK: LEADER,
    CaseAction.REOPEN: DISPATCHER_OR_LEADER,
    CaseAction.TRANSFER: DISPATCHER,
    CaseAction.DIVERT: DISPATCHER,
    CaseAction.MERGE: DISPATCHER,
    CaseAction.ESCALATE: DISPATCHER_OR_LEADER,
    CaseAction.CANCEL: DISPATCHER,
}


def _held(user: User, rows: list[Assignment]) -> list[Assignment]:
    """Of the open-or-resolved assignments of the case's round that name the user or their
    unit, the ones the user acts on: their own, else their unit's untaken ones, oldest first."""
    own = [a for a in rows if a.person_id == user.pk]
    return own or sorted(rows, key=lambda a: a.pk)


def _mine(user: User, assignment: Assignment, case: Case) -> bool:
    """Whether `assignment` is one the user acts on: of the case's round, not ended by return
    or cancellation, the user's own or their unit's untaken one."""
    if assignment.round != case.round or assignment.state in (A.CANCELLED, A.RETURNED):
        return False
    if assignment.person_id == user.pk:
        return True
    return user.unit_id is not None and (
        assignment.unit_id == user.unit_id and assignment.person_id is None
    )


def held_assignments(user: User, case: Case, assignments: Iterable[Assignment]) -> list[Assignment]:
    """The assignments the user would act on, from the case's assignments already in memory
    (a screen's): the same choice `actor_assignment` makes on the locked rows."""
    return _held(user, [a for a in assignments if _mine(user, a, case)])


def actor_assignment(user: User, case: Case, *, states: tuple[str, ...]) -> Assignment:
    """The actor's open assignment on the case (their own before their unit's), locked, in
    one of `states`. Raises PermissionDeniedError when the actor is not an assignee at all and
    IllegalTransition when their assignment is in another state (e.g. accepting twice)."""
    # A unit's assignment is anyone's in the unit until a member takes it; then it is theirs.
    mine = Q(person=user)
    if user.unit_id is not None:
        mine |= Q(unit_id=user.unit_id, person__isnull=True)
    rows = _held(
        user,
        list(
            Assignment.objects.select_for_update(of=("self",))
            .filter(mine, case=case, round=case.round)
            .exclude(state__in=(A.CANCELLED, A.RETURNED))
            .select_related("unit", "person")
        ),
    )
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
