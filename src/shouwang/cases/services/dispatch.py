"""Five-in-sync dispatch (接警、派单、建群、呼叫、投屏五同步, seed 003): one action, one commit —
the assignments, the case room, a notification to every assignee, and the case on every screen
of its jurisdiction. Nothing is sent before the commit: the outbox rows commit with the rest."""

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shouwang.cases import clock
from shouwang.cases.models import (
    Assignment,
    AssignmentRole,
    AssignmentState,
    Case,
    TimelineEvent,
    TimelineKind,
)
from shouwang.cases.models.work import OPEN_ASSIGNMENT_STATES
from shouwang.cases.rules.sla import Sla
from shouwang.cases.services.step import Step, case_step, timeline_event
from shouwang.cases.states import QUEUE_STATES, CaseAction
from shouwang.core.errors import InvalidInput
from shouwang.core.models import Unit, User
from shouwang.notify.groups import case_group


@transaction.atomic
def case_dispatch(
    *,
    actor: User,
    case: Case | int,
    people: Sequence[User] = (),
    units: Sequence[Unit] = (),
    first_responders: Sequence[User | Unit] = (),
    note: str = "",
) -> Case:
    """Assigns the case. From a queue (received, returned, transferred, escalated) it starts a
    dispatch: the first unit (else the first person) leads and becomes the responsible unit,
    the acceptance clock starts. On a case already being worked it sends reinforcements and the
    state stays. First responders (patrols, guards, ten-household groups) are alerted in
    parallel. Anyone already holding an open assignment on the case is skipped. `case` may be
    an id: the case is read (locked) here anyway, and one the actor may not see is NotFound."""
    with case_step(case, actor=actor, action=CaseAction.DISPATCH) as step:
        case = step.case
        _check_targets(people, units, first_responders)
        starting = case.state in QUEUE_STATES
        first_dispatch = case.dispatched_at is None
        created = assignments_create(
            case=case,
            actor=actor,
            people=people,
            units=units,
            first_responders=first_responders,
            never_dispatched=first_dispatch,
        )
        if not created:
            raise InvalidInput(_("所选人员和单位都已在处置该事件。"), extra={"field": "people"})
        step.move("dispatched_at")
        case.dispatched_at = case.dispatched_at or step.now
        if starting:
            case.accept_deadline = step.now + Sla.from_json(case.sla).accept_within
            lead_unit = next((a.unit for a in created if a.unit is not None), None)
            case.responsible_unit = lead_unit or case.responsible_unit
            step.change("accept_deadline", "responsible_unit")
        record_assigned(
            step,
            TimelineKind.DISPATCHED,
            created,
            data={"note": note.strip()},
            also=_room_opening(case, actor, first_dispatch=first_dispatch),
        )
    return case


def record_assigned(
    step: Step,
    kind: TimelineKind,
    created: Sequence[Assignment],
    *,
    data: dict[str, object],
    also: Sequence[TimelineEvent] = (),
) -> None:
    """The 呼叫 and 投屏 of five-in-sync, for a dispatch or a rejected resolution sent back:
    each new assignee (person, else unit) gets the case, with acknowledgement required where
    the SLA says; the room and the screens see the step."""
    sla = Sla.from_json(step.case.sla)
    step.record(
        kind,
        data={**data, "assignments": [assignment_json(a) for a in created]},
        stood_down=created,
        requires_ack=sla.requires_ack,
        ack_within=sla.accept_within,
        also=also,
    )


def _check_targets(
    people: Sequence[User], units: Sequence[Unit], first_responders: Sequence[User | Unit]
) -> None:
    if not (people or units or first_responders):
        raise InvalidInput(_("请至少选择一个处置人员或单位。"), extra={"field": "people"})
    everyone = [*people, *units, *first_responders]
    inactive = [str(t) for t in everyone if not t.is_active]
    if inactive:
        raise InvalidInput(
            _("以下人员或单位已停用：%(names)s") % {"names": "、".join(inactive)},
            extra={"inactive": inactive},
        )


def assignments_create(
    *,
    case: Case,
    actor: User,
    people: Sequence[User] = (),
    units: Sequence[Unit] = (),
    first_responders: Sequence[User | Unit] = (),
    never_dispatched: bool = False,
) -> list[Assignment]:
    """New assignments of the case's current round, skipping anyone who already holds an open
    one. The first unit or person leads unless the round already has an open lead.
    `never_dispatched` (the locked case has no dispatched_at: only a dispatch assigns) skips
    looking for open ones."""
    open_rows: list[Assignment] = []
    if not never_dispatched:
        open_rows = list(
            Assignment.objects.filter(case=case, round=case.round, state__in=OPEN_ASSIGNMENT_STATES)
        )
    busy_people = {a.person_id for a in open_rows if a.person_id}
    busy_units = {a.unit_id for a in open_rows if a.unit_id and not a.person_id}
    has_lead = any(a.role == AssignmentRole.LEAD for a in open_rows)
    now, created = clock.now(), []
    wanted: list[tuple[User | Unit, AssignmentRole | None]] = [
        *((u, None) for u in units),
        *((p, None) for p in people),
        *((f, AssignmentRole.FIRST_RESPONDER) for f in first_responders),
    ]
    for target, role in wanted:
        is_unit = isinstance(target, Unit)
        busy = busy_units if is_unit else busy_people
        if target.pk in busy:
            continue
        busy.add(target.pk)
        if role is None:
            role = AssignmentRole.SUPPORT if has_lead else AssignmentRole.LEAD
            has_lead = True
        created.append(
            Assignment(
                case=case,
                person=None if isinstance(target, Unit) else target,
                unit=target if isinstance(target, Unit) else None,
                role=role,
                round=case.round,
                dispatched_by=actor,
                notified_at=now,
            )
        )
    for assignment in created:
        # The one check constraint (a person or a unit) names excluded fields, so Django only
        # compiled a query to find it could not check it; the database enforces it, and each
        # target above is a saved person or unit.
        assignment.full_clean(
            exclude=["case", "person", "unit", "dispatched_by"], validate_constraints=False
        )
    # One INSERT for all (an alarm names five contacts); both databases hand back the ids.
    Assignment.objects.bulk_create(created)
    return created


def assignment_json(assignment: Assignment) -> dict[str, object]:
    return {
        "id": assignment.pk,
        "person": assignment.person.username if assignment.person else None,
        "unit": assignment.unit.code if assignment.unit else None,
        "role": assignment.role,
    }


def _room_opening(case: Case, actor: User, *, first_dispatch: bool) -> list[TimelineEvent]:
    """The 建群 of five-in-sync: the case room opens with the first dispatch and stays open for
    the life of the case; its channel group is notify.groups.case_group(case.id). The event
    that opens it, if it is not open yet: only a dispatch opens it, so before the first one (no
    dispatched_at yet) there is none to look for."""
    if not first_dispatch and case.timeline.filter(kind=TimelineKind.ROOM_OPENED).exists():
        return []
    return [
        timeline_event(
            case=case,
            kind=TimelineKind.ROOM_OPENED,
            actor=actor,
            data={"group": case_group(case.pk)},
        )
    ]


def assignments_stand_down(
    *, case: Case, keep: Assignment | None = None, arrived_resolve: bool = False
) -> list[Assignment]:
    """Ends every open assignment of the case except `keep`: cancelled, or — when the case was
    resolved and `arrived_resolve` is set — resolved for those who had arrived and helped.
    Returns those changed (the caller tells them)."""
    now, changed = clock.now(), []
    rows = (
        Assignment.objects.select_for_update(of=("self",))
        .filter(case=case, state__in=OPEN_ASSIGNMENT_STATES)
        .select_related("person", "unit")
    )
    for assignment in rows:
        if keep is not None and assignment.pk == keep.pk:
            continue
        if arrived_resolve and assignment.state == AssignmentState.ARRIVED:
            assignment.state, assignment.resolved_at = AssignmentState.RESOLVED, now
            assignment.save(update_fields=["state", "resolved_at"])
        else:
            assignment.state, assignment.cancelled_at = AssignmentState.CANCELLED, now
            assignment.save(update_fields=["state", "cancelled_at"])
        changed.append(assignment)
    return changed
