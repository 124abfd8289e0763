"""Overdue steps reported up (超时督办). At a step's deadline, level 1: the responsible unit's
supervisors (the leaders of the unit's node), the unit itself and the assignees still on it. One
more allowance of the step later, level 2: the leaders and screens of the level above.

Exactly once per (case, step, round, level): the Escalation row's unique constraint decides,
inside the same transaction as the timeline event and the outbox rows, so two sweepers racing
on one case cannot both notify, and a sweeper that crashes mid-way leaves nothing half-done.
Deadlines live in columns, so a restart loses nothing."""

from datetime import datetime

from django.db import IntegrityError, transaction

from shouwang.cases.models import Assignment, Case, Escalation, Step, TimelineKind
from shouwang.cases.models.work import OPEN_ASSIGNMENT_STATES
from shouwang.cases.services.dispatch import people_and_units
from shouwang.cases.services.notifications import announce
from shouwang.cases.services.sla import PendingStep, pending_steps
from shouwang.cases.services.timeline import timeline_add
from shouwang.core.models import JurisdictionNode, Role, Unit, User
from shouwang.core.selectors import node_lineage

MAX_LEVEL = 2


def escalation_targets(case: Case) -> list[JurisdictionNode]:
    """Level n goes to the n-th node of this list: the responsible unit's node (else the case's
    own node), then its parent. At the root, level 2 stays with the root."""
    base = case.responsible_unit.node if case.responsible_unit else case.node
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
def case_escalate_overdue(*, case_id: int, now: datetime) -> int:
    """Escalates whatever is due on one case and moves its `next_deadline_at` on. Skips a case
    another worker holds (SKIP LOCKED) or that is no longer due. Returns how many escalations
    it made; running it again at the same `now` makes none."""
    case = (
        Case.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("category", "node", "responsible_unit", "responsible_unit__node")
        .filter(pk=case_id, next_deadline_at__lte=now)
        .first()
    )
    if case is None:
        return 0
    done = {
        (step, level)
        for step, level in Escalation.objects.filter(case=case, round=case.round).values_list(
            "step", "level"
        )
    }
    made = 0
    for pending, level in due_escalations(case, now, done):
        if _escalate_once(case, pending, level, now):
            made += 1
        done.add((pending.step, level))
    case.next_deadline_at = next_escalation_at(case, done)
    case.save(update_fields=["next_deadline_at"])
    return made


def _escalate_once(case: Case, pending: PendingStep, level: int, now: datetime) -> bool:
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
    event = timeline_add(
        case=case,
        kind=TimelineKind.OVERDUE,
        actor=None,
        data={
            "escalation": escalation.pk,
            "step": pending.step,
            "step_label": str(Step(pending.step).label),
            "level": level,
            "round": case.round,
            "deadline": pending.deadline.isoformat(),
            "to_node": target.code,
        },
    )
    leaders = list(User.objects.filter(node=target, role=Role.LEADER, is_active=True))
    people: list[User] = []
    units: list[Unit] = []
    if level == 1:
        open_rows = Assignment.objects.filter(
            case=case, round=case.round, state__in=OPEN_ASSIGNMENT_STATES
        ).select_related("person", "unit")
        people, units = people_and_units(list(open_rows))
        if case.responsible_unit is not None:
            units.append(case.responsible_unit)
    announce(
        case,
        event,
        people=[*leaders, *(p for p in people if p.pk not in {x.pk for x in leaders})],
        units=list({u.pk: u for u in units}.values()),
        extra_screens=[target],
    )
    return True
