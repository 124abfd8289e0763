"""Offline geocoding hit rate (issue 15): the demo city's geography and gazetteer (real Yiwu
town, road and market names, synthetic house numbers) in a throwaway SQLite database, then a
held-out list of phrasings callers use (no 号, town or city in front or not, 东门外/对面/附近,
spaces, full-width digits, a landmark's pinyin initials) — never the gazetteer's own text —
each with the position of the place it means. A hit: the first answer lies within 100 m of it.
Prints ONE JSON line on stdout.

    .venv/bin/python bench/geocode.py [--phrasings 2000] [--houses-per-road 200] [--seed 7]
"""

import argparse
import json
import math
import os
import sys
import tempfile
import time
from pathlib import Path


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = (a[0] - b[0]) * 111_320
    dlng = (a[1] - b[1]) * 111_320 * math.cos(math.radians(a[0]))
    return math.hypot(dlat, dlng)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phrasings", type=int, default=2000)
    parser.add_argument("--houses-per-road", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="bench_geocode_"))
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["REDIS_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouwang.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from tqdm import tqdm

    from shouwang.core.demo.geography import build_city_geography
    from shouwang.core.demo.seeding import _create_nodes
    from shouwang.gazetteer.demo import gazetteer_places, held_out_phrasings, place_rows
    from shouwang.gazetteer.selectors import gazetteer_index, geocode
    from shouwang.gazetteer.services import addresses_import

    call_command("migrate", verbosity=0)
    _create_nodes(build_city_geography(scale="small"), tqdm(disable=True))
    places = gazetteer_places(seed=2026, houses_per_road=args.houses_per_road)
    started = time.perf_counter()
    report = addresses_import(rows=place_rows(places))
    import_s = time.perf_counter() - started
    gazetteer_index()  # built once, as a web process does on its first query

    asked = held_out_phrasings(places, seed=args.seed, count=args.phrasings)
    hits, by_form, latencies = 0, {"house": [0, 0], "other": [0, 0]}, []
    for phrase, place in asked:
        started = time.perf_counter()
        found = geocode(q=phrase, limit=1)
        latencies.append(time.perf_counter() - started)
        hit = bool(found) and metres((found[0].lat, found[0].lng), (place.lat, place.lng)) <= 100
        hits += hit
        form = by_form["house" if place.kind == "house" else "other"]
        form[0] += hit
        form[1] += 1
    latencies.sort()
    print(
        json.dumps(
            {
                "gazetteer_entries": report.created,
                "import_rows_per_s": round(report.created / import_s),
                "phrasings": len(asked),
                "hit_rate_100m": round(hits / len(asked), 3),
                "hit_rate_house_numbers": round(
                    by_form["house"][0] / max(1, by_form["house"][1]), 3
                ),
                "hit_rate_places_and_landmarks": round(
                    by_form["other"][0] / max(1, by_form["other"][1]), 3
                ),
                "query_p50_ms": round(latencies[len(latencies) // 2] * 1000, 2),
                "query_p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
            }
        )
    )
    sys.exit(0)


if __name__ == "__main__":
    main()
