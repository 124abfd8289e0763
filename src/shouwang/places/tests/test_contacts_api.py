"""The five alarm contacts edited through the API by the grid worker and the landlord, and the
list of premises without a complete set."""

import json

import pytest

from shouwang.devices.tests.factories import building
from shouwang.places.models import AlarmContact
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db


def put(client: ApiClient, path: str, body: object) -> object:
    return client.client.put(
        path, json.dumps(body), content_type="application/json", headers=client.headers
    )


def test_a_grid_worker_replaces_the_contacts_and_the_list_flags_incomplete_sets(
    city: City,
) -> None:
    house = building(city.a, code="PA-1", detectors=0)
    worker = ApiClient("responder_1")
    flagged = worker.get("/api/v1/premises", incomplete_contacts=True).json()["items"]
    assert [p["code"] for p in flagged] == ["PA-1"]  # three of five entered
    body = [
        {"role": "landlord", "person": "landlord_1"},
        {"role": "grid_leader", "person": "responder_1"},
        {"role": "fire_officer", "person": "responder_1", "order": 1},
        {"role": "micro_fire_station", "unit": house.station.code},
        {"role": "fire_command", "unit": house.command.code},
    ]
    response = put(worker, "/api/v1/premises/PA-1/contacts", body)
    assert response.status_code == 200, response.content
    entered = {c["role"]: c["person"] or c["unit"] for c in response.json()["contacts"]}
    assert entered["landlord"] == "landlord_1" and entered["grid_leader"] == "responder_1"
    assert response.json()["missing_contacts"] == []
    assert AlarmContact.objects.filter(premises=house.premises).count() == 5
    assert worker.get("/api/v1/premises", incomplete_contacts=True).json()["items"] == []


def test_unknown_or_foreign_contacts_change_nothing(city: City) -> None:
    building(city.a, code="PA-1", detectors=0)
    worker = ApiClient("responder_1")
    before = AlarmContact.objects.count()
    for body in (
        [{"role": "landlord", "person": "landlord_2"}],  # town B's landlord
        [{"role": "boss", "person": "landlord_1"}],
        [{"role": "landlord", "unit": "NO-SUCH-UNIT"}],
    ):
        assert put(worker, "/api/v1/premises/PA-1/contacts", body).status_code == 422
    assert AlarmContact.objects.count() == before
    assert put(ApiClient("volunteer_1"), "/api/v1/premises/PA-1/contacts", []).status_code == 403
    assert put(ApiClient("responder_2"), "/api/v1/premises/PA-1/contacts", []).status_code == 404
