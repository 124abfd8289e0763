"""Another town's people, and a landlord of other premises, reach none of a town's rooms,
tenancies or figures: 404 for one object, nothing of it in a list or a count. The public
vacancy list is public by design and carries no landlord or phone."""

import pytest

from shouwang.housing.tests.conftest import Rental
from shouwang.housing.tests.test_queries import live
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db

COVERED_GET_ROUTES = {
    "/api/v1/housing/rooms/{room_id}",
    "/api/v1/housing/rooms/{room_id}/residents",
    "/api/v1/housing/tenancies/{tenancy_id}/door-events",
    "/api/v1/housing/registration-rate",
    "/api/v1/housing/population",
    "/api/v1/housing/vacancies",
}


def test_another_towns_grid_worker_reaches_no_room_or_tenancy(city: City, rental: Rental) -> None:
    tenancy = live(rental, 0, 401)
    room = rental.rooms[0].pk
    other = ApiClient(city.b.people["responder"].username)
    assert other.get(f"/api/v1/housing/rooms/{room}").status_code == 404
    assert other.get(f"/api/v1/housing/rooms/{room}/residents").status_code == 404
    assert other.get(f"/api/v1/housing/tenancies/{tenancy}/door-events").status_code == 404
    own = ApiClient(city.a.people["responder"].username)
    assert own.get(f"/api/v1/housing/tenancies/{tenancy}/door-events").status_code == 200


def test_a_landlord_of_other_premises_reaches_none_of_these(
    city: City, rental: Rental, other_rental: Rental
) -> None:
    tenancy = live(rental, 0, 402)
    stranger = ApiClient(other_rental.landlord.username)
    assert stranger.get(f"/api/v1/housing/rooms/{rental.rooms[0].pk}").status_code == 404
    assert stranger.get(f"/api/v1/housing/tenancies/{tenancy}/door-events").status_code == 404


def test_another_towns_figures_count_none_of_this_towns_tenants(city: City, rental: Rental) -> None:
    live(rental, 0, 403)
    other = ApiClient(city.b.people["leader"].username)
    rate = other.get("/api/v1/housing/registration-rate").json()
    assert rate["registered"] == 0
    counts = other.get("/api/v1/housing/population").json()
    assert all(c["key"] != city.a.node.code for c in counts)
    own = ApiClient(city.a.people["leader"].username).get("/api/v1/housing/registration-rate")
    assert own.json()["registered"] == 1


def test_the_public_vacancy_list_shows_no_landlord_or_phone(city: City, rental: Rental) -> None:
    body = ApiClient().get("/api/v1/housing/vacancies").content.decode()
    assert rental.landlord.username not in body
    assert "139" not in body
