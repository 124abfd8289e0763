"""The closed loop's data. `taxonomy` holds what configures the loop (categories, routing rules,
service levels); `case` the case itself; `work` what happens to it (assignments, timeline,
attachments, callbacks, escalations) and where responders are."""

from shouwang.cases.models.case import Case, CaseChannel, CaseKind, Priority
from shouwang.cases.models.taxonomy import Category, RoutingRule, SlaPolicy
from shouwang.cases.models.work import (
    Assignment,
    AssignmentRole,
    AssignmentState,
    Attachment,
    Callback,
    CallbackResult,
    Escalation,
    ResponderStatus,
    Step,
    TimelineEvent,
    TimelineKind,
)
from shouwang.cases.states import CaseState

__all__ = [
    "Assignment",
    "AssignmentRole",
    "AssignmentState",
    "Attachment",
    "Callback",
    "CallbackResult",
    "Case",
    "CaseChannel",
    "CaseKind",
    "CaseState",
    "Category",
    "Escalation",
    "Priority",
    "ResponderStatus",
    "RoutingRule",
    "SlaPolicy",
    "Step",
    "TimelineEvent",
    "TimelineKind",
]
