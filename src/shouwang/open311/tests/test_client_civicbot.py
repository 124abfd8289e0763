"""An Open311 client library from PyPI, civicbot 0.4.0's Open311Client, against a real server
(uvicorn over HTTP): it lists the services, posts a request with an API key and reads it back.
civicbot is used because it is the Python 3 GeoReport v2 client that can post (georeport 0.3.1
only reads; open311 1.1 and three 0.8.0 are Python 2 code)."""

import pytest
from civicbot.http import HttpError, HttpTransport, RateLimiter
from civicbot.open311 import Open311Client
from civicbot.registry import Endpoint

from shouwang.cases.models import Case, CaseChannel
from shouwang.cases.tests.factories import Loop
from shouwang.open311.services import IssuedApiKey
from shouwang.open311.tests.conftest import LAT, LNG


def open311_client(server_url: str) -> Open311Client:
    endpoint = Endpoint(id="shouwang", name="守望", base_url=f"{server_url}/open311/v2", write=True)
    # No politeness delay towards our own test server.
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0))
    return Open311Client(endpoint, transport=transport, jurisdiction_id="yiwu.gov.cn")


def test_a_client_lists_services_posts_a_request_and_reads_it_back(
    loop: Loop, api_key: IssuedApiKey, server_url: str
) -> None:
    client = open311_client(server_url)

    services = client.list_services()
    assert {"noise", "garbage", "fire"} <= {s["service_code"] for s in services}

    prepared = client.create_request(
        "noise",
        dry_run=False,
        confirm="SEND",
        api_key=api_key.key,
        validate_remote=True,  # checks the payload against services and the definition
        lat=LAT,
        lng=LNG,
        address_string="稠城街道工人北路8号",
        description="楼下KTV每天凌晨两点还在唱歌",
        first_name="小明",
        last_name="王",
        phone="13912345678",
        media_url="https://img.example.cn/ktv.jpg",
    )
    [created] = prepared.response
    service_request_id = created["service_request_id"]
    assert created["service_notice"].startswith("已受理")

    request = client.get_request(service_request_id)
    assert request is not None
    assert request["service_code"] == "noise"
    assert request["status"] == "open"
    assert request["address"] == "稠城街道工人北路8号"
    assert (request["lat"], request["long"]) == (LAT, LNG)
    assert request["media_url"] == "https://img.example.cn/ktv.jpg"
    assert request["agency_responsible"] == loop.town_command["a"].name
    assert "小明" not in str(request)
    assert "13912345678" not in str(request)

    listed = client.list_requests(service_code="noise", status="open")
    assert [r["service_request_id"] for r in listed] == [service_request_id]
    case = Case.objects.get(pk=service_request_id)
    assert case.channel == CaseChannel.OPEN311
    assert case.node == loop.city.a.grids[0]


def test_the_server_s_errors_reach_the_client_in_the_spec_format(
    loop: Loop, api_key: IssuedApiKey, server_url: str
) -> None:
    client = open311_client(server_url)
    with pytest.raises(HttpError) as not_found:
        client.get_request(999999)
    assert not_found.value.status == 404
    assert '"code": 404' in not_found.value.body

    with pytest.raises(HttpError) as refused:
        client.create_request(
            "noise", dry_run=False, confirm="SEND", api_key="o311_wrong", lat=LAT, lng=LNG
        )
    assert refused.value.status == 403
    assert not Case.objects.exists()
