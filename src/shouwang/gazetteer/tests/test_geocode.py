"""Offline geocoding: what a caller says, to a place in the standard address gazetteer."""

import math

import pytest

from shouwang.gazetteer.demo import held_out_phrasings
from shouwang.gazetteer.selectors import geocode
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City

pytestmark = pytest.mark.django_db


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = (a[0] - b[0]) * 111_320
    dlng = (a[1] - b[1]) * 111_320 * math.cos(math.radians(a[0]))
    return math.hypot(dlat, dlng)


def test_any_signed_in_user_geocodes_an_address_with_the_contract_fields(
    city: City, gazetteer: list
) -> None:
    response = ApiClient("volunteer_1").get("/api/v1/geo/geocode", q="宾王路5号")
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert set(results[0]) == {"address", "lat", "lng", "node_code", "score"}
    assert results[0]["address"] == "稠城街道宾王路5号"
    assert results[0]["node_code"] in {g.code for g in city.a.grids}
    assert results[0]["score"] == 1.0
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)


def test_an_anonymous_caller_cannot_geocode(city: City, gazetteer: list) -> None:
    assert ApiClient().get("/api/v1/geo/geocode", q="宾王路5号").status_code == 401


@pytest.mark.parametrize(
    ("said", "meant"),
    [
        ("宾王路5", "稠城街道宾王路5号"),
        ("稠城街道宾王路5号", "稠城街道宾王路5号"),
        ("义乌市宾王路 5 号", "稠城街道宾王路5号"),
        ("工人北路１２号", "稠城街道工人北路12号"),
        ("城中路7号对面", "稠城街道城中路7号"),
        ("绣湖公园东门外", "稠城街道绣湖公园"),
        ("宾王市场对面", "稠城街道宾王市场"),
        ("xhgy", "稠城街道绣湖公园"),
        ("雪峰西路3号附近", "北苑街道雪峰西路3号"),
    ],
)
def test_the_ways_people_say_a_place_find_it(
    city: City, gazetteer: list, said: str, meant: str
) -> None:
    assert geocode(q=said, limit=1)[0].address == meant


def test_nonsense_finds_nothing(city: City, gazetteer: list) -> None:
    assert geocode(q="   ") == []
    assert geocode(q="qqqqzz") == []


def test_held_out_phrasings_are_found_within_100_metres(city: City, gazetteer: list) -> None:
    asked = held_out_phrasings(gazetteer, seed=2026, count=80)
    hits = 0
    for phrase, place in asked:
        found = geocode(q=phrase, limit=1)
        if found and metres((found[0].lat, found[0].lng), (place.lat, place.lng)) <= 100:
            hits += 1
    assert hits / len(asked) >= 0.9
