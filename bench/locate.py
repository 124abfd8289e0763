"""Point-in-grid lookups per second at city scale: the STRtree index against a plain loop over
every grid polygon (the baseline), on the same points in the same run. Prints one JSON line.

    .venv/bin/python bench/locate.py [--points 20000]
"""

import argparse
import json
import os
import random
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouwang.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--points", type=int, default=20000)
    args = parser.parse_args()

    import shapely
    from shapely.geometry import Point
    from shapely.strtree import STRtree

    from shouwang.core.demo.geography import build_city_geography

    geo = build_city_geography(scale="city")
    polygons = [g.polygon for g in geo.grids]
    for polygon in polygons:
        shapely.prepare(polygon)
    tree = STRtree(polygons)
    minx, miny, maxx, maxy = geo.outline.bounds
    rng = random.Random(1)
    points = [Point(rng.uniform(minx, maxx), rng.uniform(miny, maxy)) for _ in range(args.points)]

    started = time.perf_counter()
    indexed = [tree.query(p, predicate="intersects") for p in points]
    index_s = time.perf_counter() - started

    sample = points[: max(1, args.points // 20)]
    started = time.perf_counter()
    looped = [[i for i, poly in enumerate(polygons) if poly.intersects(p)] for p in sample]
    loop_s = time.perf_counter() - started

    agree = all(sorted(map(int, indexed[i])) == looped[i] for i in range(len(sample)))
    print(
        json.dumps(
            {
                "grids": len(polygons),
                "points": args.points,
                "strtree_lookups_per_s": round(args.points / index_s),
                "baseline_loop_lookups_per_s": round(len(sample) / loop_s),
                "speedup": round((args.points / index_s) / (len(sample) / loop_s), 1),
                "results_agree": agree,
            }
        )
    )
    sys.exit(0 if agree else 1)


if __name__ == "__main__":
    main()
