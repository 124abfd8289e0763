"""Which steps a user may take on a case now: the transition table (states.py), the authority
table (rules/authority.py) and the steps' own guards, read together — the same three things
the step kernel checks when the step is taken. Screens show a button for an action only when
`actions_for` names it; tests/test_actions.py takes every offered and every withheld action
through the services to check both agree."""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from shouwang.cases.models import Assignment, CallbackResult, Case
from shouwang.cases.rules.authority import AUTHORITY, Assignee, held_assignments
from shouwang.cases.rules.sla import needs_arrival
from shouwang.cases.rules.visibility import can_see_case
from shouwang.cases.states import TRANSITIONS, CaseAction, CaseState
from shouwang.core.errors import ApplicationError, Conflict, IllegalTransition
from shouwang.core.models import User

RATINGS = frozenset({CallbackResult.SATISFIED, CallbackResult.UNSATISFIED})


def resolve_refusal(case: Case) -> IllegalTransition | None:
    """RESOLVE's own guard: where the SLA wants someone on scene, someone must have arrived."""
    if needs_arrival(case) and case.state != CaseState.ON_SCENE:
        return IllegalTransition(
            _("该事件须有处置人员到场后才能报告处置完毕。"),
            extra={"state": case.state, "action": CaseAction.RESOLVE.value},
        )
    return None


def rating_refusal(case: Case, result: str) -> Conflict | None:
    """A callback's own rule: a closure is rated (satisfied or not) once, by the citizen or by
    a staff callback, whichever comes first; a callback that reached nobody is not a rating
    and may come before or after one. A case reopened and closed again may be rated again,
    since it is new handling. Reads the case's callbacks (prefetched when the caller has
    them)."""
    closed_at = case.closed_at
    rated = closed_at is not None and any(
        c.at >= closed_at and c.result in RATINGS for c in case.callbacks.all()
    )
    if result in RATINGS and rated:
        return Conflict(_("该事件的本次办理已评价过，感谢您的反馈。"))
    return None


def guard_refusal(action: CaseAction, case: Case) -> ApplicationError | None:
    """The refusal of an action's own guard beyond the tables, if any."""
    if action == CaseAction.RESOLVE:
        return resolve_refusal(case)
    return None


def actions_for(
    *, user: User, case: Case, assignments: Iterable[Assignment] | None = None
) -> frozenset[CaseAction]:
    """The actions `user` may take on `case` now. `assignments` are the case's assignments when
    the caller holds them (prefetched); else they are read."""
    if not can_see_case(user, case):
        return frozenset()
    rows = list(case.assignments.all() if assignments is None else assignments)
    held = held_assignments(user, case, rows)
    allowed = set()
    for action, who in AUTHORITY.items():
        if CaseState(case.state) not in TRANSITIONS[action]:
            continue
        if isinstance(who, Assignee):
            if not who.allows(held):
                continue
        elif not who.allows(user, case):
            continue
        if guard_refusal(action, case) is not None:
            continue
        allowed.add(action)
    return frozenset(allowed)
