"""GET requests, one request and tokens: the public cases, field by field in JSON and XML, with
the specification's filters and limits. Public means a public category, not confidential, and
reported through a public channel; everything else is as if it did not exist."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shouwang.cases import clock, services
from shouwang.cases.models import Case, CaseChannel
from shouwang.cases.states import CaseState
from shouwang.cases.tests.factories import POINT, Loop, case_in_state, category, closed, make_case
from shouwang.open311 import selectors
from shouwang.open311.documents import SHANGHAI, w3c
from shouwang.open311.tests.conftest import BASE, body, spec_errors

pytestmark = pytest.mark.django_db

REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]


def web_report(loop: Loop, code: str = "garbage", **kw: Any) -> Case:
    """A citizen's report from the web form: anonymous, public."""
    lat, lng = POINT["a"]
    args = {
        "actor": None,
        "category": category(code),
        "description": "小区门口垃圾堆了三天没人清",
        "channel": CaseChannel.WEB,
        "lat": lat,
        "lng": lng,
        **kw,
    }
    return services.case_intake(**args).case


def listed(client: Client, **params: Any) -> list[int]:
    response = client.get(f"{BASE}/requests.json", params)
    assert response.status_code == 200, response.content
    return [r["service_request_id"] for r in response.json()]


def test_a_posted_request_reads_back_field_by_field_in_json(
    loop: Loop, client: Client, post_request: Callable[..., Any]
) -> None:
    post_request(media_url="https://img.example.cn/ktv.jpg", address_string="工人北路8号")
    case = Case.objects.get()

    [request] = body(client.get(f"{BASE}/requests/{case.pk}.json"), "json")

    assert list(request) == REQUEST_FIELDS
    assert request == {
        "service_request_id": case.pk,
        "status": "open",
        "status_notes": "已受理",
        "service_name": "噪音扰民",
        "service_code": "noise",
        "description": None,
        "agency_responsible": loop.town_command["a"].name,
        "service_notice": (
            f"按时限要求，应于 {case.resolve_deadline.astimezone(SHANGHAI):%Y-%m-%d %H:%M} 前办结。"
        ),
        "requested_datetime": w3c(case.received_at),
        "updated_datetime": w3c(case.received_at),
        "expected_datetime": w3c(case.resolve_deadline),
        "address": "工人北路8号",
        "address_id": None,
        "zipcode": None,
        "lat": POINT["a"][0],
        "long": POINT["a"][1],
        "media_url": "https://img.example.cn/ktv.jpg",
    }
    assert request["requested_datetime"].endswith("+08:00")


def test_a_request_reads_back_field_by_field_in_xml(loop: Loop, client: Client) -> None:
    case = web_report(loop)
    response = client.get(f"{BASE}/requests/{case.pk}.xml")
    root = body(response, "xml")
    assert root.tag == "service_requests"
    [request] = root.findall("request")
    assert [child.tag for child in request] == REQUEST_FIELDS
    assert request.findtext("service_request_id") == str(case.pk)
    assert request.findtext("status") == "open"
    assert request.findtext("service_code") == "garbage"
    assert request.findtext("requested_datetime") == w3c(case.received_at)
    assert request.findtext("address") == case.node.name  # no address given: the grid's name
    assert float(request.findtext("lat")) == POINT["a"][0]
    assert float(request.findtext("long")) == POINT["a"][1]
    assert request.findtext("description") == ""
    assert request.findtext("media_url") == ""


def test_the_list_has_the_same_documents_in_xml(loop: Loop, client: Client) -> None:
    first, second = web_report(loop), web_report(loop, code="noise")
    root = body(client.get(f"{BASE}/requests.xml"), "xml")
    ids = [int(r.findtext("service_request_id")) for r in root.findall("request")]
    assert ids == [second.pk, first.pk]  # newest first


def test_only_public_reports_are_listed(loop: Loop, client: Client) -> None:
    web = web_report(loop)
    app = make_case(loop, code="noise", channel=CaseChannel.APP)
    call_110 = make_case(loop, code="fight")
    hotline = make_case(loop, code="noise", channel=CaseChannel.HOTLINE_12345)
    confidential = web_report(loop, confidential=True)
    not_public = web_report(loop, code="smoke_alarm")

    assert set(listed(client)) == {web.pk, app.pk}
    for hidden in (call_110, hotline, confidential, not_public):
        response = client.get(f"{BASE}/requests/{hidden.pk}.json")
        assert response.status_code == 404
        assert spec_errors(response, "json") == [
            ("404", f"service_request_id {hidden.pk} was not found.")
        ]
    assert listed(client, service_request_id=f"{web.pk},{call_110.pk}") == [web.pk]


@pytest.mark.parametrize(
    ("state", "status"),
    [
        (CaseState.RECEIVED, "open"),
        (CaseState.DISPATCHED, "open"),
        (CaseState.ACCEPTED, "open"),
        (CaseState.ON_SCENE, "open"),
        (CaseState.RETURNED, "open"),
        (CaseState.TRANSFERRED, "open"),
        (CaseState.ESCALATED, "open"),
        (CaseState.RESOLVED, "closed"),
        (CaseState.VERIFIED, "closed"),
        (CaseState.CLOSED, "closed"),
        (CaseState.CANCELLED, "closed"),
        (CaseState.MERGED, "closed"),
    ],
)
def test_each_state_maps_to_open_or_closed_with_its_label_as_notes(
    loop: Loop, client: Client, state: CaseState, status: str
) -> None:
    case = case_in_state(loop, state, code="noise", channel=CaseChannel.WEB)
    [request] = client.get(f"{BASE}/requests/{case.pk}.json").json()
    assert request["status"] == status
    assert request["status_notes"] == str(state.label)
    assert (request["service_notice"] is None) == (status == "closed")


def test_a_closed_request_was_updated_when_it_was_closed(loop: Loop, client: Client) -> None:
    case = closed(loop, code="noise", channel=CaseChannel.WEB)
    [request] = client.get(f"{BASE}/requests/{case.pk}.json").json()
    assert request["updated_datetime"] == w3c(case.closed_at)


def test_status_filters_open_closed_or_both(loop: Loop, client: Client) -> None:
    open_case = web_report(loop)
    closed_case = closed(loop, code="noise", channel=CaseChannel.WEB)
    assert listed(client, status="open") == [open_case.pk]
    assert listed(client, status="closed") == [closed_case.pk]
    assert set(listed(client, status="open,closed")) == {open_case.pk, closed_case.pk}
    response = client.get(f"{BASE}/requests.json", {"status": "pending"})
    assert response.status_code == 400
    assert spec_errors(response, "json") == [("400", "status must be open or closed, not pending.")]


def test_service_code_filters_by_one_or_several_codes(loop: Loop, client: Client) -> None:
    garbage, noise = web_report(loop), web_report(loop, code="noise")
    web_report(loop, code="street_vending")
    assert listed(client, service_code="noise") == [noise.pk]
    assert listed(client, service_code="noise,garbage") == [noise.pk, garbage.pk]


def test_service_request_ids_override_every_other_argument(loop: Loop, client: Client) -> None:
    first, second = web_report(loop), web_report(loop)
    ids = listed(
        client,
        service_request_id=f"{first.pk},{second.pk}",
        status="closed",
        service_code="noise",
        start_date="not a date",
    )
    assert ids == [second.pk, first.pk]
    response = client.get(f"{BASE}/requests.json", {"service_request_id": "1,abc"})
    assert response.status_code == 400


def backdated_report(loop: Loop, days: int) -> Case:
    with clock.backdated(timezone.now() - timedelta(days=days)):
        return web_report(loop)


def test_without_dates_the_last_90_days_are_listed(loop: Loop, client: Client) -> None:
    recent, _old = backdated_report(loop, 89), backdated_report(loop, 91)
    assert listed(client) == [recent.pk]


def test_dates_bound_the_time_requested(loop: Loop, client: Client) -> None:
    old, older = backdated_report(loop, 100), backdated_report(loop, 120)
    now = timezone.now()
    start = w3c(now - timedelta(days=125))
    assert listed(client, start_date=start) == [old.pk, older.pk]  # the 90 days after start
    assert listed(client, end_date=w3c(now - timedelta(days=110))) == [older.pk]
    assert listed(
        client,
        start_date=(now - timedelta(days=105)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        end_date=(now - timedelta(days=95)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    ) == [old.pk]


@pytest.mark.parametrize(
    ("params", "description"),
    [
        (
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
            "start_date and end_date may not span more than 90 days.",
        ),
        (
            {"start_date": "2026-02-01T00:00:00+08:00", "end_date": "2026-01-01T00:00:00+08:00"},
            "end_date is before start_date.",
        ),
        (
            {"start_date": "01/02/2026"},
            "start_date must be a W3C datetime, e.g. 2010-01-01T00:00:00Z.",
        ),
    ],
)
def test_bad_dates_are_a_400(loop: Loop, client: Client, params, description) -> None:
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}/requests.{fmt}", params)
        assert response.status_code == 400
        assert spec_errors(response, fmt) == [("400", description)]


def test_at_most_the_first_requests_are_returned_newest_first(
    loop: Loop, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selectors, "MAX_REQUESTS", 2)
    cases = [web_report(loop) for _ in range(3)]
    assert listed(client) == [cases[2].pk, cases[1].pk]


def test_the_list_takes_one_query_however_long(
    loop: Loop, client: Client, django_assert_num_queries
) -> None:
    for code in ("garbage", "noise", "street_vending"):
        web_report(loop, code=code)
    closed(loop, code="noise", channel=CaseChannel.WEB)
    with django_assert_num_queries(1):
        assert len(client.get(f"{BASE}/requests.json").json()) == 4


@pytest.mark.parametrize("path", ["requests/999999.json", "requests/abc.json"])
def test_an_unknown_request_is_a_404(client: Client, path: str) -> None:
    response = client.get(f"{BASE}/{path}")
    assert response.status_code == 404
    assert spec_errors(response, "json")[0][0] == "404"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_token_gives_the_request_id(loop: Loop, client: Client, fmt: str) -> None:
    case = web_report(loop, external_token="batch-7f3a.1")
    response = client.get(f"{BASE}/tokens/batch-7f3a.1.{fmt}")
    assert response.status_code == 200
    if fmt == "json":
        assert body(response, fmt) == [{"service_request_id": case.pk, "token": "batch-7f3a.1"}]
    else:
        request = body(response, fmt).find("request")
        assert request.findtext("service_request_id") == str(case.pk)
        assert request.findtext("token") == "batch-7f3a.1"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_an_unknown_or_non_public_token_is_a_404(loop: Loop, client: Client, fmt: str) -> None:
    web_report(loop, external_token="hidden", confidential=True)
    for token in ("nope", "hidden"):
        response = client.get(f"{BASE}/tokens/{token}.{fmt}")
        assert response.status_code == 404
        assert spec_errors(response, fmt) == [("404", f"token {token} was not found.")]


def test_control_characters_typed_into_an_address_do_not_break_the_xml(
    loop: Loop, client: Client
) -> None:
    web_report(loop, address="工人北路\x0b8号\x1f")
    root = body(client.get(f"{BASE}/requests.xml"), "xml")
    assert root.find("request").findtext("address") == "工人北路8号"


def test_too_many_ids_at_once_are_a_400(client: Client) -> None:
    ids = ",".join(str(i) for i in range(1, 1002))
    response = client.get(f"{BASE}/requests.json", {"service_request_id": ids})
    assert response.status_code == 400
    assert spec_errors(response, "json") == [
        ("400", "At most 1000 service_request_id values at once.")
    ]
