"""The case state machine: the one table of which action may move a case from which state to
which. Services ask `transition_target` before changing anything; nothing else decides.

Main line (DOMAIN.md, GB/T 30428): received → dispatched → accepted → on_scene → resolved →
verified → closed, then a callback. Side paths: returned (assignees say "not ours"), transferred
(to another unit, including non-police diversion to the town command), merged (duplicate),
escalated (handed up to the level above), cancelled (false alarm). A resolution failing
verification goes back to dispatched; a closed or cancelled case may be reopened."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from shouwang.core.errors import IllegalTransition


class CaseState(models.TextChoices):
    RECEIVED = "received", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    ACCEPTED = "accepted", _("已接单")
    ON_SCENE = "on_scene", _("已到场")
    RESOLVED = "resolved", _("已处置")
    VERIFIED = "verified", _("已核查")
    CLOSED = "closed", _("已结案")
    RETURNED = "returned", _("已退回")
    TRANSFERRED = "transferred", _("已转办")
    MERGED = "merged", _("已合并")
    ESCALATED = "escalated", _("已上报")
    CANCELLED = "cancelled", _("已撤销")


class CaseAction(models.TextChoices):
    DISPATCH = "dispatch", _("派单")
    ACCEPT = "accept", _("接单")
    ARRIVE = "arrive", _("到场")
    FEEDBACK = "feedback", _("反馈")
    RESOLVE = "resolve", _("处置完毕")
    VERIFY = "verify", _("核查通过")
    REJECT = "reject", _("核查不通过")
    CLOSE = "close", _("结案")
    CALLBACK = "callback", _("回访")
    REOPEN = "reopen", _("重新启用")
    RETURN = "return", _("退回")
    TRANSFER = "transfer", _("转办")
    DIVERT = "divert", _("非警务分流")
    MERGE = "merge", _("合并")
    ESCALATE = "escalate", _("上报")
    CANCEL = "cancel", _("撤销")
    SETTLE = "settle", _("办结")


S = CaseState
# Waiting in a dispatcher's queue.
QUEUE_STATES = frozenset({S.RECEIVED, S.RETURNED, S.TRANSFERRED, S.ESCALATED})
# Someone is working it.
WORKING_STATES = frozenset({S.DISPATCHED, S.ACCEPTED, S.ON_SCENE})
OPEN_STATES = QUEUE_STATES | WORKING_STATES
# Nothing more happens unless the case is reopened.
FINISHED_STATES = frozenset({S.CLOSED, S.CANCELLED, S.MERGED})


def _to(target: CaseState, *sources: CaseState) -> dict[CaseState, CaseState]:
    return dict.fromkeys(sources, target)


def _stays(*sources: CaseState) -> dict[CaseState, CaseState]:
    return {source: source for source in sources}


# action -> {from state: to state}. Entries that map a state to itself are actions that are
# legal there without moving the case (a second assignee accepting, reinforcement, a callback).
TRANSITIONS: dict[CaseAction, dict[CaseState, CaseState]] = {
    # A dispatch from a queue starts the work; on a case being worked it sends reinforcements.
    CaseAction.DISPATCH: _to(S.DISPATCHED, *QUEUE_STATES, S.DISPATCHED)
    | _stays(S.ACCEPTED, S.ON_SCENE),
    CaseAction.ACCEPT: _to(S.ACCEPTED, S.DISPATCHED, S.ACCEPTED) | _stays(S.ON_SCENE),
    CaseAction.ARRIVE: _to(S.ON_SCENE, S.ACCEPTED, S.ON_SCENE),
    CaseAction.FEEDBACK: _stays(S.ACCEPTED, S.ON_SCENE),
    # From accepted only where the SLA asks for no arrival (a hotline item settled by phone);
    # the service checks that guard.
    CaseAction.RESOLVE: _to(S.RESOLVED, S.ACCEPTED, S.ON_SCENE),
    CaseAction.VERIFY: _to(S.VERIFIED, S.RESOLVED),
    # GB/T 30428: a case failing verification is dispatched again.
    CaseAction.REJECT: _to(S.DISPATCHED, S.RESOLVED),
    CaseAction.CLOSE: _to(S.CLOSED, S.VERIFIED),
    CaseAction.CALLBACK: _stays(S.CLOSED),
    CaseAction.REOPEN: _to(S.RECEIVED, S.CLOSED, S.CANCELLED),
    CaseAction.RETURN: _to(S.RETURNED, *WORKING_STATES),
    CaseAction.TRANSFER: _to(S.TRANSFERRED, *QUEUE_STATES, S.DISPATCHED),
    CaseAction.DIVERT: _to(S.TRANSFERRED, *QUEUE_STATES, S.DISPATCHED),
    CaseAction.MERGE: _to(S.MERGED, *QUEUE_STATES, S.DISPATCHED),
    # Command runs on two levels (town, city): an escalated case has nowhere further to go.
    CaseAction.ESCALATE: _to(S.ESCALATED, S.RECEIVED, S.RETURNED, S.TRANSFERRED, S.DISPATCHED),
    CaseAction.CANCEL: _to(S.CANCELLED, *OPEN_STATES),
    # A feeder app's own rule has finished the matter (a hazard passed re-inspection, an
    # agreement was performed): the case closes from wherever the loop had it.
    CaseAction.SETTLE: _to(S.CLOSED, *OPEN_STATES, S.RESOLVED, S.VERIFIED),
}


def transition_target(state: str, action: CaseAction) -> CaseState:
    """The state `action` moves a case in `state` to. Raises IllegalTransition (409), naming
    the state and the action, when the table has no such move."""
    current = CaseState(state)
    target = TRANSITIONS[action].get(current)
    if target is None:
        raise IllegalTransition(
            _("事件当前状态为「%(state)s」，不能执行「%(action)s」操作。")
            % {"state": current.label, "action": action.label},
            extra={"state": current.value, "action": action.value},
        )
    return target
