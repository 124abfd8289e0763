"""Deterministic demo geography: the real 义乌市 outline cut into towns, villages and grids.

Pure Python + shapely, no Django. Towns are Voronoi cells around their approximate real
seats; villages/communities and grids are Voronoi cells around well-spread random points.
Each level is cut from snap-rounded linework (1e-5 degree grid); a last pass re-nodes all
grid borders together and rebuilds villages and towns from their grids, so the nesting is
exact: siblings share their borders, no gaps, no overlaps, coordinates at 5 decimals.
"""

from __future__ import annotations

import json
import math
import random
from collections import defaultdict
from dataclasses import dataclass, replace
from itertools import product
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

CITY_CODE = "330782"
CITY_NAME = "义乌市"
OUTLINE_PATH = Path(__file__).resolve().parent.parent / "data" / "yiwu_outline.geojson"

GRID_SIZE = 1e-5  # ~1 m; all output coordinates sit on this grid (5 decimals)
DIGITS = 5
# The source outline is a 1/1024-degree staircase; ~50 m simplification keeps its look.
OUTLINE_SIMPLIFY = 5e-4
CANDIDATES_PER_POINT = 12


@dataclass(frozen=True)
class Area:
    code: str
    name: str
    kind: str  # "street" | "town" | "community" | "village" | "grid"
    parent_code: str
    polygon: BaseGeometry
    centre: tuple[float, float]


@dataclass(frozen=True)
class Station:
    code: str
    name: str
    town_code: str
    lng: float
    lat: float


@dataclass(frozen=True)
class CityGeography:
    city_code: str
    city_name: str
    outline: BaseGeometry
    towns: list[Area]
    villages: list[Area]
    grids: list[Area]
    stations: list[Station]


@dataclass(frozen=True)
class _TownSeat:
    number: str  # 3-digit town part of the division code
    name: str
    kind: str
    lng: float
    lat: float


# Approximate real seats of Yiwu's 8 streets and 6 towns (2020s division).
TOWN_SEATS: tuple[_TownSeat, ...] = (
    _TownSeat("001", "稠城街道", "street", 120.075, 29.306),
    _TownSeat("002", "北苑街道", "street", 120.058, 29.337),
    _TownSeat("003", "稠江街道", "street", 120.035, 29.268),
    _TownSeat("004", "江东街道", "street", 120.118, 29.290),
    _TownSeat("005", "后宅街道", "street", 120.045, 29.378),
    _TownSeat("006", "城西街道", "street", 119.985, 29.318),
    _TownSeat("007", "廿三里街道", "street", 120.180, 29.345),
    _TownSeat("008", "福田街道", "street", 120.103, 29.330),
    _TownSeat("100", "佛堂镇", "town", 120.030, 29.195),
    _TownSeat("101", "赤岸镇", "town", 120.065, 29.118),
    _TownSeat("102", "义亭镇", "town", 119.960, 29.245),
    _TownSeat("103", "上溪镇", "town", 119.905, 29.332),
    _TownSeat("104", "苏溪镇", "town", 120.165, 29.405),
    _TownSeat("105", "大陈镇", "town", 120.130, 29.470),
)


@dataclass(frozen=True)
class _ScalePlan:
    villages_total: int
    villages_minimum: int  # per town
    community_grids: tuple[int, int]  # inclusive range of grids per community
    village_grids: tuple[int, int]


SCALES: dict[str, _ScalePlan] = {
    "small": _ScalePlan(42, 3, (2, 2), (2, 2)),
    "city": _ScalePlan(224, 8, (8, 12), (7, 11)),
}


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Real-sounding stems first, so a small demo reads like Yiwu; generated ones fill the rest.
COMMUNITY_STEMS = _words(
    "宗泽 绣湖 稠州 鸡鸣山 胜利 江滨 宾王 丹溪 新马路 商城 望道 秀禾 春华 樊村 复元 金福源 "
    "荷叶塘 香溪 西城 贝村 新世纪 文华 锦都 丽景 春晗 银海 洪华 五爱 宏迪 朝阳 篁园 紫金 "
    "城中 下车门 孝子祠 稠岩 青口 工人 雪峰 凌云 田心 楼村 江湾 柳青 通惠 长春"
)
VILLAGE_STEMS = _words(
    "李祖 青岩刘 何斯路 缸窑 塘李 下骆宅 毛店 倍磊 分水塘 大元 楼宅 王阡 雅端 殿下 溪华 "
    "岩口 乔亭 平畴 杭畴 上杨 下杨 前洪 后洪 塔下洲 派塘 端头 新光 畈田朱 苦竹塘 稠关 "
    "陇头朱 双林 戚宅 吴店 东河 何宅 楼下 黄山 吕宅 桥头 徐村 石门 柏峰 余车 "
    "杜门 长堰 坑口 荷店 马畈 大畈 枫坑 尚阳 八都 王店 里美山 龙溪 湖塘"
)
_PREFIXES = _words("上 下 前 后 东 西 南 新 大 小 高 青岩 塘 溪 山")
_SURNAMES = _words("李 王 张 陈 楼 吴 金 朱 何 傅 龚 骆 杨 鲍 丁 毛 蒋 冯 方 黄 虞 季 陶 贾 宗")
_PLACE_WORDS = _words("宅 塘 店 山 坑 溪 桥 畈 坞 湾 岭 堰 头 园")
_COMMUNITY_FIRST = _words("春 秀 锦 丹 宾 望 香 新 金 银 福 丽 文 嘉 宏 荣 泰 和 兴 瑞")
_COMMUNITY_SECOND = _words("湖 溪 园 苑 城 塘 山 桥 江 源 安 康 华 禾 晖 岚")


def _round_coordinates(geom: BaseGeometry) -> BaseGeometry:
    """Make on-grid floats print as 5 decimals; the same input always maps to the same
    double, so borders shared by neighbours stay identical."""
    return shapely.transform(geom, lambda coords: np.round(coords, DIGITS))


def _merge(parts: list[BaseGeometry] | np.ndarray) -> BaseGeometry:
    """Union of pieces that already share exact edges. A coverage union adds no vertices;
    re-snapping with grid_size instead could collapse thin slivers and lose area."""
    merged = shapely.coverage_union_all(parts)
    if isinstance(merged, MultiPolygon) and len(merged.geoms) == 1:
        merged = merged.geoms[0]
    return _round_coordinates(merged)


def load_yiwu_outline() -> BaseGeometry:
    """The committed outline, repaired: the source ring pinches itself into a few
    pixel-sized lobes and holes, which are artefacts, so keep the main shell only."""
    collection = json.loads(OUTLINE_PATH.read_text(encoding="utf-8"))
    raw = shape(collection["features"][0]["geometry"])
    repaired = shapely.make_valid(raw, method="structure", keep_collapsed=False)
    shells = [p for p in shapely.get_parts(repaired) if p.geom_type == "Polygon"]
    main = Polygon(max(shells, key=lambda p: p.area).exterior)
    simplified = main.simplify(OUTLINE_SIMPLIFY, preserve_topology=True)
    return _round_coordinates(shapely.set_precision(simplified, GRID_SIZE))


def _allocate(total: int, minimum: int, weights: list[float]) -> list[int]:
    """Everyone gets `minimum`; the rest is shared by weight (largest remainder)."""
    spare = total - minimum * len(weights)
    shares = [spare * w / sum(weights) for w in weights]
    counts = [minimum + math.floor(s) for s in shares]
    fractions = [s - math.floor(s) for s in shares]
    by_remainder = sorted(range(len(weights)), key=lambda i: fractions[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _spread_points(
    rng: random.Random, region: BaseGeometry, count: int
) -> list[tuple[float, float]]:
    """Best-candidate sampling: well spread, never on top of each other, and kept a little
    away from the border so no cell degenerates into a sliver."""
    spacing = math.sqrt(region.area / count)
    inner: BaseGeometry = region.buffer(-0.25 * spacing)
    if inner.is_empty or inner.area < 0.3 * region.area:
        inner = region
    shapely.prepare(inner)
    min_x, min_y, max_x, max_y = inner.bounds
    points: list[tuple[float, float]] = []
    while len(points) < count:
        candidates = [
            (rng.uniform(min_x, max_x), rng.uniform(min_y, max_y))
            for _ in range(CANDIDATES_PER_POINT)
        ]
        inside = [c for c in candidates if shapely.contains_xy(inner, *c)]
        if inside:
            points.append(max(inside, key=lambda c: _distance_to_nearest(c, points)))
    return points


def _distance_to_nearest(point: tuple[float, float], others: list[tuple[float, float]]) -> float:
    if not others:
        return 0.0
    return min(math.dist(point, other) for other in others)


def _faces(region: BaseGeometry, seeds: list[tuple[float, float]]) -> list[BaseGeometry]:
    """Node the region's border and the Voronoi edges on one grid and polygonize, so
    neighbouring faces share exactly the same edges."""
    cells = shapely.voronoi_polygons(
        MultiPoint(seeds), extend_to=region.envelope.buffer(0.05), ordered=True
    )
    lines = [region.boundary, *(cell.boundary for cell in cells.geoms)]
    noded = shapely.union_all(lines, grid_size=GRID_SIZE)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    shapely.prepare(region)
    return [f for f in faces if shapely.contains(region, f.representative_point())]


def _partition(region: BaseGeometry, seeds: list[tuple[float, float]]) -> list[BaseGeometry]:
    """Cut `region` into one piece per seed (in seed order), each the seed's Voronoi cell."""
    if len(seeds) == 1:
        return [region]
    faces = _faces(region, seeds)
    anchors = np.array([f.representative_point().coords[0] for f in faces])
    seed_xy = np.array(seeds)
    # A face lies in the Voronoi cell of the seed nearest to any of its inner points.
    distances = np.linalg.norm(anchors[:, None, :] - seed_xy[None, :, :], axis=2)
    owners = distances.argmin(axis=1)
    groups: list[list[BaseGeometry]] = [[] for _ in seeds]
    for face, owner in zip(faces, owners, strict=True):
        groups[owner].append(face)
    return _reunite_fragments(groups, seeds)


def _reunite_fragments(
    groups: list[list[BaseGeometry]], seeds: list[tuple[float, float]]
) -> list[BaseGeometry]:
    """A Voronoi cell clipped to a concave parent can fall apart; give each stray piece to
    the neighbour it shares the longest border with, so most areas stay in one piece."""
    mains: list[BaseGeometry] = []
    strays: list[tuple[int, BaseGeometry]] = []
    for index, faces in enumerate(groups):
        parts = list(shapely.get_parts(_merge(faces)))
        main = next((p for p in parts if p.contains(Point(seeds[index]))), None)
        if main is None:
            main = max(parts, key=lambda p: p.area)
        mains.append(main)
        strays.extend((index, p) for p in parts if p is not main)
    pieces = [[m] for m in mains]
    for owner, stray in strays:
        borders = shapely.length(shapely.intersection(stray.boundary, shapely.boundary(mains)))
        target = int(np.argmax(borders)) if borders.max() > 0 else owner
        pieces[target].append(stray)
    return [_merge(p) for p in pieces]


def _centre_of(polygon: BaseGeometry) -> tuple[float, float]:
    point = polygon.representative_point()
    rounded = (round(point.x, 6), round(point.y, 6))
    return rounded if polygon.contains(Point(rounded)) else (point.x, point.y)


class _NameBook:
    """Hands out village and community names, unique across the whole city."""

    def __init__(self, rng: random.Random) -> None:
        self._used: set[str] = set()
        self._communities = self._pool(rng, COMMUNITY_STEMS, _generated_community_stems())
        self._villages = self._pool(rng, VILLAGE_STEMS, _generated_village_stems())

    @staticmethod
    def _pool(rng: random.Random, curated: tuple[str, ...], generated: list[str]) -> list[str]:
        first, rest = list(curated), list(generated)
        rng.shuffle(first)
        rng.shuffle(rest)
        # pop() takes from the end, so curated stems are used first
        return rest + first

    def community(self) -> str:
        return self._take(self._communities) + "社区"

    def village(self) -> str:
        return self._take(self._villages) + "村"

    def _take(self, pool: list[str]) -> str:
        while pool:
            stem = pool.pop()
            if stem not in self._used:
                self._used.add(stem)
                return stem
        raise RuntimeError("ran out of place names")


def _generated_village_stems() -> list[str]:
    prefixed = [p + s for p, s in product(_PREFIXES, _SURNAMES)]
    placed = [s + w for s, w in product(_SURNAMES, _PLACE_WORDS)]
    return sorted(set(prefixed + placed))


def _generated_community_stems() -> list[str]:
    pairs = product(_COMMUNITY_FIRST, _COMMUNITY_SECOND)
    return sorted({a + b for a, b in pairs if a != b})


def _build_towns(outline: BaseGeometry) -> list[Area]:
    seeds = [(seat.lng, seat.lat) for seat in TOWN_SEATS]
    polygons = _partition(outline, seeds)
    return [
        Area(
            code=f"{CITY_CODE}{seat.number}000",
            name=seat.name,
            kind=seat.kind,
            parent_code=CITY_CODE,
            polygon=polygon,
            centre=_centre_of(polygon),
        )
        for seat, polygon in zip(TOWN_SEATS, polygons, strict=True)
    ]


def _community_count(town: Area, count: int) -> int:
    """Streets are mostly urban communities; towns have a community or two at their seat."""
    if town.kind == "street":
        return max(1, round(count * 0.7))
    return max(1, round(count * 0.15))


def _build_villages(
    town: Area, seat: tuple[float, float], count: int, rng: random.Random, names: _NameBook
) -> list[Area]:
    seeds = sorted(_spread_points(rng, town.polygon, count), key=lambda p: math.dist(p, seat))
    polygons = _partition(town.polygon, seeds)
    communities = _community_count(town, count)
    villages: list[Area] = []
    for index, polygon in enumerate(polygons):
        is_community = index < communities
        # GB/T 10114: 居委会 (communities) are numbered 001–199, 村委会 (villages) 200–399
        number = index + 1 if is_community else 200 + index - communities + 1
        villages.append(
            Area(
                code=f"{town.code[:9]}{number:03d}",
                name=names.community() if is_community else names.village(),
                kind="community" if is_community else "village",
                parent_code=town.code,
                polygon=polygon,
                centre=_centre_of(polygon),
            )
        )
    return villages


def _build_grids(village: Area, count: int, rng: random.Random) -> list[Area]:
    seeds = _spread_points(rng, village.polygon, count)
    seeds.sort(key=lambda p: math.dist(p, village.centre))
    polygons = _partition(village.polygon, seeds)
    return [
        Area(
            code=f"{village.code}{number:03d}",
            name=f"{village.name}第{number}网格",
            kind="grid",
            parent_code=village.code,
            polygon=polygon,
            centre=_centre_of(polygon),
        )
        for number, polygon in enumerate(polygons, start=1)
    ]


def _build_stations(towns: list[Area]) -> list[Station]:
    """One 派出所 per town at the town's seat (always inside its own Voronoi cell)."""
    stations = []
    for town, seat in zip(towns, TOWN_SEATS, strict=True):
        short = town.name.removesuffix("街道").removesuffix("镇")
        stations.append(
            Station(f"{town.code[:9]}-PS", f"{short}派出所", town.code, seat.lng, seat.lat)
        )
    return stations


def _face_owners(faces: np.ndarray, polygons: list[BaseGeometry]) -> np.ndarray:
    """Index of the polygon holding each face; slivers where neighbours overlapped or left a
    gap go to the lowest-numbered polygon at distance zero or nearest."""
    anchors = shapely.point_on_surface(faces)
    tree = shapely.STRtree(polygons)
    face_index, polygon_index = tree.query_nearest(anchors, all_matches=True)
    owners = np.full(len(faces), len(polygons))
    np.minimum.at(owners, face_index, polygon_index)
    return owners


def _merge_by_parent(children: list[Area], polygons: list[BaseGeometry]) -> dict[str, BaseGeometry]:
    groups: dict[str, list[BaseGeometry]] = defaultdict(list)
    for child, polygon in zip(children, polygons, strict=True):
        groups[child.parent_code].append(polygon)
    return {code: _merge(parts) for code, parts in groups.items()}


def _with_polygon(area: Area, polygon: BaseGeometry) -> Area:
    return replace(area, polygon=polygon, centre=_centre_of(polygon))


def _harmonise(
    towns: list[Area], villages: list[Area], grids: list[Area]
) -> tuple[list[Area], list[Area], list[Area], BaseGeometry]:
    """Each level was cut on its own grid-rounded linework, so a child border can bend up
    to half a grid step off its parent's border. Re-noding all grid borders together and
    rebuilding villages and towns from their grids makes the nesting exact at every level."""
    noded = shapely.union_all([g.polygon.boundary for g in grids], grid_size=GRID_SIZE)
    faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(noded)))
    owners = _face_owners(faces, [g.polygon for g in grids])
    grid_polygons = [_merge(faces[owners == i]) for i in range(len(grids))]
    village_polygons = _merge_by_parent(grids, grid_polygons)
    new_villages = [_with_polygon(v, village_polygons[v.code]) for v in villages]
    town_polygons = _merge_by_parent(new_villages, [v.polygon for v in new_villages])
    new_towns = [_with_polygon(t, town_polygons[t.code]) for t in towns]
    outline = _merge_by_parent(new_towns, [t.polygon for t in new_towns])[CITY_CODE]
    new_grids = [_with_polygon(g, p) for g, p in zip(grids, grid_polygons, strict=True)]
    return new_towns, new_villages, new_grids, outline


def build_city_geography(*, seed: int = 2026, scale: str = "small") -> CityGeography:
    """Same seed and scale, same geography: towns are fixed, villages and grids seeded."""
    plan = SCALES[scale]
    rng = random.Random(seed)
    names = _NameBook(rng)
    towns = _build_towns(load_yiwu_outline())
    counts = _allocate(plan.villages_total, plan.villages_minimum, [t.polygon.area for t in towns])
    villages: list[Area] = []
    for town, seat, count in zip(towns, TOWN_SEATS, counts, strict=True):
        villages.extend(_build_villages(town, (seat.lng, seat.lat), count, rng, names))
    grids: list[Area] = []
    for village in villages:
        low, high = plan.community_grids if village.kind == "community" else plan.village_grids
        grids.extend(_build_grids(village, rng.randint(low, high), rng))
    towns, villages, grids, outline = _harmonise(towns, villages, grids)
    stations = _build_stations(towns)
    return CityGeography(CITY_CODE, CITY_NAME, outline, towns, villages, grids, stations)
