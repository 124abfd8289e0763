"""A town-A leader tries every mediation GET route for town-B objects and gets nothing.
core/tests/test_scoping.py counts COVERED_GET_ROUTES as covered."""

import pytest
from django.utils import timezone

from shouwang.mediation import workers
from shouwang.mediation.models import RiskAlert
from shouwang.mediation.tests.conftest import POINT_B, Mediation, call, open_file

pytestmark = pytest.mark.django_db

DETAIL_ROUTES = {"/api/v1/mediations/{file_id}", "/api/v1/mediations/{file_id}/agreement.pdf"}
LIST_ROUTES = {"/api/v1/mediations", "/api/v1/risk/alerts", "/api/v1/mediations/figures"}
COVERED_GET_ROUTES = DETAIL_ROUTES | LIST_ROUTES


@pytest.fixture
def town_b_file_and_alert(mediation: Mediation) -> int:
    dispatcher = mediation.api("dispatcher", "b")
    file_id = open_file(dispatcher, call(dispatcher, point=POINT_B), studio="MS-002")
    mediation.api("mediator", "b").post(
        f"/api/v1/mediations/{file_id}/agreement",
        {"obligations": [{"debtor": "respondent", "amount": "10", "due": "2030-01-01"}]},
    )
    for _ in range(3):
        call(dispatcher, category="noise", description="噪音", point=POINT_B, address="北苑1号")
        workers.risk_sweep(now=timezone.now())
    assert RiskAlert.objects.count() == 1
    return file_id


@pytest.mark.parametrize("route", sorted(DETAIL_ROUTES))
def test_town_a_leader_cannot_open_town_b_files(
    mediation: Mediation, town_b_file_and_alert: int, route: str
) -> None:
    path = route.format(file_id=town_b_file_and_alert)
    assert mediation.api("leader").get(path).status_code == 404
    assert mediation.api("leader", "b").get(path).status_code == 200


def test_town_a_leader_lists_nothing_of_town_b(
    mediation: Mediation, town_b_file_and_alert: int
) -> None:
    leader = mediation.api("leader")
    assert leader.get("/api/v1/mediations").json()["count"] == 0
    assert leader.get("/api/v1/risk/alerts").json()["count"] == 0
    figures = leader.get("/api/v1/mediations/figures").json()
    assert figures["totals"]["accepted"] == 0 and figures["risk"]["alerts"] == 0
    other = mediation.api("leader", "b")
    assert other.get("/api/v1/mediations").json()["count"] == 1
    assert other.get("/api/v1/risk/alerts").json()["count"] == 1
    assert (
        mediation.api("leader", "b").get("/api/v1/mediations/figures").json()["totals"]["accepted"]
        == 1
    )
