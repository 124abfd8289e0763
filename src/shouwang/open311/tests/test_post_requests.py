"""POST requests: a GeoReport v2 service request becomes an ordinary case, placed, routed and
timed like any other and visible through the cases API; everything the specification lists as
an error is answered in its error format, and nothing is kept."""

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from shouwang.cases.models import Case, CaseChannel, CaseKind, TimelineKind
from shouwang.cases.tests.factories import POINT, Loop
from shouwang.notify.models import OutboxMessage
from shouwang.open311 import ratelimit
from shouwang.open311.models import Open311Request
from shouwang.open311.services import IssuedApiKey, api_key_issue
from shouwang.open311.tests.conftest import BASE, LAT, LNG, body, spec_errors
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db

Post = Callable[..., Any]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_posted_request_is_answered_with_its_id_once_committed(post_request: Post, fmt: str):
    response = post_request(fmt)
    assert response.status_code == 201
    case = Case.objects.get()
    if fmt == "json":
        assert body(response, fmt) == [
            {
                "service_request_id": case.pk,
                "service_notice": f"已受理，事件编号 {case.number}。",
                "account_id": None,
            }
        ]
    else:
        request = body(response, fmt).find("request")
        assert body(response, fmt).tag == "service_requests"
        assert [c.tag for c in request] == ["service_request_id", "service_notice", "account_id"]
        assert request.findtext("service_request_id") == str(case.pk)
        assert request.findtext("account_id") == ""
        assert request.find("token") is None  # realtime: an id, never a token as well


def test_a_posted_request_is_an_ordinary_case_located_and_routed_like_any_other(
    loop: Loop, post_request: Post
) -> None:
    service_request_id = post_request(address_string="稠城街道工人北路8号").json()[0][
        "service_request_id"
    ]
    case = Case.objects.select_related("open311_request").get(pk=service_request_id)
    assert case.channel == CaseChannel.OPEN311
    assert case.kind == CaseKind.REPORT
    assert case.created_by is None
    assert case.node == loop.city.a.grids[0]
    assert case.responsible_unit == loop.town_command["a"]  # noise is not a police matter
    assert case.resolve_deadline is not None
    assert case.address == "稠城街道工人北路8号"
    assert case.timeline.get().kind == TimelineKind.RECEIVED
    assert OutboxMessage.objects.filter(subject_id=str(case.pk)).exists()


def test_the_case_is_visible_through_the_cases_api(loop: Loop, post_request: Post) -> None:
    service_request_id = post_request().json()[0]["service_request_id"]
    dispatcher = ApiClient(loop.person("dispatcher").username)
    case = dispatcher.get(f"/api/v1/cases/{service_request_id}").json()
    assert case["channel"] == "open311"
    assert case["category"] == "noise"
    assert case["state"] == "received"
    assert case["lat"] == LAT
    assert case["lng"] == LNG
    assert case["description"] == "楼下KTV每天凌晨两点还在唱歌"
    listed = dispatcher.get("/api/v1/cases", channel="open311").json()
    assert [c["id"] for c in listed["items"]] == [service_request_id]


def test_the_reporter_can_be_called_back_but_their_phone_is_kept_protected(
    loop: Loop, post_request: Post
) -> None:
    post_request(first_name="小明", last_name="王", phone="139 1234 5678", email="w@example.cn")
    case = Case.objects.get()
    assert case.reporter_name_masked == "王*明"
    assert "王小明" not in case.reporter_name_cipher
    assert case.caller_phone_masked == "139****5678"
    assert "13912345678" not in case.caller_phone_cipher


def test_the_key_that_posted_and_the_media_url_are_kept_beside_the_case(
    api_key: IssuedApiKey, post_request: Post
) -> None:
    post_request(media_url="https://img.example.cn/ktv.jpg")
    detail = Open311Request.objects.get()
    assert detail.api_key == api_key.record
    assert detail.media_url == "https://img.example.cn/ktv.jpg"


def test_nul_characters_are_dropped_from_what_is_posted(post_request: Post) -> None:
    assert post_request(description="噪音\x00扰民", address_string="8号\x00").status_code == 201
    case = Case.objects.get()
    assert (case.description, case.address) == ("噪音扰民", "8号")


def test_an_empty_description_takes_the_service_name(post_request: Post) -> None:
    post_request(description="")
    assert Case.objects.get().description == "噪音扰民"


def test_api_key_and_jurisdiction_id_may_come_in_the_query_string(
    client: Client, api_key: IssuedApiKey
) -> None:
    response = client.post(
        f"{BASE}/requests.json?api_key={api_key.key}&jurisdiction_id=yiwu.gov.cn",
        {"service_code": "garbage", "lat": LAT, "long": LNG},
    )
    assert response.status_code == 201


# --- errors: the status the specification names, its error format, and nothing kept --------


def assert_refused(response: Any, fmt: str, status: int, description: str) -> None:
    assert response.status_code == status
    assert spec_errors(response, fmt) == [(str(status), description)]
    assert not Case.objects.exists()
    assert not Open311Request.objects.exists()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_missing_location_is_a_400(post_request: Post, fmt: str) -> None:
    response = post_request(fmt, lat=None, long=None)
    assert_refused(
        response, fmt, 400, "A location is required: lat and long, address_string or address_id."
    )


@pytest.mark.parametrize("fields", [{"address_string": "工人北路8号"}, {"address_id": "A-1001"}])
def test_an_address_alone_cannot_be_located_and_is_a_400(post_request: Post, fields) -> None:
    response = post_request(lat=None, long=None, **fields)
    assert_refused(
        response,
        "json",
        400,
        "This endpoint places requests by lat and long; "
        "address_string or address_id alone cannot be located.",
    )


def test_lat_without_long_is_a_400(post_request: Post) -> None:
    assert_refused(post_request(long=None), "json", 400, "lat and long must be sent together.")


@pytest.mark.parametrize(
    ("fields", "description"),
    [
        ({"lat": "north"}, "lat must be a number (WGS-84 degrees)."),
        ({"long": "200"}, "long must lie between -180 and 180."),
        ({"lat": "nan"}, "lat must lie between -90 and 90."),
        ({"media_url": "javascript:alert(1)"}, "media_url must be an http or https URL."),
        ({"description": "吵" * 4001}, "description is longer than 4000 characters."),
        ({"service_code": ""}, "service_code was not provided."),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(post_request: Post, fields, description) -> None:
    assert_refused(post_request(**fields), "json", 400, description)


def test_a_place_outside_every_grid_is_a_400_with_the_intakes_reason(post_request: Post) -> None:
    response = post_request(lat=29.1, long=119.99)  # just west of the city, within the margin
    assert_refused(response, "json", 400, "该位置不在本市任何网格内。")


def test_a_place_outside_the_service_area_is_a_400_with_the_intakes_reason(
    post_request: Post,
) -> None:
    response = post_request(lat=31.23, long=121.47)  # Shanghai
    assert_refused(response, "json", 400, "该位置不在本平台服务范围内。")


def test_a_phone_that_is_no_dialable_number_is_a_400(post_request: Post) -> None:
    response = post_request(phone="111-111-1111")
    reason = "电话号码格式不正确：请填写手机号、带区号的固定电话或国际号码（+开头）。"
    assert_refused(response, "json", 400, reason)


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["no_such_service", "smoke_alarm"])
def test_an_unknown_or_non_public_service_code_is_a_404(post_request: Post, fmt, code) -> None:
    response = post_request(fmt, service_code=code)
    assert_refused(response, fmt, 404, f"service_code {code} was not found.")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_wrong_api_key_is_a_403(post_request: Post, fmt: str) -> None:
    response = post_request(fmt, api_key="o311_not-a-key")
    assert_refused(
        response, fmt, 403, "Invalid api_key received -- can't proceed with create_request."
    )


def test_a_missing_api_key_is_a_403(post_request: Post) -> None:
    response = post_request(api_key="")
    assert_refused(response, "json", 403, "api_key is required to post a service request.")


def test_a_switched_off_key_is_a_403(api_key: IssuedApiKey, post_request: Post) -> None:
    api_key.record.is_active = False
    api_key.record.save(update_fields=["is_active"])
    response = post_request()
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_a_key_limited_to_a_town_cannot_post_in_another(loop: Loop, post_request: Post) -> None:
    town_b = loop.city.b.node
    limited = api_key_issue(name="北苑街道网格通", node=town_b)
    lat, lng = POINT["a"]
    response = post_request(api_key=limited.key, lat=lat, long=lng)
    assert_refused(
        response,
        "json",
        403,
        f"This api_key may only post requests inside {town_b.name} ({town_b.code}).",
    )
    assert not OutboxMessage.objects.exists()
    lat, lng = POINT["b"]
    assert post_request(api_key=limited.key, lat=lat, long=lng).status_code == 201


def test_posts_beyond_the_keys_allowance_are_a_429_with_retry_after(
    settings, monkeypatch: pytest.MonkeyPatch, api_key: IssuedApiKey, post_request: Post
) -> None:
    settings.OPEN311_POSTS_PER_MINUTE = 2
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_015.0))
    assert [post_request().status_code for _ in range(2)] == [201, 201]

    response = post_request()

    assert response.status_code == 429
    assert response["Retry-After"] == "45"
    assert spec_errors(response, "json") == [
        ("429", "Too many requests for this api_key: at most 2 a minute. Retry in 45 seconds.")
    ]
    assert Case.objects.count() == 2
    other = api_key_issue(name="另一个系统")
    assert post_request(api_key=other.key).status_code == 201  # counted per key
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: 1_800_000_060.0))
    assert post_request().status_code == 201  # the next minute


def test_posting_with_a_json_body_is_not_a_form_and_is_a_400(
    client: Client, api_key: IssuedApiKey
) -> None:
    response = client.post(
        f"{BASE}/requests.json?api_key={api_key.key}",
        {"service_code": "noise", "lat": LAT, "long": LNG},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert not Case.objects.exists()
