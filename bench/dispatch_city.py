"""The minimal city for bench/dispatch.py, built with the project's own services in a freshly
migrated database: city 330782 → one town (稠城街道) → one village → four grids, the town's police
station, one dispatcher and K responders of the station, all in the town, so the dispatcher may
name every responder. Run by bench/dispatch.py with the server's environment; prints one JSON
line (usernames, the town's bounding box, category codes) on stdout.

    BENCH_PASSWORD=... .venv/bin/python bench/dispatch_city.py --responders 20
"""

import argparse
import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouwang.settings")

CITY, TOWN, VILLAGE = "330782", "330782001000", "330782001001"
LNG, LAT, SIZE = 120.0, 29.0, 0.2  # the town's square, in degrees (about 20 km a side)
GRIDS_PER_SIDE = 2
# Police matters a 110 dispatcher sends a responder to; all exist in the default taxonomy.
CATEGORIES = ["fight", "theft", "traffic_accident", "disturbance", "suspicious", "rescue"]


def square(lng: float, lat: float, size: float) -> dict[str, object]:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def build(responders: int, password: str) -> dict[str, object]:
    import django

    django.setup()
    from django.db import transaction

    from shouwang.cases.models import Category
    from shouwang.core.models import NodeKind, NodeLevel, Role, UnitKind, User
    from shouwang.core.services.jurisdiction import node_create, unit_create
    from shouwang.core.services.people import person_create

    missing = set(CATEGORIES) - set(
        Category.objects.filter(code__in=CATEGORIES, is_active=True).values_list("code", flat=True)
    )
    if missing:
        raise SystemExit(f"categories missing from the migrated taxonomy: {sorted(missing)}")
    with transaction.atomic():
        city = node_create(
            code=CITY,
            name="义乌市",
            level=NodeLevel.CITY,
            kind=NodeKind.CITY,
            parent=None,
            boundary=square(LNG, LAT, 2 * SIZE),
        )
        town = node_create(
            code=TOWN,
            name="稠城街道",
            level=NodeLevel.TOWN,
            kind=NodeKind.STREET,
            parent=city,
            boundary=square(LNG, LAT, SIZE),
            centre=(LNG + SIZE / 2, LAT + SIZE / 2),
        )
        village = node_create(
            code=VILLAGE,
            name="稠城一社区",
            level=NodeLevel.VILLAGE,
            kind=NodeKind.COMMUNITY,
            parent=town,
            boundary=square(LNG, LAT, SIZE),
        )
        step = SIZE / GRIDS_PER_SIDE
        for i in range(GRIDS_PER_SIDE * GRIDS_PER_SIDE):
            column, row = divmod(i, GRIDS_PER_SIDE)
            node_create(
                code=f"{VILLAGE}{i + 1:03d}",
                name=f"稠城一社区第{i + 1}网格",
                level=NodeLevel.GRID,
                kind=NodeKind.GRID,
                parent=village,
                boundary=square(LNG + column * step, LAT + row * step, step),
            )
        station = unit_create(
            code="PS-BENCH",
            name="稠城派出所",
            kind=UnitKind.POLICE_STATION,
            node=town,
            location=(LNG + SIZE / 2, LAT + SIZE / 2),
        )
        dispatcher = person_create(
            username="bench_dispatcher",
            role=Role.DISPATCHER,
            node=town,
            password=password,
            full_name="指挥中心值班员",
            unit=station,
        )
        names = [f"bench_responder_{i:03d}" for i in range(responders)]
        first = person_create(
            username=names[0],
            role=Role.RESPONDER,
            node=town,
            password=password,
            full_name="民警0",
            unit=station,
        )
        for i, name in enumerate(names[1:], start=1):
            person_create(
                username=name, role=Role.RESPONDER, node=town, full_name=f"民警{i}", unit=station
            )
        # One password hash for all (hashing K times would cost K × ~0.5 s of PBKDF2).
        User.objects.filter(username__in=names[1:]).update(password=first.password)
    return {
        "dispatcher": dispatcher.username,
        "responders": names,
        "categories": CATEGORIES,
        "box": [LNG, LAT, LNG + SIZE, LAT + SIZE],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--responders", type=int, required=True)
    args = parser.parse_args()
    password = os.environ.get("BENCH_PASSWORD", "")
    if not password:
        raise SystemExit("BENCH_PASSWORD is not set")
    print(json.dumps(build(max(1, args.responders), password)), flush=True)


if __name__ == "__main__":
    main()
