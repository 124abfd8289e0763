"""A person sees only their jurisdiction's subtree: a town-A user tries every list and detail
endpoint for town-B objects and gets nothing. The last test fails when an API GET route is added
without a case here, so new endpoints cannot skip this check."""

import importlib

import pytest
from django.apps import apps

from shouwang.api import api
from shouwang.devices.tests.factories import scoping_objects
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def devices_in_both_towns(city: City) -> None:
    """A premises, device, alarm and restricted CAP alert in each town."""
    scoping_objects(city)


# path template -> how to fill it with a town-B object
DETAIL_ROUTES = {
    "/api/v1/geo/nodes/{code}": lambda c: {"code": c.b.node.code},
    "/api/v1/geo/nodes/{code}/children.geojson": lambda c: {"code": c.b.node.code},
    "/api/v1/units/{code}": lambda c: {"code": c.b.station.code},
    "/api/v1/people/{username}": lambda c: {"username": c.b.people["dispatcher"].username},
    "/api/v1/premises/{code}": lambda c: {"code": scoping_objects(c).premises["b"]},
    "/api/v1/devices/{serial}": lambda c: {"serial": scoping_objects(c).device["b"]},
    "/api/v1/devices/alarms/{alarm_id}": lambda c: {"alarm_id": scoping_objects(c).alarm["b"]},
    "/api/v1/cap/alerts/{identifier}.xml": lambda c: {"identifier": scoping_objects(c).cap["b"]},
}
# list route -> (query that would find town-B objects, what identifies a B object in an item)
LIST_ROUTES = {
    "/api/v1/geo/nodes": ({"parent": "330782"}, lambda c, i: i["code"].startswith("330782002")),
    "/api/v1/units": ({}, lambda c, i: i["code"] == c.b.station.code),
    "/api/v1/people": ({}, lambda c, i: i["node_code"] == c.b.node.code),
    "/api/v1/audit": ({}, lambda c, i: i["actor_username"].endswith("_2")),
    "/api/v1/premises": ({}, lambda c, i: i["node_code"].startswith("330782002")),
    "/api/v1/devices": ({}, lambda c, i: i["node_code"].startswith("330782002")),
    "/api/v1/devices/alarms": ({}, lambda c, i: i["premises_code"] == "SCOPE-B"),
}
# Not jurisdiction lists or details: a point lookup (tested below), the API's own documents, a
# signature-checked platform handshake, a public feed whose restricted entries are scoped
# (devices/tests, CAP), and this process's ingest counters.
OTHER_GET_ROUTES = {
    "/api/v1/geo/locate",
    "/api/openapi.json",
    "/api/docs",
    "/api/v1/devices/push/onenet/{code}",
    "/api/v1/cap/alerts.xml",
    "/api/v1/devices/ingest/stats",
}


@pytest.mark.parametrize("route", sorted(DETAIL_ROUTES))
def test_town_a_leader_cannot_open_town_b_objects(city: City, route: str) -> None:
    client = ApiClient(city.a.people["leader"].username)
    response = client.get(route.format(**DETAIL_ROUTES[route](city)))
    assert response.status_code == 404
    if response["Content-Type"].startswith("application/json"):
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("route", sorted(DETAIL_ROUTES))
def test_town_b_leader_can_open_the_same_objects(city: City, route: str) -> None:
    client = ApiClient(city.b.people["leader"].username)
    assert client.get(route.format(**DETAIL_ROUTES[route](city))).status_code == 200


@pytest.mark.parametrize("route", sorted(LIST_ROUTES))
def test_town_a_leader_lists_nothing_of_town_b(city: City, route: str) -> None:
    ApiClient(city.b.people["leader"].username)  # leaves a town-B audit entry behind
    params, is_town_b = LIST_ROUTES[route]
    response = ApiClient(city.a.people["leader"].username).get(route, **params)
    assert response.status_code == 200
    items = response.json()["items"]
    assert items, "the list should show town A's own objects"
    assert not [item for item in items if is_town_b(city, item)]


@pytest.mark.parametrize("route", sorted(LIST_ROUTES))
def test_city_admin_lists_both_towns(city: City, route: str) -> None:
    ApiClient(city.b.people["leader"].username)
    params, is_town_b = LIST_ROUTES[route]
    items = ApiClient(city.admin.username).get(route, **params).json()["items"]
    assert [item for item in items if is_town_b(city, item)]


def test_point_in_town_b_is_not_located_for_a_town_a_user(city: City) -> None:
    response = ApiClient(city.a.people["dispatcher"].username).get(
        "/api/v1/geo/locate", lat=29.1, lng=120.25
    )
    assert response.status_code == 404


def test_town_a_user_cannot_search_town_b_person_by_phone(city: City) -> None:
    client = ApiClient(city.a.people["leader"].username)
    response = client.post("/api/v1/people/search", {"phone": "13800000200"})
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_town_a_pages_refuse_town_b_node(city: City, client) -> None:
    client.force_login(city.a.people["leader"])
    assert client.get(f"/jurisdiction/{city.b.node.code}/").status_code == 404
    assert client.get(f"/jurisdiction/{city.a.node.code}/").status_code == 200


def covered_by_other_apps() -> set[str]:
    """Each app's tests/test_scoping.py names the GET routes its scoping tests cover."""
    covered: set[str] = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("shouwang.") or config.label == "core":
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.test_scoping")
        except ModuleNotFoundError:
            continue
        covered |= set(getattr(module, "COVERED_GET_ROUTES", set()))
    return covered


def test_every_api_get_route_is_covered_by_the_scoping_tests() -> None:
    schema = api.get_openapi_schema()
    get_routes = {path for path, ops in schema["paths"].items() if "get" in ops}
    covered = set(DETAIL_ROUTES) | set(LIST_ROUTES) | OTHER_GET_ROUTES | covered_by_other_apps()
    assert get_routes - covered == set(), "add the new GET route to a scoping test"
