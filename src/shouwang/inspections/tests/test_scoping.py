"""Town B's people cannot list or open town A's inspections, hazards, decisions, KPI or plans.
Checklists and provisions are reference data, the same for everyone signed in."""

import pytest

from shouwang.inspections.tests.conftest import Site
from shouwang.inspections.tests.test_api_contract import inspect
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db

COVERED_GET_ROUTES = {
    "/api/v1/inspections/templates",
    "/api/v1/inspections/provisions",
    "/api/v1/inspections",
    "/api/v1/inspections/{inspection_id}",
    "/api/v1/hazards",
    "/api/v1/hazards/{case_id}",
    "/api/v1/hazards/{case_id}/enforcements/{enforcement_id}/document",
    "/api/v1/kpi/hazards",
    "/api/v1/inspections/plans/{plan_id}",
    # test_outreach.py: town B's leader and landlord see neither list's town A rows.
    "/api/v1/trainings",
    "/api/v1/notices",
}


def test_town_b_sees_nothing_of_town_a_inspections_and_hazards(site: Site) -> None:
    own = ApiClient("inspector_1")
    case_id = inspect(own, "gas_kitchen_only").json()["hazards"][0]
    decision = own.post(
        f"/api/v1/hazards/{case_id}/enforce", {"kind": "warning", "provision": "FIRE-LAW-28"}
    ).json()
    plan = own.post("/api/v1/inspections/plans", {"node": "330782001000", "year": 2026}).json()
    other = ApiClient("leader_2")
    assert other.get("/api/v1/inspections").json()["items"] == []
    inspection_id = own.get("/api/v1/inspections").json()["items"][0]["id"]
    assert other.get(f"/api/v1/inspections/{inspection_id}").status_code == 404
    assert other.get("/api/v1/hazards").json()["items"] == []
    assert other.get(f"/api/v1/hazards/{case_id}").status_code == 404
    assert other.get(decision["document"]).status_code == 404
    assert other.get("/api/v1/kpi/hazards", node="330782001000").status_code == 404
    assert other.get(f"/api/v1/inspections/plans/{plan['id']}").status_code == 404
    assert len(own.get("/api/v1/inspections").json()["items"]) == 1
    assert own.get(decision["document"]).status_code == 200


def test_reference_lists_are_the_same_in_every_town(site: Site) -> None:
    for username in ("inspector_1", "leader_2"):
        client = ApiClient(username)
        assert client.get("/api/v1/inspections/provisions").status_code == 200
        assert client.get("/api/v1/inspections/templates").status_code == 200
