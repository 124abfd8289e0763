"""A dispatcher finds people by what they know of them: a name, its pinyin initials or the
username, only within their jurisdiction, with unit, role, duty and distance to the case, and
never a full phone number (issue 15, "Dispatching to people by name")."""

from datetime import UTC, datetime

import pytest

from shouwang.cases.models import ResponderStatus
from shouwang.cases.tests.factories import POINT
from shouwang.core.models import Role
from shouwang.core.services.people import person_create
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db


@pytest.fixture
def fei(city: City):
    return person_create(
        username="responder00669",
        role=Role.RESPONDER,
        node=city.a.grids[0],
        full_name="费桂兰",
        phone="0579-85512345",
        unit=city.a.station,
    )


def usernames(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["username"] for p in response.json()["items"]]


@pytest.mark.parametrize("typed", ["费桂兰", "桂兰", "fgl", "FGL", "00669", "responder00669"])
def test_a_dispatcher_finds_a_person_by_name_initials_or_username(
    city: City, fei, typed: str
) -> None:
    client = ApiClient(city.a.people["dispatcher"].username)

    assert usernames(client.get("/api/v1/people", q=typed)) == ["responder00669"]


def test_the_directory_names_unit_grid_and_role_and_shows_the_phone_only_masked(
    city: City, fei
) -> None:
    client = ApiClient(city.a.people["dispatcher"].username)

    response = client.get("/api/v1/people", q="fgl")

    (person,) = response.json()["items"]
    assert person["unit_name"] == city.a.station.name
    assert person["node_code"] == city.a.grids[0].code
    assert (person["role"], person["role_label"]) == ("responder", "处置人员")
    assert person["phone_masked"] == "0579****2345"
    assert "85512345" not in response.content.decode()


def test_a_person_of_another_town_is_not_found(city: City, fei) -> None:
    client = ApiClient(city.b.people["dispatcher"].username)

    assert usernames(client.get("/api/v1/people", q="fgl")) == []


def test_with_a_cases_position_the_nearest_on_duty_people_come_first_with_their_distance(
    city: City, fei
) -> None:
    lat, lng = POINT["a"]
    dispatcher = ApiClient(city.a.people["dispatcher"].username)
    created = dispatcher.post(
        "/api/v1/cases",
        {"category": "fight", "lat": lat, "lng": lng, "description": "打架", "channel": "110"},
    )
    assert created.status_code == 201, created.content
    now = datetime.now(UTC)
    ResponderStatus.objects.create(person=fei, lat=lat, lng=lng + 0.01, reported_at=now)
    ResponderStatus.objects.create(
        person=city.a.people["responder"], lat=lat, lng=lng + 0.03, reported_at=now, on_duty=False
    )

    case = created.json()
    response = dispatcher.get("/api/v1/people", role="responder", lat=case["lat"], lng=case["lng"])

    people = response.json()["items"]
    assert [p["username"] for p in people] == ["responder00669", "responder_1"]
    assert [p["on_duty"] for p in people] == [True, False]
    assert 950 < people[0]["distance_m"] < 1000  # 0.01° of longitude at 29.1° N


def test_a_latitude_without_a_longitude_is_refused(city: City, fei) -> None:
    client = ApiClient(city.a.people["dispatcher"].username)

    response = client.get("/api/v1/people", lat=POINT["a"][0])

    assert response.status_code == 422
    assert response.json()["error"]["extra"]["field"] == "lng"


def test_a_full_phone_is_looked_up_in_the_body_not_in_the_url(city: City, fei) -> None:
    client = ApiClient(city.a.people["dispatcher"].username)

    response = client.post("/api/v1/people/search", {"phone": "85512345"})

    assert [p["username"] for p in response.json()["items"]] == ["responder00669"]
    elsewhere = ApiClient(city.b.people["dispatcher"].username)
    assert elsewhere.post("/api/v1/people/search", {"phone": "85512345"}).json()["items"] == []


def test_the_jurisdiction_page_lists_its_people_and_finds_one_by_initials(
    city: City, fei, client
) -> None:
    client.force_login(city.a.people["leader"])

    page = client.get(f"/jurisdiction/{city.a.node.code}/").content.decode()
    found = client.get(f"/jurisdiction/{city.a.node.code}/", {"q": "fgl"}).content.decode()

    assert "费桂兰" in page and city.a.people["dispatcher"].username in page
    assert "0579****2345" in page and "85512345" not in page
    assert "费桂兰" in found and city.a.people["dispatcher"].username not in found
    assert city.b.people["dispatcher"].username not in page
