"""Every move of the transition table is allowed through its service, and every move not in the
table is refused with IllegalTransition (409) naming the state and the action, leaving the case
as it was."""

from collections.abc import Callable

import pytest

from shouwang.cases import feeders, services
from shouwang.cases.models import CallbackResult, Case, TimelineEvent
from shouwang.cases.states import TRANSITIONS, CaseAction, CaseState
from shouwang.cases.tests.factories import (
    POINT,
    Loop,
    case_in_state,
    category,
    fresh,
    make_case,
    no_arrival_policy,
)
from shouwang.core.errors import IllegalTransition
from shouwang.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _reinforce_helper(loop: Loop, case: Case) -> None:
    """A second assignee joins a case already being worked, so that an action legal only for
    someone who has not yet done it has an actor."""
    services.case_dispatch(
        actor=loop.person("dispatcher"), case=case, people=[loop.person("first_responder")]
    )


def _accept(loop: Loop, case: Case) -> None:
    if case.state == CaseState.DISPATCHED:
        services.assignment_accept(actor=loop.person("responder"), case=case)
        return
    if case.state in (CaseState.ACCEPTED, CaseState.ON_SCENE):
        _reinforce_helper(loop, case)
        services.assignment_accept(actor=loop.person("first_responder"), case=fresh(case))
        return
    services.assignment_accept(actor=loop.person("responder"), case=case)


def _arrive(loop: Loop, case: Case) -> None:
    lat, lng = POINT["a"]
    actor = loop.person("responder")
    if case.state == CaseState.ON_SCENE:
        _reinforce_helper(loop, case)
        actor = loop.person("first_responder")
        services.assignment_accept(actor=actor, case=fresh(case))
    services.assignment_arrive(actor=actor, case=fresh(case), lat=lat, lng=lng)


def _merge(loop: Loop, case: Case) -> None:
    services.case_merge(actor=loop.person("dispatcher"), case=case, into=make_case(loop))


PERFORM: dict[CaseAction, Callable[[Loop, Case], object]] = {
    CaseAction.DISPATCH: lambda loop, case: services.case_dispatch(
        actor=loop.person("dispatcher"), case=case, people=[loop.person("first_responder")]
    ),
    CaseAction.ACCEPT: _accept,
    CaseAction.ARRIVE: _arrive,
    CaseAction.FEEDBACK: lambda loop, case: services.assignment_feedback(
        actor=loop.person("responder"), case=case, note="已控制现场"
    ),
    CaseAction.RESOLVE: lambda loop, case: services.assignment_resolve(
        actor=loop.person("responder"), case=case, note="已调解完毕"
    ),
    CaseAction.VERIFY: lambda loop, case: services.case_verify(
        actor=loop.person("leader"), case=case
    ),
    CaseAction.REJECT: lambda loop, case: services.case_reject(
        actor=loop.person("leader"), case=case, reason="现场照片不全"
    ),
    CaseAction.CLOSE: lambda loop, case: services.case_close(
        actor=loop.person("leader"), case=case
    ),
    CaseAction.CALLBACK: lambda loop, case: services.callback_record(
        actor=loop.person("leader"), case=case, result=CallbackResult.SATISFIED
    ),
    CaseAction.REOPEN: lambda loop, case: services.case_reopen(
        actor=loop.person("dispatcher"), case=case, reason="群众再次反映"
    ),
    CaseAction.RETURN: lambda loop, case: services.assignment_return(
        actor=loop.person("responder"), case=case, reason="不属于本所管辖"
    ),
    CaseAction.TRANSFER: lambda loop, case: services.case_transfer(
        actor=loop.person("dispatcher"), case=case, unit=loop.department, reason="转城管"
    ),
    CaseAction.DIVERT: lambda loop, case: services.case_divert(
        actor=loop.person("dispatcher"), case=case, category=category("neighbour_dispute")
    ),
    CaseAction.MERGE: _merge,
    CaseAction.ESCALATE: lambda loop, case: services.case_escalate(
        actor=loop.person("dispatcher"), case=case, reason="需市级协调"
    ),
    CaseAction.CANCEL: lambda loop, case: services.case_cancel(
        actor=loop.person("dispatcher"), case=case, reason="误报"
    ),
    CaseAction.SETTLE: lambda loop, case: feeders.case_settle(
        case=case, actor=loop.person("inspector"), note="复查通过"
    ),
}

LEGAL = sorted((action, source) for action, moves in TRANSITIONS.items() for source in moves)
ILLEGAL = sorted(
    (action, state)
    for action in CaseAction
    for state in CaseState
    if state not in TRANSITIONS[action]
)


def test_every_action_has_a_service_in_this_test() -> None:
    assert set(PERFORM) == set(CaseAction)


@pytest.mark.parametrize(("action", "source"), LEGAL)
def test_legal_move_reaches_the_table_target(
    loop: Loop, action: CaseAction, source: CaseState
) -> None:
    if (action, source) == (CaseAction.RESOLVE, CaseState.ACCEPTED):
        no_arrival_policy("consultation")  # resolved without going there: a 12345 enquiry
        case = case_in_state(loop, source, code="consultation", channel="12345")
    else:
        case = case_in_state(loop, source)
    PERFORM[action](loop, case)
    assert fresh(case).state == TRANSITIONS[action][source]


@pytest.mark.parametrize(("action", "state"), ILLEGAL)
def test_illegal_move_is_refused_and_changes_nothing(
    loop: Loop, action: CaseAction, state: CaseState
) -> None:
    case = case_in_state(loop, state)
    events, messages = TimelineEvent.objects.count(), OutboxMessage.objects.count()
    with pytest.raises(IllegalTransition) as refused:
        PERFORM[action](loop, case)
    assert refused.value.status == 409
    assert refused.value.extra == {"state": state.value, "action": action.value}
    assert str(state.label) in str(refused.value.message)
    assert str(action.label) in str(refused.value.message)
    assert fresh(case).state == state
    if action != CaseAction.MERGE:  # the merge helper makes its survivor first
        assert TimelineEvent.objects.count() == events
        assert OutboxMessage.objects.count() == messages


def test_resolving_without_arrival_is_refused_where_the_sla_wants_someone_there(
    loop: Loop,
) -> None:
    case = case_in_state(loop, CaseState.ACCEPTED)
    with pytest.raises(IllegalTransition):
        services.assignment_resolve(actor=loop.person("responder"), case=case, note="电话已处理")
    assert fresh(case).state == CaseState.ACCEPTED


def test_accepting_twice_is_refused_at_the_assignment(loop: Loop) -> None:
    case = case_in_state(loop, CaseState.ACCEPTED)
    with pytest.raises(IllegalTransition) as refused:
        services.assignment_accept(actor=loop.person("responder"), case=case)
    assert refused.value.extra == {"assignment_state": "accepted"}
