"""Moving a case to someone else: transfer to another unit, non-police diversion to the town
command (非警务警情分流, seed 003: 8,810 diverted), escalation to the level above, and merging a
duplicate into the case it repeats. Each ends the open assignments of the case and tells those
stood down."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shouwang.cases import clock
from shouwang.cases.models import Case, Category, TimelineKind
from shouwang.cases.services.access import (
    can_see_case,
    require_dispatcher,
    require_dispatcher_or_leader,
    require_visible,
)
from shouwang.cases.services.dispatch import (
    assignments_stand_down,
    case_dispatch,
    people_and_units,
)
from shouwang.cases.services.locking import lock_case, save_case
from shouwang.cases.services.notifications import announce
from shouwang.cases.services.routing import command_unit_of, node_of_level, town_unit
from shouwang.cases.services.sla import refresh_next_deadline
from shouwang.cases.services.timeline import timeline_add
from shouwang.cases.states import CaseAction, CaseState, transition_target
from shouwang.core.errors import Conflict, IllegalTransition, InvalidInput
from shouwang.core.models import JurisdictionNode, NodeLevel, Role, Unit, UnitKind, User
from shouwang.core.selectors import node_lineage


@transaction.atomic
def case_transfer(*, actor: User, case: Case, unit: Unit, reason: str = "") -> Case:
    """Hands the case to another unit's queue (转办): e.g. to 12345, a department or another
    station. That unit's dispatchers see it from now on, wherever they sit."""
    case = lock_case(case)
    require_visible(actor, case)
    target = transition_target(case.state, CaseAction.TRANSFER)
    require_dispatcher(actor, case)
    if not unit.is_active:
        raise InvalidInput(_("目标单位已停用。"), extra={"field": "unit"})
    if unit.pk == case.responsible_unit_id and case.state == CaseState.TRANSFERRED:
        raise InvalidInput(_("事件已在该单位。"), extra={"field": "unit"})
    stood_down = assignments_stand_down(case=case)
    from_state, previous = case.state, case.responsible_unit
    case.state, case.responsible_unit = target, unit
    refresh_next_deadline(case)
    save_case(case, "state", "responsible_unit")
    event = timeline_add(
        case=case,
        kind=TimelineKind.TRANSFERRED,
        actor=actor,
        from_state=from_state,
        to_state=target,
        data={
            "from_unit": previous.code if previous else None,
            "to_unit": unit.code,
            "reason": reason.strip(),
            "stood_down": [a.pk for a in stood_down],
        },
        public=True,
    )
    people, units = people_and_units(stood_down)
    announce(case, event, people=people, units=[*units, unit])
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
    case = lock_case(case)
    require_visible(actor, case)
    target = transition_target(case.state, CaseAction.DIVERT)
    require_dispatcher(actor, case)
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
    from_state, previous_category, now = case.state, case.category, clock.now()
    case.state, case.category, case.responsible_unit = target, new_category, command
    if not case.diverted:
        case.diverted, case.diverted_at = True, now
    case.diverted_to = command
    refresh_next_deadline(case)
    save_case(
        case, "state", "category", "responsible_unit", "diverted", "diverted_at", "diverted_to"
    )
    event = timeline_add(
        case=case,
        kind=TimelineKind.DIVERTED,
        actor=actor,
        from_state=from_state,
        to_state=target,
        data={
            "town_command": command.code,
            "onward_unit": unit.code if unit else None,
            "category": {"from": previous_category.code, "to": new_category.code},
            "note": note.strip(),
            "stood_down": [a.pk for a in stood_down],
        },
        public=True,
    )
    people, units = people_and_units(stood_down)
    announce(case, event, people=people, units=[*units, command])
    if unit is not None:
        return case_dispatch(actor=actor, case=case, units=[unit], note=note)
    return case


@transaction.atomic
def case_escalate(*, actor: User, case: Case, reason: str = "") -> Case:
    """Hands the case up one level (上报): from the town to the city command centre. The
    manual counterpart of the sweeper's overdue escalation (超时督办), which only alerts and
    leaves the case where it is."""
    case = lock_case(case)
    require_visible(actor, case)
    target = transition_target(case.state, CaseAction.ESCALATE)
    require_dispatcher_or_leader(actor, case)
    above = _city_above(case)
    if above is None:
        raise Conflict(_("事件已在最高层级，不能再上报。"))
    command = command_unit_of(above)
    stood_down = assignments_stand_down(case=case)
    from_state = case.state
    case.state, case.escalation_level = target, case.escalation_level + 1
    case.responsible_unit = command or case.responsible_unit
    refresh_next_deadline(case)
    save_case(case, "state", "escalation_level", "responsible_unit")
    event = timeline_add(
        case=case,
        kind=TimelineKind.ESCALATED,
        actor=actor,
        from_state=from_state,
        to_state=target,
        data={
            "to_node": above.code,
            "to_unit": command.code if command else None,
            "reason": reason.strip(),
            "level": case.escalation_level,
        },
        public=False,
    )
    people, units = people_and_units(stood_down)
    leaders = list(User.objects.filter(node=above, role=Role.LEADER, is_active=True))
    announce(
        case,
        event,
        people=[*people, *leaders],
        units=[*units, *([command] if command else [])],
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


@transaction.atomic
def case_merge(*, actor: User, case: Case, into: Case) -> Case:
    """Marks `case` as a duplicate of `into` (the survivor). Both keep their own timelines;
    the duplicate's says where it went and the survivor's notes what joined it."""
    if case.pk == into.pk:
        raise InvalidInput(_("不能把事件合并到它自己。"), extra={"field": "into"})
    first, second = sorted([case.pk, into.pk])  # one lock order everywhere: no deadlock
    locked = {pk: lock_case(pk) for pk in (first, second)}
    case, into = locked[case.pk], locked[into.pk]
    require_visible(actor, case)
    target = transition_target(case.state, CaseAction.MERGE)
    require_dispatcher(actor, case)
    _check_survivor(actor, into)
    stood_down = assignments_stand_down(case=case)
    from_state = case.state
    case.state, case.merged_into = target, into
    refresh_next_deadline(case)
    save_case(case, "state", "merged_into")
    event = timeline_add(
        case=case,
        kind=TimelineKind.MERGED,
        actor=actor,
        from_state=from_state,
        to_state=target,
        data={"into": into.pk, "into_number": into.number},
        public=True,
    )
    people, units = people_and_units(stood_down)
    announce(case, event, people=people, units=units)
    joined = timeline_add(
        case=into,
        kind=TimelineKind.DUPLICATE_MERGED,
        actor=actor,
        data={
            "duplicate": case.pk,
            "duplicate_number": case.number,
            "description": case.description[:200],
            "received_at": case.received_at.isoformat(),
        },
    )
    announce(into, joined, screens=False)
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
