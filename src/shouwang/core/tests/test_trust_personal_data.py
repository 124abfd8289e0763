"""Personal data leaves no trace in URLs, and media is never public (issue 14, "Personal data
and traces")."""

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from shouwang.testing.api import ApiClient
from shouwang.testing.city import City


def test_a_person_is_found_by_phone_through_a_body_not_a_url(city: City) -> None:
    """The test city gives town A's n-th role the phone 1380000 01 nn."""
    from shouwang.core.models import Role

    leader = ApiClient(city.a.people["leader"].username)
    phone = f"138000001{list(Role).index(Role.VOLUNTEER):02d}"
    found = leader.post("/api/v1/people/search", {"phone": phone})
    assert found.status_code == 200, found.content
    assert [p["username"] for p in found.json()["items"]] == ["volunteer_1"]


def test_the_people_list_takes_no_phone_in_its_query(city: City) -> None:
    from shouwang.api import api

    parameters = api.get_openapi_schema()["paths"]["/api/v1/people"]["get"]["parameters"]
    assert "phone" not in {p["name"] for p in parameters}
    assert "id_number" not in {p["name"] for p in parameters}


def test_no_url_of_the_api_takes_a_phone_or_id_number(city: City) -> None:
    from shouwang.api import api

    for path, operations in api.get_openapi_schema()["paths"].items():
        for operation in operations.values():
            names = {p["name"] for p in operation.get("parameters", [])}
            assert not names & {"phone", "id_number", "caller_phone"}, path


@pytest.mark.parametrize("path", ["/media/cases/2026/01/x.jpg", "/media/"])
def test_media_has_no_public_url_in_any_mode(path: str, db: None) -> None:
    with pytest.raises(Resolver404):
        resolve(path)
    assert Client().get(path).status_code == 404
