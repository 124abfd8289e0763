"""The demo step: teams on shift with tracks, groups with timed alerts, terminals bound to
people, funded pools, catalogues and wallets."""

import pytest

from shouwang.cases.tests.conftest import taxonomy_ensure
from shouwang.cases.tests.factories import equip
from shouwang.community.demo.seed import seed_demo_community
from shouwang.community.models import (
    AlertResponse,
    BodyTerminal,
    CatalogueItem,
    Redemption,
    Shift,
    TrackPoint,
)
from shouwang.community.selectors import community_figures, statement_of
from shouwang.core.models import Role, User
from shouwang.core.services.people import person_create
from shouwang.testing.city import PASSWORD, City

pytestmark = pytest.mark.django_db


def test_the_demo_step_fills_every_community_screen(city: City) -> None:
    taxonomy_ensure()
    equip(city)
    village = city.a.village
    volunteer = person_create(
        username="volunteer", role=Role.VOLUNTEER, node=city.a.node, password=PASSWORD
    )
    for n in range(2):
        person_create(username=f"fr{n}", role=Role.FIRST_RESPONDER, node=village, password=PASSWORD)
        person_create(username=f"v{n}", role=Role.VOLUNTEER, node=village, password=PASSWORD)
    assert seed_demo_community(seed=3, scale="small") > 0
    assert Shift.objects.filter(ended_at__isnull=True).exists()
    assert Shift.objects.filter(ended_at__isnull=False, patrol_seconds__gt=0).exists()
    assert TrackPoint.objects.exists()
    assert AlertResponse.objects.filter(arrived_at__isnull=False).exists()
    assert BodyTerminal.objects.filter(person__isnull=False).exists()
    assert CatalogueItem.objects.filter(town=city.a.node).count() == 3
    assert statement_of(user=volunteer).balance > 0
    assert Redemption.objects.filter(person=volunteer).exists()
    leader = User.objects.get(username="leader_1")
    figures = community_figures(user=leader, node_code=city.a.node.code, month=None)
    assert figures.issued - figures.redeemed == figures.outstanding > 0
    # Hours and alerts are per calendar month: the demo's past week may straddle two.
    assert figures.patrol_hours >= 0 and figures.alerts >= 0
