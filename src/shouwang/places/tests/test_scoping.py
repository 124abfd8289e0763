"""Town A cannot list or open town B's premises."""

import pytest

from shouwang.devices.tests.factories import building
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db


def test_town_a_leader_cannot_open_or_list_town_b_premises(city: City) -> None:
    own, other = (
        building(city.a, code="PA-1", detectors=0),
        building(city.b, code="PB-1", detectors=0),
    )
    client = ApiClient(city.a.people["leader"].username)
    assert client.get(f"/api/v1/premises/{other.premises.code}").status_code == 404
    codes = [p["code"] for p in client.get("/api/v1/premises").json()["items"]]
    assert codes == [own.premises.code]


def test_premises_detail_shows_rooms_and_resolved_contacts(city: City) -> None:
    house = building(city.a, detectors=2)
    body = (
        ApiClient(city.a.people["leader"].username)
        .get(f"/api/v1/premises/{house.premises.code}")
        .json()
    )
    assert [r["number"] for r in body["rooms"]] == ["101", "102"]
    assert {c["role"] for c in body["contacts"]} == {
        "fire_officer",
        "grid_leader",
        "landlord",
        "micro_fire_station",
        "fire_command",
    }
    assert body["missing_contacts"] == []
