"""Vacancy listings: a landlord lists a vacant room; anyone finds it without login, by town
and price, with no landlord and no phone digits; a tenancy starting closes it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from shouwang.core.models import Role
from shouwang.housing.models import Listing, ListingState
from shouwang.housing.tests.conftest import Rental, id_number
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db
URL = "/api/v1/housing/vacancies"


def publish(rental: Rental, room: int, rent: int) -> int:
    api = ApiClient(rental.landlord.username)
    response = api.post(
        "/api/v1/housing/listings",
        {
            "room": rental.rooms[room].pk,
            "rent": rent,
            "available_from": timezone.localdate().isoformat(),
            "rules": "禁止室内电动车充电",
        },
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def test_anyone_finds_vacancies_by_town_and_price_without_login(
    city: City, rental: Rental, other_rental: Rental
) -> None:
    cheap = publish(rental, 0, 800)
    publish(rental, 2, 1500)
    publish(other_rental, 0, 900)
    public = ApiClient()
    page = public.get(URL, node=city.a.node.code, max_rent=1000).json()
    assert [v["id"] for v in page["items"]] == [cheap] and page["count"] == 1
    assert page["items"][0]["rules"] == "禁止室内电动车充电"
    assert public.get(URL).json()["count"] == 3


def test_vacancies_show_no_landlord_phone(rental: Rental) -> None:
    publish(rental, 0, 800)
    text = ApiClient().get(URL).content.decode()
    assert "13800" not in text  # the landlords' phones in the test city start so
    assert rental.landlord.username not in text


def test_a_tenancy_starting_closes_the_listing(rental: Rental) -> None:
    listing = publish(rental, 0, 800)
    api = ApiClient(rental.landlord.username)
    api.post(
        "/api/v1/housing/tenancies",
        {
            "room": rental.rooms[0].pk,
            "name": "周九",
            "id_number": id_number(81),
            "phone": "13900006666",
            "moved_in": timezone.localdate().isoformat(),
        },
    )
    assert Listing.objects.get(pk=listing).state == ListingState.CLOSED
    assert ApiClient().get(URL).json()["count"] == 0


def test_an_occupied_room_cannot_be_listed(rental: Rental) -> None:
    api = ApiClient(rental.landlord.username)
    api.post(
        "/api/v1/housing/tenancies",
        {
            "room": rental.rooms[0].pk,
            "name": "吴十",
            "id_number": id_number(83),
            "phone": "13900007777",
            "moved_in": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )
    response = api.post(
        "/api/v1/housing/listings",
        {"room": rental.rooms[0].pk, "rent": 700, "available_from": "2026-12-31"},
    )
    assert response.status_code == 409


def test_another_towns_landlord_cannot_list_my_room(city: City, rental: Rental) -> None:
    api = ApiClient(city.b.people[Role.LANDLORD].username)
    response = api.post(
        "/api/v1/housing/listings",
        {"room": rental.rooms[0].pk, "rent": 700, "available_from": "2026-12-31"},
    )
    assert response.status_code == 404


def test_landlord_closes_a_listing(city: City, rental: Rental) -> None:
    listing = publish(rental, 0, 800)
    outsider = ApiClient(city.b.people[Role.LANDLORD].username)
    assert outsider.post(f"/api/v1/housing/listings/{listing}/close").status_code == 404
    api = ApiClient(rental.landlord.username)
    assert api.post(f"/api/v1/housing/listings/{listing}/close").status_code == 200
    assert api.post(f"/api/v1/housing/listings/{listing}/close").status_code == 409
    assert ApiClient().get(URL).json()["count"] == 0
