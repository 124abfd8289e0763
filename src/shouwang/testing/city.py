"""A small, fully-formed city for tests: city 330782 with towns A (稠城, 001) and B (北苑, 002),
each with one village and two grids, square boundaries side by side, a police station each, and
one person per role in each town."""

from dataclasses import dataclass, field

from shouwang.core.models import JurisdictionNode, NodeKind, NodeLevel, Role, Unit, UnitKind, User
from shouwang.core.services.jurisdiction import node_create, unit_create
from shouwang.core.services.people import person_create

PASSWORD = "Test-Passw0rd!"


def square(lng: float, lat: float, size: float) -> dict[str, object]:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@dataclass
class Town:
    node: JurisdictionNode
    village: JurisdictionNode
    grids: list[JurisdictionNode]
    station: Unit
    people: dict[str, User] = field(default_factory=dict)


@dataclass
class City:
    node: JurisdictionNode
    a: Town
    b: Town
    admin: User


def build_town(city: JurisdictionNode, number: int, name: str, lng: float) -> Town:
    town_code = f"330782{number:03d}000"
    town = node_create(
        code=town_code,
        name=name,
        level=NodeLevel.TOWN,
        kind=NodeKind.STREET,
        parent=city,
        boundary=square(lng, 29.0, 0.2),
        centre=(lng + 0.1, 29.1),
    )
    village = node_create(
        code=f"330782{number:03d}001",
        name=f"{name}一社区",
        level=NodeLevel.VILLAGE,
        kind=NodeKind.COMMUNITY,
        parent=town,
        boundary=square(lng, 29.0, 0.2),
    )
    grids = [
        node_create(
            code=f"{village.code}00{i + 1}",
            name=f"{village.name}第{i + 1}网格",
            level=NodeLevel.GRID,
            kind=NodeKind.GRID,
            parent=village,
            boundary={
                "type": "Polygon",
                "coordinates": [
                    [
                        [lng + 0.1 * i, 29.0],
                        [lng + 0.1 * (i + 1), 29.0],
                        [lng + 0.1 * (i + 1), 29.2],
                        [lng + 0.1 * i, 29.2],
                        [lng + 0.1 * i, 29.0],
                    ]
                ],
            },
        )
        for i in range(2)
    ]
    station = unit_create(
        code=f"PS-{number:03d}",
        name=f"{name}派出所",
        kind=UnitKind.POLICE_STATION,
        node=town,
        location=(lng + 0.1, 29.1),
    )
    built = Town(node=town, village=village, grids=grids, station=station)
    for role in Role:
        if role != Role.ADMIN:
            built.people[role] = person_create(
                username=f"{role}_{number}",
                role=role,
                node=town,
                password=PASSWORD,
                full_name=f"{name}{role}",
                phone=f"1380000{number:02d}{list(Role).index(role):02d}",
                unit=station if role in {Role.DISPATCHER, Role.RESPONDER} else None,
            )
    return built


def build_city() -> City:
    city = node_create(
        code="330782",
        name="义乌市",
        level=NodeLevel.CITY,
        kind=NodeKind.CITY,
        parent=None,
        boundary=square(120.0, 29.0, 0.4),
    )
    a = build_town(city, 1, "稠城街道", 120.0)
    b = build_town(city, 2, "北苑街道", 120.2)
    admin = person_create(
        username="admin_city", role=Role.ADMIN, node=city, password=PASSWORD, full_name="管理员"
    )
    return City(node=city, a=a, b=b, admin=admin)
