"""A gazetteer for the demo city, and the held-out phrasings the geocoder is measured on.

Real town, road and market names of Yiwu where known; house numbers are synthetic (odd on one
side, even on the other, 12 m apart along a straight road laid inside the town's outline), so
every entry lies inside its town and, where the town has grids there, in one of them."""

import math
import random
from dataclasses import dataclass

from shapely.geometry import Point, shape

from shouwang.core.models import JurisdictionNode, NodeLevel
from shouwang.gazetteer.models import AddressKind
from shouwang.gazetteer.normalise import pinyin_initials

ROADS: dict[str, tuple[str, ...]] = {
    "稠城街道": ("宾王路", "工人北路", "城中路", "稠州路", "县前街", "北门街"),
    "北苑街道": ("雪峰西路", "春华路", "凌云路"),
    "福田街道": ("福田路", "商城大道", "银海路"),
    "江东街道": ("江东路", "宗泽路"),
    "稠江街道": ("杨村路", "义乌大道"),
    "后宅街道": ("后宅大道",),
    "佛堂镇": ("佛堂大道",),
}
LANDMARKS: dict[str, tuple[str, ...]] = {
    "稠城街道": ("宾王市场", "绣湖公园", "义乌市人民医院"),
    "福田街道": ("国际商贸城", "福田湿地公园"),
    "北苑街道": ("义乌工商学院",),
    "江东街道": ("篁园服装市场",),
    "稠江街道": ("义乌火车站",),
    "佛堂镇": ("佛堂古镇",),
}
METRES_PER_DEGREE_LAT = 111_320.0
HOUSE_SPACING_M = 12.0
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass(frozen=True)
class Place:
    text: str  # the gazetteer's own phrasing: town + road + number 号, or town + name
    town: str
    base: str  # without the town: 宾王路100号, 国际商贸城
    kind: AddressKind
    lat: float
    lng: float
    number: int | None = None


def _interior_point(rng: random.Random, geom: object) -> tuple[float, float]:
    minx, miny, maxx, maxy = geom.bounds  # type: ignore[attr-defined]
    for _ in range(200):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if geom.contains(Point(x, y)):  # type: ignore[attr-defined]
            return x, y
    centre = geom.representative_point()  # type: ignore[attr-defined]
    return centre.x, centre.y


def gazetteer_places(*, seed: int, houses_per_road: int = 60) -> list[Place]:
    """Places for every town with an outline: its known roads (or one named after the town)
    with house numbers, its landmarks, and its villages and communities at their centres."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    places: list[Place] = []
    towns = JurisdictionNode.objects.filter(level=NodeLevel.TOWN, boundary__isnull=False)
    for town in towns.order_by("code"):
        assert town.boundary is not None  # filtered above
        geom = shape(town.boundary)
        short = town.name.removesuffix("街道").removesuffix("镇")
        for road in ROADS.get(town.name, (f"{short}路",)):
            x0, y0 = _interior_point(rng, geom)
            angle = rng.uniform(0, math.pi)
            dlat = HOUSE_SPACING_M / METRES_PER_DEGREE_LAT
            dlng = dlat / math.cos(math.radians(y0))
            for number in range(1, houses_per_road + 1):
                step = (number + 1) // 2
                side = 1 if number % 2 else -1
                x = x0 + step * dlng * math.cos(angle) - side * 0.00015 * math.sin(angle)
                y = y0 + step * dlat * math.sin(angle) + side * 0.00015 * math.cos(angle)
                if not geom.contains(Point(x, y)):
                    continue
                base = f"{road}{number}号"
                places.append(
                    Place(f"{town.name}{base}", town.name, base, AddressKind.HOUSE, y, x, number)
                )
        for name in LANDMARKS.get(town.name, ()):
            x, y = _interior_point(rng, geom)
            places.append(Place(f"{town.name}{name}", town.name, name, AddressKind.LANDMARK, y, x))
    villages = JurisdictionNode.objects.filter(
        level=NodeLevel.VILLAGE, centre_lat__isnull=False, centre_lng__isnull=False
    ).select_related("parent")
    for village in villages.order_by("code"):
        assert village.centre_lat is not None and village.centre_lng is not None
        town_name = village.parent.name if village.parent else ""
        kind = AddressKind.VILLAGE if village.name.endswith("村") else AddressKind.COMMUNITY
        places.append(
            Place(
                f"{town_name}{village.name}",
                town_name,
                village.name,
                kind,
                village.centre_lat,
                village.centre_lng,
            )
        )
    return places


def place_rows(places: list[Place]) -> list[tuple[int, dict[str, str]]]:
    return [
        (n, {"address": p.text, "lat": str(p.lat), "lng": str(p.lng), "kind": p.kind})
        for n, p in enumerate(places, start=2)
    ]


def held_out_phrasings(places: list[Place], *, seed: int, count: int) -> list[tuple[str, Place]]:
    """How callers say places, none of them the gazetteer's own phrasing: the number without
    号, no town, the city in front, a qualifier behind (东门外, 对面, 附近), spaces, full-width
    digits, a landmark's pinyin initials."""
    rng = random.Random(seed + 7919)  # noqa: S311 - test data, not secrets
    chosen = rng.sample(places, min(count, len(places)))
    out: list[tuple[str, Place]] = []
    for place in chosen:
        if place.kind == AddressKind.HOUSE:
            road = place.base.removesuffix(f"{place.number}号")
            forms = [
                f"{road}{place.number}",
                f"义乌市{place.town}{road}{place.number}",
                f"{road} {place.number} 号",
                f"{road}{str(place.number).translate(FULLWIDTH)}号",
                f"{road}{place.number}号对面",
                f"义乌{road}{place.number}号附近",
                # Harder: a building inside the house, the road's 路 dropped.
                f"{road}{place.number}号{rng.randint(1, 9)}幢{rng.randint(1, 3)}单元",
                f"{road.removesuffix('路')}{place.number}号",
            ]
        else:
            forms = [
                f"{place.base}东门外",
                f"{place.base}对面",
                f"义乌市{place.base}",
                f"{place.base}附近",
            ]
            if place.kind == AddressKind.LANDMARK:
                forms.append(pinyin_initials(place.base))
                # Harder: the short name people use (国际商贸城 -> 商贸城).
                if len(place.base) >= 5:
                    forms.append(place.base[2:])
        phrase = rng.choice(forms)
        if phrase == place.text:
            phrase = f"{place.base}附近"
        out.append((phrase, place))
    return out


def seed_demo_gazetteer(*, seed: int) -> int:
    from shouwang.gazetteer.services import addresses_import

    report = addresses_import(rows=place_rows(gazetteer_places(seed=seed)))
    return report.created + report.updated
