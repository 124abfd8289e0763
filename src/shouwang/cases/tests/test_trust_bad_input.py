"""Bad input from a careless or hostile client is refused with a 4xx and our one error body,
never a server error (issue 14, "Bad input")."""

import json

import pytest
from django.test import Client

from shouwang.cases.tests.factories import POINT, Loop, equip, make_case
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

HUGE = "18446744073709551616"
PAGINATED = [
    "/api/v1/cases",
    "/api/v1/geo/nodes",
    "/api/v1/units",
    "/api/v1/people",
    "/api/v1/audit",
    "/api/v1/notify/dead-letters",
    "/api/v1/notify/mine",
    "/api/v1/premises",
    "/api/v1/devices",
    "/api/v1/devices/alarms",
    "/api/v1/hazards",
    "/api/v1/housing/vacancies",
    "/api/v1/inspections",
    "/api/v1/mediations",
    "/api/v1/notices",
    "/api/v1/risk/alerts",
    "/api/v1/trainings",
]

# Lists whose page size is not the caller's to choose (the public vacancy page).
FIXED_PAGE_SIZE = {"/api/v1/housing/vacancies"}


@pytest.fixture
def loop(city: City) -> Loop:
    return equip(city)


@pytest.fixture
def dispatcher(loop: Loop) -> ApiClient:
    return ApiClient("dispatcher_1")


def assert_error_body(response, status: int | tuple[int, ...]) -> None:
    statuses = status if isinstance(status, tuple) else (status,)
    assert response.status_code in statuses, response.content
    assert set(response.json()["error"]) == {"code", "message", "extra"}


@pytest.mark.parametrize("path", PAGINATED)
def test_a_page_number_beyond_any_database_integer_is_refused_as_bad_input(
    loop: Loop, path: str
) -> None:
    admin = ApiClient("admin_city")  # may read every list, the dead letters and the audit too
    assert_error_body(admin.get(path, page=HUGE), (404, 422))
    if path not in FIXED_PAGE_SIZE:
        assert_error_body(admin.get(path, page=1, page_size=HUGE), (404, 422))


def test_every_paginated_list_is_covered_by_the_page_number_test(dispatcher: ApiClient) -> None:
    from shouwang.api import api

    paginated = {
        path
        for path, operations in api.get_openapi_schema()["paths"].items()
        for method, operation in operations.items()
        if method == "get"
        and any(p["name"] == "page" for p in operation.get("parameters", []))
        and "{" not in path
    }
    assert paginated == set(PAGINATED)


def test_an_id_beyond_any_database_integer_answers_not_found(
    dispatcher: ApiClient, loop: Loop
) -> None:
    assert_error_body(dispatcher.post(f"/api/v1/cases/{HUGE}/dispatch", {}), 404)
    assert_error_body(dispatcher.get(f"/api/v1/cases/{HUGE}"), (404, 422))


@pytest.mark.parametrize("action", ["transfer", "divert"])
def test_a_blank_unit_code_is_refused_as_bad_input(
    dispatcher: ApiClient, loop: Loop, action: str
) -> None:
    case = make_case(loop)
    assert_error_body(dispatcher.post(f"/api/v1/cases/{case.pk}/{action}", {"unit": " "}), 422)


def case_body(**point: object) -> dict[str, object]:
    return {"category": "fight", "description": "两人打架", **point}


@pytest.mark.parametrize(
    "point",
    [
        {"lat": 0, "lng": 0},
        {"lat": -29.3, "lng": -120.07},
        {"lat": 31.23, "lng": 121.47},  # Shanghai
        {"lat": True, "lng": True},
        {"lat": "29.1", "lng": "120.05"},
    ],
)
def test_a_point_outside_the_service_area_or_not_a_number_is_refused(
    dispatcher: ApiClient, loop: Loop, point: dict[str, object]
) -> None:
    response = dispatcher.post("/api/v1/cases", case_body(**point))
    assert_error_body(response, 422)


def test_swapped_latitude_and_longitude_are_refused_with_a_hint(
    dispatcher: ApiClient, loop: Loop
) -> None:
    lat, lng = POINT["a"]
    response = dispatcher.post("/api/v1/cases", case_body(lat=lng, lng=lat))
    assert_error_body(response, 422)
    assert response.json()["error"]["extra"]["hint"] == "swapped"


def test_a_point_in_the_margin_around_the_city_is_taken(dispatcher: ApiClient, loop: Loop) -> None:
    response = dispatcher.post("/api/v1/cases", case_body(lat=29.1, lng=119.99))
    assert response.status_code == 201, response.content


def test_every_intake_path_refuses_a_point_outside_with_the_same_message(
    loop: Loop, client: Client
) -> None:
    """API and console (as a dispatcher), Open311 and the citizen page (anonymous): the refusal
    is made once, in case_intake, for all of them."""
    from shouwang.cases.services.intake import point_check_service_area
    from shouwang.core.errors import InvalidInput

    api_answer = ApiClient("dispatcher_1").post("/api/v1/cases", case_body(lat=31.23, lng=121.47))
    with pytest.raises(InvalidInput) as refused:
        point_check_service_area(lat=31.23, lng=121.47)
    assert api_answer.json()["error"]["message"] == str(refused.value.message)

    from shouwang.open311.services import api_key_issue

    key = api_key_issue(name="随手拍")
    open311 = client.post(
        "/open311/v2/requests.json",
        {
            "api_key": key.key,
            "service_code": "noise",
            "lat": 31.23,
            "long": 121.47,
            "description": "噪音",
        },
    )
    assert open311.status_code == 400
    assert str(refused.value.message) in open311.content.decode()
    page = client.post(
        "/report/",
        {"category": "ebike_charging", "description": "飞线充电", "lat": "31.23", "lng": "121.47"},
    )
    assert page.status_code == 422
    assert str(refused.value.message) in page.content.decode()


def test_a_body_that_is_not_json_is_refused_as_unsupported(dispatcher: ApiClient) -> None:
    response = dispatcher.client.post(
        "/api/v1/cases",
        "category=fight",
        content_type="application/x-www-form-urlencoded",
        headers=dispatcher.headers,
    )
    assert_error_body(response, 415)
    response = dispatcher.client.post(
        "/api/v1/cases",
        json.dumps(case_body()),
        content_type="text/plain",
        headers=dispatcher.headers,
    )
    assert_error_body(response, 415)


@pytest.mark.parametrize("debug", [False, True])
def test_a_twenty_megabyte_body_is_refused_as_too_large_in_every_mode(
    dispatcher: ApiClient, settings, debug: bool
) -> None:
    settings.DEBUG = debug
    body = json.dumps(case_body(description="x" * (20 << 20)))
    response = dispatcher.client.post(
        "/api/v1/cases", body, content_type="application/json", headers=dispatcher.headers
    )
    assert_error_body(response, 413)
    page = Client().post("/report/", {"description": "x" * (20 << 20)})
    assert page.status_code == 413


def test_a_reporters_name_is_stored_encrypted_and_shown_masked(
    dispatcher: ApiClient, loop: Loop
) -> None:
    from shouwang.cases.models import Case
    from shouwang.core.services.pii import pii_reveal

    lat, lng = POINT["a"]
    created = dispatcher.post(
        "/api/v1/cases", case_body(lat=lat, lng=lng, reporter_name="张三丰")
    ).json()
    assert created["reporter_name"] == "张*丰"
    case = Case.objects.get(pk=created["id"])
    assert "张三丰" not in case.reporter_name_cipher
    stored = Case.objects.filter(pk=case.pk).values().get()
    assert [k for k, v in stored.items() if v == "张三丰"] == []
    assert pii_reveal(actor=loop.city.admin, instance=case, field="reporter_name") == "张三丰"


def test_a_nul_character_in_a_query_or_a_body_is_refused_as_bad_input(
    dispatcher: ApiClient, loop: Loop
) -> None:
    """PostgreSQL cannot even compare a string holding NUL (found by the fuzz test)."""
    assert_error_body(dispatcher.get("/api/v1/cases", q="a\x00b"), 422)
    lat, lng = POINT["a"]
    response = dispatcher.post("/api/v1/cases", case_body(lat=lat, lng=lng, description="\x00"))
    assert_error_body(response, 422)
