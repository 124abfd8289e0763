"""Matching one new call against a million stored calls with the insight same-matter model
(docs/insight.md): the index blocks by person, place (grid cells and the address key) and time
(7 days) before any text is compared. Baseline in the same run: blocking by time alone (every
call of the last 7 days scored). Prints one JSON line.

    .venv/bin/python bench/insight_match.py [--calls 1000000] [--probes 500]

Stored calls take their wording from the generator's test split and are spread over a year,
over the whole city (about 15 x 15 km), from 300,000 phones."""

import argparse
import json
import os
import random
import statistics
import sys
import time
from dataclasses import replace
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouwang.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--probes", type=int, default=500)
    parser.add_argument("--baseline-probes", type=int, default=10)
    args = parser.parse_args()

    import django

    django.setup()
    from threadpoolctl import threadpool_limits

    threadpool_limits(1)
    from shouwang.insight.ml import artifacts, matter, synth

    trained = artifacts.models()
    templates = [x.call for x in synth.dataset("test", matters=1200)]
    rng = random.Random(17)
    phones = [f"k{i}" for i in range(300_000)]
    year = 365 * 86400
    offsets = sorted(rng.uniform(0, year) for _ in range(args.calls))
    index = matter.MatterIndex(trained.pair)
    started = time.perf_counter()
    for i, offset in enumerate(offsets):
        t = templates[i % len(templates)]
        call = replace(
            t,
            id=f"s{i}",
            received_at=synth.START + timedelta(seconds=offset),
            caller=rng.choice(phones),
            lat=synth.CENTRE[0] + rng.uniform(-0.07, 0.07),
            lng=synth.CENTRE[1] + rng.uniform(-0.08, 0.08),
        )
        index.insert(matter.prepare(call), call.id)
    loaded = time.perf_counter() - started

    end = synth.START + timedelta(seconds=year)
    probes = []
    for i in range(args.probes):
        t = templates[rng.randrange(len(templates))]
        probes.append(
            matter.prepare(
                replace(
                    t,
                    id=f"p{i}",
                    received_at=end + timedelta(seconds=i),
                    caller=rng.choice(phones),
                    lat=synth.CENTRE[0] + rng.uniform(-0.07, 0.07),
                    lng=synth.CENTRE[1] + rng.uniform(-0.08, 0.08),
                )
            )
        )
    timings, candidates = [], []
    for probe in probes:
        t0 = time.perf_counter()
        found = index.candidates(probe)
        index.match(probe)
        timings.append((time.perf_counter() - t0) * 1000)
        candidates.append(len(found))

    # Baseline: every stored call of the last 7 days is a candidate, all scored.
    since = end - matter.WINDOW
    recent = [p for bucket in index.by_cell.values() for p in bucket if p.call.received_at >= since]
    base = []
    for probe in probes[: args.baseline_probes]:
        t0 = time.perf_counter()
        trained.pair.probabilities([matter.features(c, probe) for c in recent])
        base.append((time.perf_counter() - t0) * 1000)

    timings.sort()
    print(
        json.dumps(
            {
                "bench": "insight_match",
                "stored_calls": args.calls,
                "load_s": round(loaded, 1),
                "probes": args.probes,
                "match_ms_median": round(statistics.median(timings), 2),
                "match_ms_p99": round(timings[int(len(timings) * 0.99) - 1], 2),
                "candidates_median": statistics.median(candidates),
                "baseline_time_only_candidates": len(recent),
                "baseline_time_only_ms_median": round(statistics.median(base), 1),
                "python": sys.version.split()[0],
            }
        )
    )


if __name__ == "__main__":
    main()
