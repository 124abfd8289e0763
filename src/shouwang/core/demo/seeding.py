"""Builds the demo city in the database: the geography from `geography.py`, units, and people
for every role with realistic Chinese names, deterministically from a seed. Running it on a
database that already has the city changes nothing but making sure the demo logins exist."""

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from random import Random
from typing import Any

from django.db import transaction
from faker import Faker
from shapely.geometry import mapping
from tqdm import tqdm

from shouwang.core.demo.geography import Area, CityGeography, build_city_geography
from shouwang.core.demo.steps import DEMO_STEPS
from shouwang.core.models import (
    AuditAction,
    JurisdictionNode,
    NodeKind,
    NodeLevel,
    Role,
    Unit,
    UnitKind,
    User,
)
from shouwang.core.pii.idnumber import make_id_number
from shouwang.core.refcache import reference_changed
from shouwang.core.roles import STATION_ROLES
from shouwang.core.services.audit import audit_record
from shouwang.core.services.jurisdiction import boundaries_changed, node_path_for
from shouwang.core.services.people import person_create
from shouwang.core.services.pii import pii_assign

BATCH = 1000
CITY_DEPARTMENTS = [
    ("DEPT-CG", "市综合行政执法局（城管）"),
    ("DEPT-SCJG", "市市场监督管理局"),
    ("DEPT-ZJ", "市住房和城乡建设局"),
    ("DEPT-XF", "市消防救援大队"),
    ("DEPT-12345", "12345政务服务热线"),
]
# People per place at each level: (role, how many, username stem)
PER_TOWN = [
    (Role.DISPATCHER, 4),
    (Role.RESPONDER, 20),
    (Role.INSPECTOR, 5),
    (Role.MEDIATOR, 3),
    (Role.LEADER, 2),
]
# Dispatchers of each town's command room (镇街综合指挥室): a diverted matter reaches someone.
PER_TOWN_COMMAND = 2
PER_VILLAGE = [(Role.FIRST_RESPONDER, 3), (Role.MEDIATOR, 1)]
PER_GRID = [(Role.RESPONDER, 1), (Role.VOLUNTEER, 2), (Role.LANDLORD, 1)]


@dataclass
class DemoSummary:
    created: bool
    nodes: int = 0
    units: int = 0
    people: int = 0
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # username, role, node
    steps: dict[str, int] = field(default_factory=dict)  # other apps' demo rows by step name


def _geometry(area: Area) -> dict[str, Any]:
    return dict(mapping(area.polygon))


def _node(area: Area, level: NodeLevel, parent: JurisdictionNode) -> JurisdictionNode:
    node = JurisdictionNode(
        code=area.code,
        name=area.name,
        level=level,
        kind=NodeKind(area.kind),
        parent=parent,
        path=node_path_for(code=area.code, parent=parent),
        boundary=_geometry(area),
        centre_lng=area.centre[0],
        centre_lat=area.centre[1],
    )
    node.clean()  # code form and parent level, without a query per row
    return node


def _create_nodes(geo: CityGeography, bar: "tqdm[Any]") -> dict[str, JurisdictionNode]:
    city = JurisdictionNode(
        code=geo.city_code,
        name=geo.city_name,
        level=NodeLevel.CITY,
        kind=NodeKind.CITY,
        path=node_path_for(code=geo.city_code, parent=None),
        boundary=dict(mapping(geo.outline)),
        centre_lng=120.0751,
        centre_lat=29.3068,
    )
    city.save()
    nodes = {city.code: city}
    for areas, level in (
        (geo.towns, NodeLevel.TOWN),
        (geo.villages, NodeLevel.VILLAGE),
        (geo.grids, NodeLevel.GRID),
    ):
        batch = [_node(a, level, nodes[a.parent_code]) for a in areas]
        for chunk in _chunks(batch):
            JurisdictionNode.objects.bulk_create(chunk)
            bar.update(len(chunk))
        nodes.update({n.code: n for n in batch})
    return nodes


def _chunks(items: list[Any], size: int = BATCH) -> Iterator[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _create_units(geo: CityGeography, nodes: dict[str, JurisdictionNode]) -> dict[str, Unit]:
    city = nodes[geo.city_code]
    centre = Unit.objects.create(
        code="CMD-330782",
        name="义乌市公安局110指挥中心",
        kind=UnitKind.COMMAND_CENTRE,
        node=city,
        lng=120.0751,
        lat=29.3068,
    )
    units = [
        Unit(code=code, name=name, kind=UnitKind.DEPARTMENT, node=city)
        for code, name in CITY_DEPARTMENTS
    ]
    for station in geo.stations:
        town = nodes[station.town_code]
        stem = town.name.removesuffix("街道").removesuffix("镇")
        units += [
            Unit(
                code=station.code,
                name=station.name,
                kind=UnitKind.POLICE_STATION,
                node=town,
                parent=centre,
                lng=station.lng,
                lat=station.lat,
            ),
            Unit(
                code=f"{town.code[:9]}-TC",
                name=f"{town.name}综合指挥室",
                kind=UnitKind.TOWN_COMMAND,
                node=town,
                lng=station.lng,
                lat=station.lat,
            ),
            Unit(
                code=f"{town.code[:9]}-FC",
                name=f"{stem}消防指挥中心",
                kind=UnitKind.FIRE_COMMAND,
                node=town,
            ),
        ]
    for village in geo.villages:
        node = nodes[village.code]
        lng, lat = village.centre
        units += [
            Unit(
                code=f"{village.code}-MFS",
                name=f"{village.name}微型消防站",
                kind=UnitKind.MICRO_FIRE_STATION,
                node=node,
                lng=lng,
                lat=lat,
            ),
            Unit(
                code=f"{village.code}-PT",
                name=f"{village.name}护村队",
                kind=UnitKind.PATROL_TEAM,
                node=node,
                lng=lng,
                lat=lat,
            ),
        ]
    Unit.objects.bulk_create(units, batch_size=BATCH)
    return {u.code: u for u in Unit.objects.all()}


@dataclass
class PeopleFactory:
    seed: int
    fake: Faker = field(init=False)
    rng: Random = field(init=False)
    serial: int = 0

    def __post_init__(self) -> None:
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(self.seed)
        self.rng = Random(self.seed)

    def person(self, role: Role, node: JurisdictionNode, unit: Unit | None) -> User:
        self.serial += 1
        person = User(
            username=f"{role.value}{self.serial:05d}",
            full_name=self.fake.name(),
            role=role,
            node=node,
            unit=unit,
        )
        person.set_unusable_password()  # bulk demo people do not sign in; the demo logins do
        pii_assign(person, field="phone", value=self._phone())
        birth = date(1965, 1, 1) + timedelta(days=self.rng.randrange(0, 365 * 40))
        pii_assign(
            person,
            field="id_number",
            value=make_id_number("330782", birth, self.rng.randrange(1, 999)),
        )
        return person

    def _phone(self) -> str:
        prefix = self.rng.choice(
            ["135", "136", "137", "138", "139", "150", "158", "159", "187", "188", "189", "177"]
        )
        return f"{prefix}{self.rng.randrange(0, 10**8):08d}"


def _placements(
    geo: CityGeography, nodes: dict[str, JurisdictionNode], units: dict[str, Unit]
) -> Iterator[tuple[Role, JurisdictionNode, Unit | None]]:
    stations = {s.town_code: units[s.code] for s in geo.stations}
    for town in geo.towns:
        for role, count in PER_TOWN:
            unit = stations[town.code] if role in STATION_ROLES else None
            yield from ((role, nodes[town.code], unit) for _ in range(count))
        command_room = units[f"{town.code[:9]}-TC"]
        yield from (
            (Role.DISPATCHER, nodes[town.code], command_room) for _ in range(PER_TOWN_COMMAND)
        )
    for village in geo.villages:
        patrol = units[f"{village.code}-PT"]
        for role, count in PER_VILLAGE:
            unit = patrol if role == Role.FIRST_RESPONDER else None
            yield from ((role, nodes[village.code], unit) for _ in range(count))
    for grid in geo.grids:
        for role, count in PER_GRID:
            yield from ((role, nodes[grid.code], None) for _ in range(count))


def _create_people(
    geo: CityGeography,
    nodes: dict[str, JurisdictionNode],
    units: dict[str, Unit],
    seed: int,
    bar: "tqdm[Any]",
) -> int:
    factory, created = PeopleFactory(seed), 0
    placements = list(_placements(geo, nodes, units))
    for chunk in _chunks(placements):
        User.objects.bulk_create([factory.person(role, node, unit) for role, node, unit in chunk])
        created += len(chunk)
        bar.update(len(chunk))
    return created


def demo_login_plan() -> list[tuple[str, Role, str, str]]:
    """(username, role, node code, unit code) of the one-per-role demo logins."""
    return [
        ("admin", Role.ADMIN, "330782", ""),
        ("leader", Role.LEADER, "330782", ""),
        ("dispatcher", Role.DISPATCHER, "330782", "CMD-330782"),
        ("dispatcher_beiyuan", Role.DISPATCHER, "330782002000", "330782002-PS"),
        # The town governance centre (镇街综合指挥室) of 稠城, where diverted matters go.
        ("town_centre", Role.DISPATCHER, "330782001000", "330782001-TC"),
        ("responder", Role.RESPONDER, "330782001000", "330782001-PS"),
        # A grid worker (网格员): a responder attached to the first grid of 稠城.
        ("grid_worker", Role.RESPONDER, GRID_OF + "330782001000", ""),
        ("first_responder", Role.FIRST_RESPONDER, "330782001000", ""),
        ("volunteer", Role.VOLUNTEER, "330782001000", ""),
        ("inspector", Role.INSPECTOR, "330782001000", ""),
        ("mediator", Role.MEDIATOR, "330782001000", ""),
        ("landlord", Role.LANDLORD, "330782001000", ""),
    ]


GRID_OF = "grid-of:"  # a node code meaning "the first grid under this node"


def _login_node(code: str) -> JurisdictionNode:
    if not code.startswith(GRID_OF):
        return JurisdictionNode.objects.get(code=code)
    parent = JurisdictionNode.objects.get(code=code.removeprefix(GRID_OF))
    grids = JurisdictionNode.objects.filter(level=NodeLevel.GRID, path__startswith=parent.path)
    return grids.order_by("code").first() or parent


def ensure_demo_logins(password: str) -> list[tuple[str, str, str]]:
    logins, fake = [], Faker("zh_CN")
    fake.seed_instance(7)
    for username, role, node_code, unit_code in demo_login_plan():
        node = _login_node(node_code)
        existing = User.objects.filter(username=username).first()
        if existing is None:
            person_create(
                username=username,
                role=role,
                node=node,
                password=password,
                full_name=fake.name(),
                unit=Unit.objects.filter(code=unit_code).first(),
                check_password=False,
            )
        elif not existing.check_password(password):
            existing.set_password(password)
            existing.save(update_fields=["password"])
        logins.append((username, str(role.label), node.name))
    return logins


def seed_demo(
    *, scale: str = "small", seed: int = 2026, password: str, progress: bool = True
) -> DemoSummary:
    if JurisdictionNode.objects.filter(code="330782").exists():
        return DemoSummary(created=False, logins=ensure_demo_logins(password))
    geo = build_city_geography(seed=seed, scale=scale)
    people_total = (
        (sum(n for _, n in PER_TOWN) + PER_TOWN_COMMAND) * len(geo.towns)
        + sum(n for _, n in PER_VILLAGE) * len(geo.villages)
        + sum(n for _, n in PER_GRID) * len(geo.grids)
    )
    total = len(geo.towns) + len(geo.villages) + len(geo.grids) + people_total
    with (
        tqdm(
            total=total, desc="demo city", unit="row", file=sys.stderr, disable=not progress
        ) as bar,
        transaction.atomic(),
    ):
        nodes = _create_nodes(geo, bar)
        units = _create_units(geo, nodes)
        people = _create_people(geo, nodes, units, seed, bar)
        audit_record(
            action=AuditAction.DATA_IMPORTED,
            actor_username="system",
            detail={
                "what": "demo city",
                "scale": scale,
                "seed": seed,
                "nodes": len(nodes),
                "people": people,
            },
        )
    boundaries_changed()
    reference_changed()  # the nodes and units went in with bulk_create, which sends no signals
    logins = ensure_demo_logins(password)
    steps = {step.name: step.run(seed, scale) for step in DEMO_STEPS}
    return DemoSummary(
        created=True, nodes=len(nodes), units=len(units), people=people, logins=logins, steps=steps
    )
