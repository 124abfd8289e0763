"""Community GET routes answer within the asker's jurisdiction only: another town's node is
not found (404), lists hold only the asker's area, and a wallet is one's own.
core/tests/test_scoping.py counts COVERED_GET_ROUTES as covered."""

import pytest

from shouwang.community.tests.conftest import Forces
from shouwang.community.tests.test_groups import raise_alert
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db

NODE_ROUTES = {
    "/api/v1/patrols/hours",
    "/api/v1/points/summary",
    "/api/v1/points/leaderboard",
    "/api/v1/community/figures",
    "/api/v1/community/unit-ratings",
}
# on-patrol: another town's dispatcher sees an empty list (test_patrols.py).
OWN_ROUTES = {"/api/v1/points/me", "/api/v1/points/catalogue", "/api/v1/patrols/on-patrol"}
DETAIL_ROUTES = {"/api/v1/groups/alerts/{alert_id}"}
COVERED_GET_ROUTES = NODE_ROUTES | OWN_ROUTES | DETAIL_ROUTES


@pytest.mark.parametrize("path", sorted(NODE_ROUTES))
def test_a_leader_of_another_town_does_not_find_the_towns_figures(
    forces: Forces, path: str
) -> None:
    node = forces.loop.city.a.node.code
    assert ApiClient(forces.person("leader").username).get(path, node=node).status_code == 200
    other = ApiClient(forces.person("leader", "b").username).get(path, node=node)
    assert other.status_code == 404


def test_a_group_alert_is_not_found_from_another_town(forces: Forces) -> None:
    path = f"/api/v1/groups/alerts/{raise_alert(forces)}"
    assert ApiClient(forces.person("dispatcher").username).get(path).status_code == 200
    assert ApiClient(forces.person("leader", "b").username).get(path).status_code == 404


def test_a_volunteer_of_another_town_sees_their_own_wallet_and_catalogue(forces: Forces) -> None:
    own = ApiClient(forces.volunteer.username)
    assert [i["code"] for i in own.get("/api/v1/points/catalogue").json()] == ["RICE-A"]
    other = ApiClient(forces.person("volunteer", "b").username)
    assert other.get("/api/v1/points/catalogue").json() == []
    assert other.get("/api/v1/points/me").json() == {"balance": 0, "entries": []}
