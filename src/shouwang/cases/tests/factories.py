"""Test data for the loop, built through the real services: the test city equipped with the
units the loop routes to, and cases driven into any state the way people would drive them."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from shouwang.cases import services
from shouwang.cases.models import Case, CaseChannel, Category, SlaPolicy
from shouwang.cases.states import CaseState
from shouwang.core.models import Role, Unit, UnitKind, User
from shouwang.core.services.jurisdiction import unit_create
from shouwang.core.services.people import person_create
from shouwang.testing.city import PASSWORD, City, Town

# A point inside each town's first grid (towns are 0.2° squares side by side from 120.0).
POINT = {"a": (29.1, 120.05), "b": (29.1, 120.25)}


@dataclass
class Loop:
    """The test city with command rooms, a command centre, a city department and a patrol."""

    city: City
    command_centre: Unit
    department: Unit
    town_command: dict[str, Unit]
    patrol: Unit

    def town(self, name: str) -> Town:
        return self.city.a if name == "a" else self.city.b

    def person(self, role: str, town: str = "a") -> User:
        return self.town(town).people[role]


def equip(city: City) -> Loop:
    centre = unit_create(
        code="CMD-330782", name="市110指挥中心", kind=UnitKind.COMMAND_CENTRE, node=city.node
    )
    department = unit_create(
        code="DEPT-CG", name="市综合行政执法局", kind=UnitKind.DEPARTMENT, node=city.node
    )
    commands = {
        key: unit_create(
            code=f"TC-{key.upper()}",
            name=f"{town.node.name}综合指挥室",
            kind=UnitKind.TOWN_COMMAND,
            node=town.node,
        )
        for key, town in (("a", city.a), ("b", city.b))
    }
    patrol = unit_create(
        code="PT-A",
        name="一社区护村队",
        kind=UnitKind.PATROL_TEAM,
        node=city.a.village,
        location=(POINT["a"][1] + 0.003, POINT["a"][0]),  # ~290 m east of the case point
    )
    return Loop(city, centre, department, commands, patrol)


def category(code: str) -> Category:
    return Category.objects.get(code=code)


def make_case(
    loop: Loop,
    *,
    town: str = "a",
    actor: User | None = None,
    code: str = "fight",
    channel: CaseChannel = CaseChannel.PHONE_110,
    description: str = "两名男子在商铺门口打架，其中一人受伤",
    point: tuple[float, float] | None = None,
    **extra: Any,
) -> Case:
    lat, lng = point or POINT[town]
    return services.case_intake(
        actor=actor or loop.person("dispatcher", town),
        category=category(code),
        description=description,
        channel=channel,
        lat=lat,
        lng=lng,
        **extra,
    ).case


def fresh(case: Case) -> Case:
    return Case.objects.select_related("category", "node", "responsible_unit").get(pk=case.pk)


def another_responder(loop: Loop, town: str = "a", username: str | None = None) -> User:
    """A second responder of the town's police station."""
    place = loop.town(town)
    return person_create(
        username=username or f"responder_{town}_2",
        role=Role.RESPONDER,
        node=place.node,
        password=PASSWORD,
        full_name="第二处置员",
        unit=place.station,
    )


def no_arrival_policy(code: str = "consultation") -> SlaPolicy:
    """A 12345-style policy: answered by phone, nobody needs to go."""
    return SlaPolicy.objects.create(
        name="咨询类不需到场",
        category=category(code),
        arrive_within_min=None,
        feedback_within_min=None,
        resolve_working_days=5,
    )


# --- driving a case into each state, the way the people involved would ---------------------


def received(loop: Loop, **kw: Any) -> Case:
    return make_case(loop, **kw)


def dispatched(loop: Loop, **kw: Any) -> Case:
    case = make_case(loop, **kw)
    return services.case_dispatch(
        actor=loop.person("dispatcher"), case=case, people=[loop.person("responder")]
    )


def accepted(loop: Loop, **kw: Any) -> Case:
    case = dispatched(loop, **kw)
    services.assignment_accept(actor=loop.person("responder"), case=case)
    return fresh(case)


def on_scene(loop: Loop, **kw: Any) -> Case:
    case = accepted(loop, **kw)
    lat, lng = POINT["a"]
    services.assignment_arrive(actor=loop.person("responder"), case=case, lat=lat, lng=lng)
    return fresh(case)


def resolved(loop: Loop, **kw: Any) -> Case:
    case = on_scene(loop, **kw)
    services.assignment_resolve(actor=loop.person("responder"), case=case, note="双方已劝离")
    return fresh(case)


def verified(loop: Loop, **kw: Any) -> Case:
    return services.case_verify(actor=loop.person("leader"), case=resolved(loop, **kw))


def closed(loop: Loop, **kw: Any) -> Case:
    return services.case_close(actor=loop.person("leader"), case=verified(loop, **kw))


def returned(loop: Loop, **kw: Any) -> Case:
    case = dispatched(loop, **kw)
    services.assignment_return(actor=loop.person("responder"), case=case, reason="不属于本所")
    return fresh(case)


def transferred(loop: Loop, **kw: Any) -> Case:
    return services.case_transfer(
        actor=loop.person("dispatcher"),
        case=make_case(loop, **kw),
        unit=loop.town_command["a"],
        reason="属地综合指挥室处理",
    )


def merged(loop: Loop, **kw: Any) -> Case:
    survivor = make_case(loop, **kw)
    return services.case_merge(
        actor=loop.person("dispatcher"), case=make_case(loop, **kw), into=survivor
    )


def escalated(loop: Loop, **kw: Any) -> Case:
    return services.case_escalate(
        actor=loop.person("dispatcher"), case=make_case(loop, **kw), reason="需市级协调"
    )


def cancelled(loop: Loop, **kw: Any) -> Case:
    return services.case_cancel(
        actor=loop.person("dispatcher"), case=make_case(loop, **kw), reason="误报"
    )


IN_STATE: dict[CaseState, Callable[..., Case]] = {
    CaseState.RECEIVED: received,
    CaseState.DISPATCHED: dispatched,
    CaseState.ACCEPTED: accepted,
    CaseState.ON_SCENE: on_scene,
    CaseState.RESOLVED: resolved,
    CaseState.VERIFIED: verified,
    CaseState.CLOSED: closed,
    CaseState.RETURNED: returned,
    CaseState.TRANSFERRED: transferred,
    CaseState.MERGED: merged,
    CaseState.ESCALATED: escalated,
    CaseState.CANCELLED: cancelled,
}


def case_in_state(loop: Loop, state: CaseState, **kw: Any) -> Case:
    case = IN_STATE[state](loop, **kw)
    assert fresh(case).state == state
    return fresh(case)
