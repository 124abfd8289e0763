"""Escalation, both kinds: a dispatcher or leader hands a case up one level (上报,
`case_escalate`: the case moves to the city's queue), and the deadlines sweeper reports overdue
steps up (超时督办, `case_escalate_overdue`: the case stays where it is, the level above is told).

Overdue steps: at a step's deadline, level 1: the responsible unit's
supervisors (the leaders of the unit's node), the unit itself and the assignees still on it. One
more allowance of the step later, level 2: the leaders and screens of the level above.

Exactly once per (case, step, round, level): the Escalation row's unique constraint decides,
inside the same transaction as the timeline event and the outbox rows, so two sweepers racing
on one case cannot both notify, and a sweeper that crashes mid-way leaves nothing half-done.
Deadlines live in columns, so a restart loses nothing."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shouwang.cases.models import Assignment, Case, Escalation, TimelineKind
from shouwang.cases.models import Step as StepName
from shouwang.cases.models.work import OPEN_ASSIGNMENT_STATES
from shouwang.cases.rules.sla import PendingStep, pending_steps
from shouwang.cases.rules.unit_routing import command_unit_of, node_of_level
from shouwang.cases.services.dispatch import assignments_stand_down
from shouwang.cases.services.step import Step, assignees_of, case_step, lock_case_due
from shouwang.cases.states import CaseAction
from shouwang.core.errors import Conflict
from shouwang.core.models import JurisdictionNode, NodeLevel, Role, Unit, User
from shouwang.core.selectors import node_by_id, node_lineage

MAX_LEVEL = 2


def escalation_targets(case: Case) -> list[JurisdictionNode]:
    """Level n goes to the n-th node of this list: the responsible unit's node (else the case's
    own node), then its parent. At the root, level 2 stays with the root."""
    unit = case.responsible_unit
    base = node_by_id(pk=unit.node_id) if unit is not None else case.node
    lineage = node_lineage(node=base)
    above = lineage[-2] if len(lineage) > 1 else lineage[-1]
    return [lineage[-1], above]


def due_escalations(
    case: Case, now: datetime, done: set[tuple[str, int]]
) -> list[tuple[PendingStep, int]]:
    """(step, level) pairs due by `now` and not yet escalated in the case's round."""
    return [
        (pending, level)
        for pending in pending_steps(case)
        for level in range(1, MAX_LEVEL + 1)
        if pending.due_at(level) <= now and (pending.step, level) not in done
    ]


def next_escalation_at(case: Case, done: set[tuple[str, int]]) -> datetime | None:
    times = [
        pending.due_at(level)
        for pending in pending_steps(case)
        for level in range(1, MAX_LEVEL + 1)
        if (pending.step, level) not in done
    ]
    return min(times) if times else None


@transaction.atomic
def case_escalate(*, actor: User, case: Case, reason: str = "") -> Case:
    """Hands the case up one level (上报): from the town to the city command centre. The
    manual counterpart of the sweeper's overdue escalation (超时督办), which only alerts and
    leaves the case where it is."""
    with case_step(case, actor=actor, action=CaseAction.ESCALATE) as step:
        case = step.case
        above = _city_above(case)
        if above is None:
            raise Conflict(_("事件已在最高层级，不能再上报。"))
        command = command_unit_of(above)
        stood_down = assignments_stand_down(case=case)
        step.move("escalation_level", "responsible_unit")
        case.escalation_level += 1
        case.responsible_unit = command or case.responsible_unit
        step.record(
            TimelineKind.ESCALATED,
            data={
                "to_node": above.code,
                "to_unit": command.code if command else None,
                "reason": reason.strip(),
                "level": case.escalation_level,
            },
            public=False,
            stood_down=stood_down,
            people=_leaders_of(above),
            units=[command] if command else [],
            extra_screens=[above],
        )
    return case


def _city_above(case: Case) -> JurisdictionNode | None:
    """Command runs on two levels, the town and the city: a case handled in a town goes up to
    the city; one already escalated, or owned by a city unit, has nowhere further to go."""
    lineage = node_lineage(node=case.node)
    city = node_of_level(lineage, NodeLevel.CITY)
    town = node_of_level(lineage, NodeLevel.TOWN)
    unit = case.responsible_unit
    if city is None or town is None or case.escalation_level > 0:
        return None
    if unit is not None and unit.node_id == city.pk:
        return None
    return city


def _leaders_of(node: JurisdictionNode) -> list[User]:
    return list(User.objects.filter(node=node, role=Role.LEADER, is_active=True))


@transaction.atomic
def case_escalate_overdue(*, case_id: int, now: datetime) -> int:
    """Escalates whatever is due on one case and moves its `next_deadline_at` on. Skips a case
    another worker holds (SKIP LOCKED) or that is no longer due. Returns how many escalations
    it made; running it again at the same `now` makes none."""
    locked = lock_case_due(case_id=case_id, now=now)
    if locked is None:
        return 0
    with case_step(locked, actor=None, action=None, vouched=True, locked=True) as step:
        case = step.case
        done = set(
            Escalation.objects.filter(case=case, round=case.round).values_list("step", "level")
        )
        made = 0
        for pending, level in due_escalations(case, now, done):
            if _escalate_once(step, pending, level, now):
                made += 1
            done.add((pending.step, level))
        step.set_next_deadline(next_escalation_at(case, done))
    return made


def _escalate_once(step: Step, pending: PendingStep, level: int, now: datetime) -> bool:
    case = step.case
    target = escalation_targets(case)[level - 1]
    try:
        with transaction.atomic():  # a savepoint: a lost race leaves the outer work intact
            escalation = Escalation.objects.create(
                case=case,
                step=pending.step,
                round=case.round,
                level=level,
                at=now,
                deadline=pending.due_at(level),
                target_node=target,
            )
    except IntegrityError:
        return False  # another worker escalated this step and level first
    leaders = _leaders_of(target)
    people: list[User] = []
    units: list[Unit] = []
    if level == 1:
        open_rows = Assignment.objects.filter(
            case=case, round=case.round, state__in=OPEN_ASSIGNMENT_STATES
        ).select_related("person", "unit")
        people, units = assignees_of(open_rows)
        if case.responsible_unit is not None:
            units.append(case.responsible_unit)
    step.record(
        TimelineKind.OVERDUE,
        data={
            "escalation": escalation.pk,
            "step": pending.step,
            "step_label": str(StepName(pending.step).label),
            "level": level,
            "round": case.round,
            "deadline": pending.deadline.isoformat(),
            "to_node": target.code,
        },
        public=False,
        transition=False,
        people=[*leaders, *(p for p in people if p.pk not in {x.pk for x in leaders})],
        units=list({u.pk: u for u in units}.values()),
        extra_screens=[target],
    )
    return True
