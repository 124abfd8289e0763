"""The helper the project's scoping tests use: one of everything in each town, built once."""

import pytest

from shouwang.devices.tests.factories import scoping_objects
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db


def test_scoping_objects_are_built_once_and_town_b_ones_are_hidden_from_town_a(
    city: City,
) -> None:
    objects = scoping_objects(city)
    assert scoping_objects(city) is objects
    client = ApiClient(city.a.people["leader"].username)
    assert client.get(f"/api/v1/premises/{objects.premises['b']}").status_code == 404
    assert client.get(f"/api/v1/devices/{objects.device['b']}").status_code == 404
    assert client.get(f"/api/v1/devices/alarms/{objects.alarm['b']}").status_code == 404
    assert client.get(f"/api/v1/cap/alerts/{objects.cap['b']}.xml").status_code == 404
    assert client.get(f"/api/v1/cap/alerts/{objects.cap['a']}.xml").status_code == 200
