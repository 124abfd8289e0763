"""Reads for the dispatcher console (指挥台): who may use it, its live case list with each case's
step timer, and one case's assignees, references and transfer targets. The case room's frames
are case_room.py, the map console_map.py, the big screen big_screen.py. Every function takes
the acting user and sees only what cases.selectors.cases lets them see."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouwang.cases.models import (
    Assignment,
    Case,
    Step,
)
from shouwang.cases.rules.sla import pending_steps
from shouwang.cases.selectors.cases import cases_list, visible_cases
from shouwang.cases.states import FINISHED_STATES, OPEN_STATES, QUEUE_STATES, CaseState
from shouwang.core.errors import InvalidInput, PermissionDeniedError
from shouwang.core.models import Unit, User
from shouwang.core.roles import COMMAND_ROLES
from shouwang.core.selectors import node_lineage, scope_q
from shouwang.notify.groups import person_group, unit_group
from shouwang.notify.models import OutboxMessage

ROOM_MESSAGE_LABEL = _("处置群消息")
ARRIVAL_TARGET = timedelta(minutes=8)  # seed 003: the 8-minute arrival rate


def console_allowed(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.role in COMMAND_ROLES)


def console_check(user: User) -> None:
    if not console_allowed(user):
        raise PermissionDeniedError(_("只有指挥中心值班员、领导和管理员可以使用指挥台。"))


# --- the live case list -----------------------------------------------------------------------

STATE_GROUPS: dict[str, tuple[Any, frozenset[str] | None]] = {
    "open": (_("在办"), frozenset(OPEN_STATES)),
    "queue": (_("待派"), frozenset(QUEUE_STATES)),
    "review": (_("待核查/结案"), frozenset({CaseState.RESOLVED, CaseState.VERIFIED})),
    "finished": (_("已结束"), frozenset(FINISHED_STATES)),
    "all": (_("全部"), None),
}
LIST_LIMIT = 200


@dataclass(frozen=True)
class ConsoleFilters:
    states: str = "open"  # a key of STATE_GROUPS, or one CaseState value
    category: str = ""
    priority: int | None = None
    search: str = ""

    @classmethod
    def from_query(cls, query: Any) -> "ConsoleFilters":
        priority = query.get("priority", "")
        return cls(
            states=query.get("states", "open") or "open",
            category=query.get("category", "").strip(),
            priority=int(priority) if priority.isdigit() else None,
            search=query.get("q", "").strip(),
        )

    def state_list(self) -> list[str] | None:
        if self.states in CaseState.values:
            return [self.states]
        group = STATE_GROUPS.get(self.states, STATE_GROUPS["open"])[1]
        return sorted(group) if group is not None else None


@dataclass(frozen=True)
class StepTimer:
    """The clock of the step a case owes next: its deadline and when it started running, so
    the screen can colour it by the share used (amber from 75%, red when overdue)."""

    step: Step
    started_at: datetime
    deadline: datetime

    @property
    def label(self) -> str:
        return str(Step(self.step).label)

    def fraction(self, now: datetime) -> float:
        whole = (self.deadline - self.started_at).total_seconds()
        return (now - self.started_at).total_seconds() / whole if whole > 0 else 1.0


def case_timer(case: Case) -> StepTimer | None:
    pending = pending_steps(case)
    if not pending:
        return None
    step = min(pending, key=lambda p: p.deadline)
    return StepTimer(Step(step.step), step.deadline - step.allowance, step.deadline)


def with_timers(cases: QuerySet[Case] | list[Case]) -> list[Case]:
    rows = list(cases)
    for case in rows:
        case.timer = case_timer(case)  # type: ignore[attr-defined]
    return rows


def console_cases(*, user: User, filters: ConsoleFilters, limit: int = LIST_LIMIT) -> list[Case]:
    """The console's list, newest first, each case with its step timer."""
    console_check(user)
    cases = cases_list(
        user=user,
        state=filters.state_list(),
        category=filters.category or None,
        priority=filters.priority,
        search=filters.search or None,
    )
    return with_timers(cases[:limit])


def console_rows(*, user: User, filters: ConsoleFilters, ids: list[int]) -> list[Case]:
    """Of the cases `ids` (just changed), those the list under `filters` shows, newest first:
    the console replaces these rows and drops the others."""
    console_check(user)
    cases = cases_list(
        user=user,
        state=filters.state_list(),
        category=filters.category or None,
        priority=filters.priority,
        search=filters.search or None,
    ).filter(pk__in=ids[:LIST_LIMIT])
    return with_timers(cases)


# --- one case ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssigneeRow:
    assignment: Assignment
    requires_ack: bool
    acked_at: datetime | None
    ack_deadline: datetime | None

    @property
    def ack_overdue(self) -> bool:
        return (
            self.requires_ack
            and self.acked_at is None
            and self.ack_deadline is not None
            and self.ack_deadline < timezone.now()
        )


def case_assignees(*, case: Case) -> list[AssigneeRow]:
    """The case's assignments (from `case_get`, already scoped), newest round first, each with
    the acknowledgement of the notification that called them (notify's OutboxMessage.acked_at).
    Unit notifications cannot be acknowledged by a person; their members accept instead."""
    assignments = sorted(case.assignments.all(), key=lambda a: (-a.round, a.pk))
    messages = list(
        OutboxMessage.objects.filter(
            subject_type=Case._meta.label,
            subject_id=str(case.pk),
            requires_ack=True,
            renotify_of__isnull=True,
        ).order_by("created_at", "id")
    )
    rows = []
    for assignment in assignments:
        recipient = (
            person_group(assignment.person_id)
            if assignment.person_id
            else unit_group(assignment.unit.code)
            if assignment.unit
            else ""
        )
        message = next(
            (
                m
                for m in messages
                if m.recipient == recipient
                and m.created_at >= assignment.notified_at - timedelta(seconds=1)
            ),
            None,
        )
        rows.append(
            AssigneeRow(
                assignment=assignment,
                requires_ack=message is not None and assignment.person_id is not None,
                acked_at=message.acked_at if message else None,
                ack_deadline=message.ack_deadline if message else None,
            )
        )
    return rows


def case_by_reference(*, user: User, reference: str, field: str) -> Case:
    """A case named by the dispatcher by number (SW…) or id, in their view; InvalidInput
    otherwise (the request's own case was found, this one is bad input)."""
    text = reference.strip().lstrip("#")
    cases = visible_cases(user).select_related("node")
    found = (
        cases.filter(pk=int(text)).first()
        if text.isdigit()
        else cases.filter(number__iexact=text).first()
        if text
        else None
    )
    if found is None:
        raise InvalidInput(_("目标事件不存在或不在您的辖区内。"), extra={"field": field})
    return found


def transfer_units(*, user: User, case: Case) -> list[Unit]:
    """Units a case may be transferred or diverted to: those of the user's jurisdiction and
    those sitting at the case's higher levels (the city's command centre and departments)."""
    lineage = [n.pk for n in node_lineage(node=case.node)]
    return list(
        Unit.objects.filter(scope_q(user, via="node") | Q(node_id__in=lineage), is_active=True)
        .select_related("node")
        .order_by("node__path", "kind", "code")
    )
