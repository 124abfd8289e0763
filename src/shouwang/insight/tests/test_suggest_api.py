"""The category suggestion API: dispatchers get the likeliest category of a call's text with
its confidence; people who do not take calls are refused."""

import pytest

from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db
URL = "/api/v1/insight/suggest-category"


def test_a_dispatcher_gets_a_confident_suggestion_while_typing(city: City) -> None:
    dispatcher = ApiClient(city.a.people["dispatcher"].username)
    response = dispatcher.get(URL, text="来电称小区楼道里有人给电动车飞线充电")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "ebike_charging" and body["label"] == "电动车违规充电"
    assert body["confident"] and 0.5 <= body["confidence"] <= 1.0
    assert len(body["alternatives"]) == 3


def test_an_empty_text_suggests_nothing(city: City) -> None:
    body = ApiClient(city.a.people["dispatcher"].username).get(URL, text="").json()
    assert body["code"] is None and body["confident"] is False


def test_a_volunteer_and_an_anonymous_caller_are_refused(city: City) -> None:
    assert ApiClient(city.a.people["volunteer"].username).get(URL, text="着火了").status_code == 403
    assert ApiClient().get(URL, text="着火了").status_code == 401
