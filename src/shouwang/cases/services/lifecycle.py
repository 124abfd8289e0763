"""The supervising end of the loop: verification (核查) and closure (结案) by a leader of the
case's jurisdiction, the satisfaction callback (回访), reopening, and cancelling a false alarm.

A rejected resolution goes back to dispatched with the same assignees notified again (GB/T
30428: a case failing 核查 is dispatched again). An unsatisfied callback REOPENS the case rather
than flagging it: a flag on a closed case sits in nobody's queue, while a reopened case is back
in the dispatchers' queue with its whole history, and the first-time step stamps the KPIs use
are kept, so reopening does not rewrite how the first round performed."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shouwang.cases import clock
from shouwang.cases.models import (
    Assignment,
    AssignmentState,
    Callback,
    CallbackResult,
    Case,
    TimelineKind,
)
from shouwang.cases.services.access import (
    require_dispatcher,
    require_dispatcher_or_leader,
    require_leader,
    require_visible,
)
from shouwang.cases.services.dispatch import (
    assignment_json,
    assignments_create,
    assignments_stand_down,
    notify_assignees,
    people_and_units,
)
from shouwang.cases.services.locking import lock_case, save_case
from shouwang.cases.services.notifications import announce
from shouwang.cases.services.sla import Sla, refresh_next_deadline, resolve_deadline_from
from shouwang.cases.services.timeline import timeline_add
from shouwang.cases.states import CaseAction, transition_target
from shouwang.core.errors import InvalidInput
from shouwang.core.models import User


def _reason(value: str, field: str = "reason") -> str:
    text = value.strip()
    if not text:
        raise InvalidInput(_("请填写原因。"), extra={"field": field})
    return text


def _leader_step(
    *, actor: User, case: Case, action: CaseAction, stamp: str, kind: TimelineKind, note: str
) -> Case:
    """A leader's step that moves the case and stamps when (核查, 结案)."""
    case = lock_case(case)
    require_visible(actor, case)
    target = transition_target(case.state, action)
    require_leader(actor, case)
    from_state = case.state
    case.state = target
    setattr(case, stamp, clock.now())
    refresh_next_deadline(case)
    save_case(case, "state", stamp)
    event = timeline_add(
        case=case,
        kind=kind,
        actor=actor,
        from_state=from_state,
        to_state=target,
        data={"note": note.strip()},
        public=True,
    )
    announce(case, event)
    return case


@transaction.atomic
def case_verify(*, actor: User, case: Case, note: str = "") -> Case:
    return _leader_step(
        actor=actor,
        case=case,
        action=CaseAction.VERIFY,
        stamp="verified_at",
        kind=TimelineKind.VERIFIED,
        note=note,
    )


@transaction.atomic
def case_reject(*, actor: User, case: Case, reason: str) -> Case:
    """Verification failed: a new round starts with the assignees who reported the resolution
    notified again, and they must accept again within the SLA. The resolve deadline is NOT
    moved: 按期结案率 counts against the original one."""
    case = lock_case(case)
    require_visible(actor, case)
    target = transition_target(case.state, CaseAction.REJECT)
    require_leader(actor, case)
    text = _reason(reason)
    previous = list(
        Assignment.objects.filter(case=case, round=case.round, state=AssignmentState.RESOLVED)
        .select_related("person", "unit")
        .order_by("id")
    )
    from_state, now = case.state, clock.now()
    case.round += 1
    case.state, case.resolved_at = target, None
    case.accept_deadline = now + Sla.from_json(case.sla).accept_within
    refresh_next_deadline(case)
    save_case(case, "state", "round", "resolved_at", "accept_deadline")
    people = [a.person for a in previous if a.person is not None]
    units = [a.unit for a in previous if a.person is None and a.unit is not None]
    if not (people or units) and case.responsible_unit is not None:
        units = [case.responsible_unit]
    created = assignments_create(case=case, actor=actor, people=people, units=units)
    event = timeline_add(
        case=case,
        kind=TimelineKind.VERIFICATION_REJECTED,
        actor=actor,
        from_state=from_state,
        to_state=target,
        data={"reason": text, "assignments": [assignment_json(a) for a in created]},
        public=True,
    )
    notify_assignees(case, event, created)
    return case


@transaction.atomic
def case_close(*, actor: User, case: Case, note: str = "") -> Case:
    return _leader_step(
        actor=actor,
        case=case,
        action=CaseAction.CLOSE,
        stamp="closed_at",
        kind=TimelineKind.CLOSED,
        note=note,
    )


@transaction.atomic
def callback_record(*, actor: User, case: Case, result: CallbackResult, note: str = "") -> Callback:
    """Records a callback on a closed case (seed 003: callback satisfaction 99.1%). An
    unsatisfied one reopens the case in the same commit (see the module docstring)."""
    case = lock_case(case)
    require_visible(actor, case)
    transition_target(case.state, CaseAction.CALLBACK)
    require_leader(actor, case)
    callback = Callback(case=case, result=result, note=note.strip(), by=actor, at=clock.now())
    callback.full_clean(exclude=["case", "by"])
    callback.save()
    event = timeline_add(
        case=case,
        kind=TimelineKind.CALLBACK,
        actor=actor,
        from_state=case.state,
        to_state=case.state,
        data={"callback": callback.pk, "result": result, "note": callback.note},
        public=True,
    )
    announce(case, event)
    if result == CallbackResult.UNSATISFIED:
        _reopen(actor, case, reason=str(_("回访不满意")), callback_id=callback.pk)
    return callback


@transaction.atomic
def case_reopen(*, actor: User, case: Case, reason: str) -> Case:
    case = lock_case(case)
    require_visible(actor, case)
    transition_target(case.state, CaseAction.REOPEN)
    require_dispatcher_or_leader(actor, case)
    return _reopen(actor, case, reason=_reason(reason))


def _reopen(actor: User, case: Case, *, reason: str, callback_id: int | None = None) -> Case:
    """Back to the dispatchers' queue for a new round with a fresh resolution deadline; the
    acceptance clock restarts with the next dispatch."""
    target = transition_target(case.state, CaseAction.REOPEN)
    from_state, now = case.state, clock.now()
    case.state, case.round = target, case.round + 1
    case.reopened_count += 1
    case.resolved_at = case.verified_at = case.closed_at = None
    case.resolve_deadline = resolve_deadline_from(Sla.from_json(case.sla), now)
    refresh_next_deadline(case)
    save_case(
        case,
        "state",
        "round",
        "reopened_count",
        "resolved_at",
        "verified_at",
        "closed_at",
        "resolve_deadline",
    )
    event = timeline_add(
        case=case,
        kind=TimelineKind.REOPENED,
        actor=actor,
        from_state=from_state,
        to_state=target,
        data={"reason": reason, "callback": callback_id, "round": case.round},
        public=True,
    )
    announce(case, event)
    return case


@transaction.atomic
def case_cancel(*, actor: User, case: Case, reason: str) -> Case:
    """A false alarm or a call withdrawn (撤销): everyone assigned is stood down."""
    case = lock_case(case)
    require_visible(actor, case)
    target = transition_target(case.state, CaseAction.CANCEL)
    require_dispatcher(actor, case)
    text = _reason(reason)
    stood_down = assignments_stand_down(case=case)
    from_state = case.state
    case.state = target
    refresh_next_deadline(case)
    save_case(case, "state")
    event = timeline_add(
        case=case,
        kind=TimelineKind.CANCELLED,
        actor=actor,
        from_state=from_state,
        to_state=target,
        data={"reason": text, "stood_down": [a.pk for a in stood_down]},
        public=True,
    )
    people, units = people_and_units(stood_down)
    announce(case, event, people=people, units=units)
    return case
