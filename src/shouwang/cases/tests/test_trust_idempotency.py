"""Retries after a lost answer (issue 14, "Retries and recovery"): the same Idempotency-Key and
body give the first answer again, never a second case; another body under a used key is bad
input."""

import json
import threading

import pytest
from django.db import connections

from shouwang.cases.models import Case
from shouwang.cases.tests.factories import POINT, Loop, equip
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

LAT, LNG = POINT["a"]
BODY = {"category": "fight", "description": "两人打架", "lat": LAT, "lng": LNG}


@pytest.fixture
def loop(city: City) -> Loop:
    return equip(city)


def post_case(client: ApiClient, body: dict[str, object], key: str | None) -> object:
    headers = {**client.headers, **({"Idempotency-Key": key} if key else {})}
    return client.client.post(
        "/api/v1/cases", json.dumps(body), content_type="application/json", headers=headers
    )


def test_a_retried_case_with_the_same_key_answers_the_first_case_again(loop: Loop) -> None:
    dispatcher = ApiClient("dispatcher_1")
    first = post_case(dispatcher, BODY, "call-0001")
    again = post_case(dispatcher, BODY, "call-0001")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1


def test_a_used_key_with_another_body_is_refused(loop: Loop) -> None:
    dispatcher = ApiClient("dispatcher_1")
    post_case(dispatcher, BODY, "call-0002")
    response = post_case(dispatcher, {**BODY, "description": "另一件事"}, "call-0002")
    assert response.status_code == 422
    assert response.json()["error"]["extra"]["field"] == "Idempotency-Key"
    assert Case.objects.count() == 1


def test_keys_are_each_requesters_own(loop: Loop) -> None:
    post_case(ApiClient("dispatcher_1"), BODY, "same-key")
    response = post_case(
        ApiClient("dispatcher_2"), {**BODY, "lat": POINT["b"][0], "lng": POINT["b"][1]}, "same-key"
    )
    assert response.status_code == 201
    assert Case.objects.count() == 2


def test_a_refused_request_does_not_use_up_its_key(loop: Loop) -> None:
    dispatcher = ApiClient("dispatcher_1")
    refused = post_case(dispatcher, {**BODY, "category": "nonesuch"}, "call-0003")
    assert refused.status_code == 422
    taken = post_case(dispatcher, BODY, "call-0003")
    assert taken.status_code == 201


def test_without_a_key_each_post_is_a_case(loop: Loop) -> None:
    dispatcher = ApiClient("dispatcher_1")
    post_case(dispatcher, BODY, None)
    post_case(dispatcher, BODY, None)
    assert Case.objects.count() == 2


def test_an_open311_request_retried_with_the_same_key_is_one_request(loop: Loop, client) -> None:
    from shouwang.open311.services import api_key_issue

    key = api_key_issue(name="随手拍").key
    form = {
        "api_key": key,
        "service_code": "noise",
        "lat": LAT,
        "long": LNG,
        "description": "噪音扰民",
    }
    first = client.post("/open311/v2/requests.json", form, headers={"Idempotency-Key": "k1"})
    again = client.post("/open311/v2/requests.json", form, headers={"Idempotency-Key": "k1"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert Case.objects.count() == 1
    other = client.post(
        "/open311/v2/requests.json",
        {**form, "description": "别的"},
        headers={"Idempotency-Key": "k1"},
    )
    assert other.status_code == 422


@pytest.mark.django_db(transaction=True)
def test_two_copies_of_a_request_at_once_make_one_case(flushable_db: None) -> None:
    from django.apps import apps

    from shouwang.testing.city import build_city

    import_module = __import__("importlib").import_module
    import_module("shouwang.cases.migrations.0002_default_categories").install(apps, None)
    equip(build_city())
    dispatcher = ApiClient("dispatcher_1")
    answers: list[object] = []
    barrier = threading.Barrier(2)

    def send() -> None:
        barrier.wait()
        answers.append(post_case(dispatcher, BODY, "simultaneous"))
        connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [201, 201]  # type: ignore[attr-defined]
    assert len({a.json()["id"] for a in answers}) == 1  # type: ignore[attr-defined]
    assert Case.objects.count() == 1
