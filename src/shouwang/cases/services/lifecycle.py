"""The supervising end of the loop: verification (核查) and closure (结案) by a leader of the
case's jurisdiction, the satisfaction callback (回访, by staff here or by the citizen from the
tracking link: services/citizen.py, one rule for both), reopening, and cancelling a false alarm.

A rejected resolution goes back to dispatched with the same assignees notified again (GB/T
30428: a case failing 核查 is dispatched again). An unsatisfied callback REOPENS the case rather
than flagging it: a flag on a closed case sits in nobody's queue, while a reopened case is back
in the dispatchers' queue with its whole history, and the first-time step stamps the KPIs use
are kept, so reopening does not rewrite how the first round performed."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shouwang.cases.models import (
    Assignment,
    AssignmentState,
    Callback,
    CallbackResult,
    Case,
    TimelineKind,
)
from shouwang.cases.rules.actions import rating_refusal
from shouwang.cases.rules.sla import Sla, resolve_deadline_from
from shouwang.cases.services.dispatch import (
    assignments_create,
    assignments_stand_down,
    record_assigned,
)
from shouwang.cases.services.step import Step, assignees_of, case_step
from shouwang.cases.states import CaseAction
from shouwang.core.errors import InvalidInput
from shouwang.core.models import User


def _reason(value: str, field: str = "reason") -> str:
    text = value.strip()
    if not text:
        raise InvalidInput(_("请填写原因。"), extra={"field": field})
    return text


@transaction.atomic
def case_verify(*, actor: User, case: Case, note: str = "") -> Case:
    with case_step(case, actor=actor, action=CaseAction.VERIFY) as step:
        step.move("verified_at")
        step.case.verified_at = step.now
        step.record(TimelineKind.VERIFIED, data={"note": note.strip()})
    return step.case


@transaction.atomic
def case_reject(*, actor: User, case: Case, reason: str) -> Case:
    """Verification failed: a new round starts with the assignees who reported the resolution
    notified again, and they must accept again within the SLA. The resolve deadline is NOT
    moved: 按期结案率 counts against the original one."""
    with case_step(case, actor=actor, action=CaseAction.REJECT) as step:
        case = step.case
        text = _reason(reason)
        previous = list(
            Assignment.objects.filter(case=case, round=case.round, state=AssignmentState.RESOLVED)
            .select_related("person", "unit")
            .order_by("id")
        )
        step.move("round", "resolved_at", "accept_deadline")
        case.round += 1
        case.resolved_at = None
        case.accept_deadline = step.now + Sla.from_json(case.sla).accept_within
        people, units = assignees_of(previous)
        if not (people or units) and case.responsible_unit is not None:
            units = [case.responsible_unit]
        created = assignments_create(case=case, actor=actor, people=people, units=units)
        record_assigned(step, TimelineKind.VERIFICATION_REJECTED, created, data={"reason": text})
    return case


@transaction.atomic
def case_close(*, actor: User, case: Case, note: str = "") -> Case:
    with case_step(case, actor=actor, action=CaseAction.CLOSE) as step:
        step.move("closed_at")
        step.case.closed_at = step.now
        step.record(TimelineKind.CLOSED, data={"note": note.strip()})
    return step.case


@transaction.atomic
def callback_record(*, actor: User, case: Case, result: CallbackResult, note: str = "") -> Callback:
    """Records a staff callback on a closed case (seed 003: callback satisfaction 99.1%). An
    unsatisfied one reopens the case in the same commit (see the module docstring)."""
    with case_step(case, actor=actor, action=CaseAction.CALLBACK) as step:
        callback = callback_take(step, result=result, note=note)
    callback_follow_up(step, callback, reason=str(_("回访不满意")))
    return callback


def callback_take(step: Step, *, result: CallbackResult, note: str, by: str = "") -> Callback:
    """The callback itself, for staff and citizen alike, inside a CALLBACK step; a second
    rating of one closure is refused (Conflict, rules/actions.py `rating_refusal`). `by` marks
    who gave it on the timeline ("citizen") when it is not the step's actor."""
    refusal = rating_refusal(step.case, result)
    if refusal is not None:
        raise refusal
    callback = Callback(
        case=step.case, result=result, note=note.strip(), by=step.actor, at=step.now
    )
    callback.full_clean(exclude=["case", "by"])
    callback.save()
    data: dict[str, object] = {"callback": callback.pk, "result": result, "note": callback.note}
    if by:
        data["by"] = by
    step.record(TimelineKind.CALLBACK, data=data)
    return callback


def callback_follow_up(step: Step, callback: Callback, *, reason: str) -> None:
    """An unsatisfied callback reopens the case, in the same commit, as its own step."""
    if callback.result == CallbackResult.UNSATISFIED:
        _reopen(step.actor, step.case, reason=reason, callback_id=callback.pk)


@transaction.atomic
def case_reopen(*, actor: User, case: Case, reason: str) -> Case:
    with case_step(case, actor=actor, action=CaseAction.REOPEN) as step:
        _reopen_rule(step, reason=_reason(reason))
    return step.case


def _reopen(actor: User | None, case: Case, *, reason: str, callback_id: int | None) -> None:
    """The reopening that follows an unsatisfied callback, on the case its step still holds
    locked; the callback's authority covers it."""
    with case_step(case, actor=actor, action=CaseAction.REOPEN, vouched=True, locked=True) as step:
        _reopen_rule(step, reason=reason, callback_id=callback_id)


def _reopen_rule(step: Step, *, reason: str, callback_id: int | None = None) -> None:
    """Back to the dispatchers' queue for a new round with a fresh resolution deadline; the
    acceptance clock restarts with the next dispatch."""
    case = step.case
    step.move("round", "reopened_count", "resolved_at", "verified_at", "closed_at")
    step.change("resolve_deadline")
    case.round += 1
    case.reopened_count += 1
    case.resolved_at = case.verified_at = case.closed_at = None
    case.resolve_deadline = resolve_deadline_from(Sla.from_json(case.sla), step.now)
    step.record(
        TimelineKind.REOPENED,
        data={"reason": reason, "callback": callback_id, "round": case.round},
    )


@transaction.atomic
def case_cancel(*, actor: User, case: Case, reason: str) -> Case:
    """A false alarm or a call withdrawn (撤销): everyone assigned is stood down."""
    with case_step(case, actor=actor, action=CaseAction.CANCEL) as step:
        text = _reason(reason)
        stood_down = assignments_stand_down(case=step.case)
        step.move()
        step.record(
            TimelineKind.CANCELLED,
            data={"reason": text, "stood_down": [a.pk for a in stood_down]},
            stood_down=stood_down,
        )
    return step.case
