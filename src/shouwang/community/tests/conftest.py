"""Fixtures of community forces: the test city equipped for the loop, a funded points pool and
catalogue in town A, a patrol team with a post, and a ten-household group."""

from dataclasses import dataclass

import pytest

from shouwang.cases.tests.conftest import taxonomy_ensure
from shouwang.cases.tests.factories import POINT, Loop, equip
from shouwang.community.models import CatalogueItem, GroupMember, PatrolPost, PostKind, TeamMember
from shouwang.community.services.ledger import budget_fund
from shouwang.core.models import Role, Unit, UnitKind, User
from shouwang.core.services.jurisdiction import unit_create
from shouwang.core.services.people import person_create
from shouwang.testing.city import PASSWORD


@dataclass
class Forces:
    loop: Loop
    volunteer: User
    post: PatrolPost
    item: CatalogueItem
    group: Unit
    neighbours: list[User]

    def person(self, role: str, town: str = "a") -> User:
        return self.loop.person(role, town)


def neighbour(loop: Loop, n: int) -> User:
    return person_create(
        username=f"neighbour_{n}",
        role=Role.VOLUNTEER,
        node=loop.city.a.village,
        password=PASSWORD,
        full_name=f"邻居{n}",
        phone=f"1390000{n:04d}",
    )


def build_forces(loop: Loop) -> Forces:
    town = loop.city.a.node
    volunteer = loop.person("volunteer")
    budget_fund(town=town, amount=1000, actor=None)
    item = CatalogueItem.objects.create(code="RICE-A", town=town, name="大米", points=5)
    TeamMember.objects.create(team=loop.patrol, person=volunteer, is_leader=True)
    lat, lng = POINT["a"]
    post = PatrolPost.objects.create(
        code="POST-A1",
        name="一社区瞭望哨",
        kind=PostKind.LOOKOUT,
        node=loop.city.a.village,
        team=loop.patrol,
        lat=lat,
        lng=lng,
    )
    group = unit_create(
        code="SH-A1",
        name="一社区十户联防一组",
        kind=UnitKind.TEN_HOUSEHOLD_GROUP,
        node=loop.city.a.grids[0],
        location=(lng, lat),
    )
    neighbours = [neighbour(loop, n) for n in range(3)]
    for n, person in enumerate([volunteer, *neighbours]):
        GroupMember.objects.create(group=group, person=person, is_head=n == 0)
    return Forces(loop, volunteer, post, item, group, neighbours)


@pytest.fixture
def forces(city) -> Forces:  # type: ignore[no-untyped-def]
    taxonomy_ensure()
    return build_forces(equip(city))


@pytest.fixture
def media_root(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
