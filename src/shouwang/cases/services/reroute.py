"""Moving a case to someone else: transfer to another unit, non-police diversion to the town
command (非警务警情分流, seed 003: 8,810 diverted), and merging a duplicate into the case it
repeats (escalation to the level above is services/escalation.py). Each ends the open
assignments of the case and tells those stood down."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shouwang.cases.models import Case, Category, TimelineKind
from shouwang.cases.rules.unit_routing import node_of_level, town_unit
from shouwang.cases.rules.visibility import can_see_case
from shouwang.cases.services.dispatch import assignments_stand_down, case_dispatch
from shouwang.cases.services.step import case_step, lock_case
from shouwang.cases.states import CaseAction, CaseState
from shouwang.core.errors import IllegalTransition, InvalidInput
from shouwang.core.models import NodeLevel, Unit, UnitKind, User
from shouwang.core.selectors import node_lineage


@transaction.atomic
def case_transfer(*, actor: User, case: Case, unit: Unit, reason: str = "") -> Case:
    """Hands the case to another unit's queue (转办): e.g. to 12345, a department or another
    station. That unit's dispatchers see it from now on, wherever they sit."""
    with case_step(case, actor=actor, action=CaseAction.TRANSFER) as step:
        case = step.case
        if not unit.is_active:
            raise InvalidInput(_("目标单位已停用。"), extra={"field": "unit"})
        if unit.pk == case.responsible_unit_id and case.state == CaseState.TRANSFERRED:
            raise InvalidInput(_("事件已在该单位。"), extra={"field": "unit"})
        stood_down = assignments_stand_down(case=case)
        previous = case.responsible_unit
        step.move("responsible_unit")
        case.responsible_unit = unit
        step.record(
            TimelineKind.TRANSFERRED,
            data={
                "from_unit": previous.code if previous else None,
                "to_unit": unit.code,
                "reason": reason.strip(),
                "stood_down": [a.pk for a in stood_down],
            },
            stood_down=stood_down,
            units=[unit],
        )
    return case


@transaction.atomic
def case_divert(
    *,
    actor: User,
    case: Case,
    unit: Unit | None = None,
    category: Category | None = None,
    note: str = "",
) -> Case:
    """One action for a non-police matter (seed 003): to the town command room of the case's
    town and, when `unit` is given, straight on to that department or village, dispatched in
    the same commit. `category` reclassifies at the same time (a police-looking call that is
    really a neighbour quarrel). Counted once as diverted, however often it moves on."""
    with case_step(case, actor=actor, action=CaseAction.DIVERT) as step:
        case = step.case
        new_category = category or case.category
        if new_category.is_police:
            raise InvalidInput(
                _("「%(name)s」属于警务类，不能分流；请先改为非警务类别。")
                % {"name": new_category.name},
                extra={"field": "category"},
            )
        town = node_of_level(node_lineage(node=case.node), NodeLevel.TOWN)
        command = town_unit(town, UnitKind.TOWN_COMMAND) if town is not None else None
        if command is None:
            raise InvalidInput(_("该事件所在镇街没有设置综合指挥室单位。"), extra={"field": "unit"})
        if unit is not None and not unit.is_active:
            raise InvalidInput(_("目标单位已停用。"), extra={"field": "unit"})
        stood_down = assignments_stand_down(case=case)
        previous_category = case.category
        step.move("category", "responsible_unit", "diverted", "diverted_at", "diverted_to")
        case.category, case.responsible_unit = new_category, command
        if not case.diverted:
            case.diverted, case.diverted_at = True, step.now
        case.diverted_to = command
        step.record(
            TimelineKind.DIVERTED,
            data={
                "town_command": command.code,
                "onward_unit": unit.code if unit else None,
                "category": {"from": previous_category.code, "to": new_category.code},
                "note": note.strip(),
                "stood_down": [a.pk for a in stood_down],
            },
            stood_down=stood_down,
            units=[command],
        )
    if unit is not None:
        return case_dispatch(actor=actor, case=case, units=[unit], note=note)
    return case


@transaction.atomic
def case_merge(*, actor: User, case: Case, into: Case) -> Case:
    """Marks `case` as a duplicate of `into` (the survivor). Both keep their own timelines;
    the duplicate's says where it went and the survivor's notes what joined it."""
    if case.pk == into.pk:
        raise InvalidInput(_("不能把事件合并到它自己。"), extra={"field": "into"})
    first, second = sorted([case.pk, into.pk])  # one lock order everywhere: no deadlock
    locked = {pk: lock_case(pk) for pk in (first, second)}
    survivor = locked[into.pk]
    with case_step(locked[case.pk], actor=actor, action=CaseAction.MERGE, locked=True) as step:
        case = step.case
        _check_survivor(actor, survivor)
        stood_down = assignments_stand_down(case=case)
        step.move("merged_into")
        case.merged_into = survivor
        step.record(
            TimelineKind.MERGED,
            data={"into": survivor.pk, "into_number": survivor.number},
            stood_down=stood_down,
        )
        step.record(
            TimelineKind.DUPLICATE_MERGED,
            case=survivor,
            data={
                "duplicate": case.pk,
                "duplicate_number": case.number,
                "description": case.description[:200],
                "received_at": case.received_at.isoformat(),
            },
            public=False,
            screens=False,
        )
    return case


def _check_survivor(actor: User, into: Case) -> None:
    if not can_see_case(actor, into):
        raise InvalidInput(_("目标事件不存在或不在您的辖区内。"), extra={"field": "into"})
    if into.state in (CaseState.MERGED, CaseState.CANCELLED):
        raise IllegalTransition(
            _("目标事件状态为「%(state)s」，不能合并到它。")
            % {"state": CaseState(into.state).label},
            extra={"into_state": into.state},
        )
