"""Town A sees nothing of town B's devices and alarms: 404 on details, absent from lists. An
alarm is also shown to the contacts asked to answer it, wherever they belong."""

import pytest

from shouwang.core.models import Role
from shouwang.devices.models import Alarm
from shouwang.devices.tests.factories import building, person
from shouwang.devices.tests.pushing import generic_post
from shouwang.places.models import ContactRole
from shouwang.places.services import alarm_contact_add
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_towns(city: City) -> City:
    for town, code in ((city.a, "PA"), (city.b, "PB")):
        house = building(town, code=code, detectors=1)
        generic_post(house.devices[0].serial, {"id": "x", "values": {"Alarm_Status": 1}})
    return city


def test_town_a_cannot_open_town_b_device_or_alarm(two_towns: City) -> None:
    client = ApiClient(two_towns.a.people["leader"].username)
    other = Alarm.objects.get(device__serial="PB-SD01")
    assert client.get("/api/v1/devices/PB-SD01").status_code == 404
    assert client.get(f"/api/v1/devices/alarms/{other.pk}").status_code == 404
    assert client.get("/api/v1/devices/PA-SD01").status_code == 200


def test_town_a_lists_only_its_own_devices_and_alarms(two_towns: City) -> None:
    client = ApiClient(two_towns.a.people["leader"].username)
    devices = [d["serial"] for d in client.get("/api/v1/devices").json()["items"]]
    alarms = [a["device_serial"] for a in client.get("/api/v1/devices/alarms").json()["items"]]
    assert devices == ["PA-SD01"]
    assert alarms == ["PA-SD01"]


def test_city_admin_lists_both_towns(two_towns: City) -> None:
    client = ApiClient(two_towns.admin.username)
    devices = {d["serial"] for d in client.get("/api/v1/devices").json()["items"]}
    assert devices == {"PA-SD01", "PB-SD01"}


def test_contact_from_another_town_sees_the_alarm_they_must_answer(city: City) -> None:
    house = building(city.a, code="PA", detectors=1)
    landlord_elsewhere = person("landlord_b", Role.LANDLORD, city.b.grids[0])
    alarm_contact_add(
        premises=house.premises, role=ContactRole.LANDLORD, person=landlord_elsewhere, order=0
    )
    generic_post(house.devices[0].serial, {"id": "x", "values": {"Alarm_Status": 1}})
    client = ApiClient(landlord_elsewhere.username)
    alarm = Alarm.objects.get()
    assert client.get(f"/api/v1/devices/alarms/{alarm.pk}").status_code == 200
    assert [a["id"] for a in client.get("/api/v1/devices/alarms").json()["items"]] == [alarm.pk]
    assert client.get("/api/v1/devices/PA-SD01").status_code == 404


def test_ingest_stats_are_for_the_command_room_only(city: City) -> None:
    assert (
        ApiClient(city.a.people["volunteer"].username)
        .get("/api/v1/devices/ingest/stats")
        .status_code
        == 403
    )
    body = (
        ApiClient(city.a.people["dispatcher"].username).get("/api/v1/devices/ingest/stats").json()
    )
    assert "heartbeat_buffer" in body
