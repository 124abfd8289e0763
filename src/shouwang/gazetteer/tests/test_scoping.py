"""The gazetteer holds addresses, not personal data: any signed-in person may geocode; an
anonymous caller may not (the API's whole surface is behind sign-in but the public pages)."""

import pytest

from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db

COVERED_GET_ROUTES = {"/api/v1/geo/geocode"}


def test_geocoding_needs_a_signed_in_person_of_any_town(city: City) -> None:
    assert ApiClient().get("/api/v1/geo/geocode", q="宾王路5号").status_code == 401
    for town in (city.a, city.b):
        response = ApiClient(town.people["volunteer"].username).get(
            "/api/v1/geo/geocode", q="宾王路5号"
        )
        assert response.status_code == 200
        assert set(response.json()) == {"results"}
