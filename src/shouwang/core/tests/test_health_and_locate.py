"""/healthz and the point-in-grid lookup."""

import pytest
from django.test import Client

from shouwang.core import versions
from shouwang.core.geo import locate
from shouwang.core.models import JurisdictionNode
from shouwang.core.services.jurisdiction import BOUNDARY_VERSION_KEY, boundaries_changed
from shouwang.core.versions import version_bump
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City, square
from shouwang.testing.services import need_redis

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_cache_and_channel_layer() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "channel_layer": "ok",
    }


def test_healthz_with_redis_checks_the_real_redis(settings) -> None:
    url = need_redis()
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    }
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "channels_redis.core.RedisChannelLayer", "CONFIG": {"hosts": [url]}}
    }
    assert Client().get("/healthz").json()["channel_layer"] == "ok"
    assert Client().get("/healthz").json()["cache"] == "ok"


def test_healthz_reports_a_dead_cache_with_503(settings) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"].startswith("error")


def test_point_is_located_in_its_grid_village_town_and_city(city: City) -> None:
    response = ApiClient("dispatcher_1").get("/api/v1/geo/locate", lat=29.1, lng=120.15)
    assert response.status_code == 200
    body = response.json()
    assert body["grid"]["code"] == city.a.grids[1].code
    assert body["village"]["code"] == city.a.village.code
    assert (body["town"]["code"], body["city"]["code"]) == (city.a.node.code, "330782")


def test_point_outside_every_grid_is_not_found(city: City) -> None:
    response = ApiClient("admin_city").get("/api/v1/geo/locate", lat=30.5, lng=121.0)
    assert response.status_code == 404


def test_coordinates_out_of_range_are_refused(city: City) -> None:
    assert ApiClient("admin_city").get("/api/v1/geo/locate", lat=95, lng=120).status_code == 404
    assert (
        ApiClient("admin_city").get("/api/v1/geo/locate", lat="north", lng=120).status_code == 422
    )


def test_index_is_built_once_and_reused(city: City, django_assert_num_queries) -> None:
    locate.locate_grid_id(lng=120.05, lat=29.1)
    with django_assert_num_queries(0):
        assert locate.locate_grid_id(lng=120.05, lat=29.1) == city.a.grids[0].pk


def test_index_follows_a_boundary_change(city: City) -> None:
    grid = city.a.grids[0]
    assert locate.locate_grid_id(lng=120.05, lat=29.1) == grid.pk
    JurisdictionNode.objects.filter(pk=grid.pk).update(boundary=square(121.0, 30.0, 0.1))
    boundaries_changed()
    assert locate.locate_grid_id(lng=120.05, lat=29.1) is None
    assert locate.locate_grid_id(lng=121.05, lat=30.05) == grid.pk


def test_another_process_boundary_change_is_seen_within_a_second(city: City, monkeypatch) -> None:
    grid = city.a.grids[0]
    assert locate.locate_grid_id(lng=120.05, lat=29.1) == grid.pk
    JurisdictionNode.objects.filter(pk=grid.pk).update(boundary=square(121.0, 30.0, 0.1))
    # What boundaries_changed() does in another process: only the shared version moves.
    version_bump(BOUNDARY_VERSION_KEY)
    monkeypatch.setattr(locate, "_checked_at", locate._checked_at - locate.CHECK_SECONDS)
    assert locate.locate_grid_id(lng=120.05, lat=29.1) is None


def test_lookups_within_the_second_ask_the_shared_cache_nothing(city: City, monkeypatch) -> None:
    locate.locate_grid_id(lng=120.05, lat=29.1)
    asked = []
    monkeypatch.setattr(versions.cache, "get", lambda *a, **k: asked.append(a))
    for _ in range(5):
        locate.locate_grid_id(lng=120.05, lat=29.1)
    assert asked == []


def test_node_children_are_listed_by_parent_code(city: City) -> None:
    items = ApiClient("admin_city").get("/api/v1/geo/nodes", parent="330782").json()["items"]
    assert [i["code"] for i in items] == [city.a.node.code, city.b.node.code]
    assert items[0]["parent_code"] == "330782"


def test_children_geojson_is_a_feature_collection(city: City) -> None:
    body = (
        ApiClient("admin_city")
        .get(f"/api/v1/geo/nodes/{city.a.village.code}/children.geojson")
        .json()
    )
    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in body["features"]] == [g.code for g in city.a.grids]


def test_node_detail_names_its_parent_and_lineage(city: City) -> None:
    body = ApiClient("admin_city").get(f"/api/v1/geo/nodes/{city.a.village.code}").json()
    assert body["parent_code"] == city.a.node.code
    assert [n["code"] for n in body["lineage"]] == ["330782", city.a.node.code]
    assert body["boundary"]["type"] == "Polygon"
