"""A client reads back what it filed (GeoReport v2), by id and by token; a police or
confidential matter's record keeps only its id, service code, status, dates and agency."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from shouwang.cases import services
from shouwang.cases.models import Case, CaseChannel
from shouwang.cases.tests.factories import POINT, category
from shouwang.open311.tests.conftest import BASE, body

pytestmark = pytest.mark.django_db

KEPT = {
    "service_request_id",
    "service_code",
    "service_name",
    "status",
    "agency_responsible",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
}


def test_a_police_matter_filed_over_open311_reads_back_restricted(
    post_request: Callable[..., Any], client: Client
) -> None:
    filed = post_request(service_code="fight", description="楼下两人持刀打架，张三 13800138000")
    assert filed.status_code == 201, filed.content
    request_id = filed.json()[0]["service_request_id"]

    response = client.get(f"{BASE}/requests/{request_id}.json")

    assert response.status_code == 200
    [document] = body(response, "json")
    assert document["service_request_id"] == request_id
    assert document["service_code"] == "fight"
    assert document["status"] == "open"
    assert document["requested_datetime"]
    shown = {k for k, v in document.items() if v is not None}
    assert shown <= KEPT
    text = response.content.decode()
    assert "13800138000" not in text and "张三" not in text
    assert str(POINT["a"][0]) not in text
    # Still never in the public list.
    listed = client.get(f"{BASE}/requests.json").json()
    assert request_id not in {item["service_request_id"] for item in listed}


def test_a_request_is_read_back_by_its_token(loop, client: Client) -> None:
    lat, lng = POINT["a"]
    case = services.case_intake(
        actor=None,
        category=category("domestic_violence"),
        description="隔壁有人打老婆",
        channel=CaseChannel.OPEN311,
        lat=lat,
        lng=lng,
        external_token="batch-77",
    ).case
    response = client.get(f"{BASE}/tokens/batch-77.json")
    assert response.status_code == 200
    assert body(response, "json") == [{"service_request_id": case.pk, "token": "batch-77"}]
    assert client.get(f"{BASE}/requests/{case.pk}.xml").status_code == 200


def test_an_ordinary_request_reads_back_in_full(
    post_request: Callable[..., Any], client: Client
) -> None:
    request_id = post_request().json()[0]["service_request_id"]
    [document] = client.get(f"{BASE}/requests/{request_id}.json").json()
    assert document["lat"] == Case.objects.get().lat
    assert document["address"]


def test_an_id_beyond_any_database_integer_is_not_found(client: Client, loop) -> None:
    assert client.get(f"{BASE}/requests/18446744073709551616.json").status_code == 404
