"""KPIs at city scale: a city-wide 90-day KPI (cases, 8-minute arrivals, diverted, by category)
answered from a rollup (day x node x category x channel) beside a plain GROUP BY over the case
table, in the same run, on PostgreSQL. Prints one JSON line. As in the product
(insight.services.rollups_refresh), each case counts at its node and at every ancestor (village,
town, city), so the city's KPI reads only the city's own rows.

    .venv/bin/python bench/kpi.py [--cases 1000000] [--database shouwang_insight_bench] [--keep]

It creates its own database (dropped afterwards unless --keep), loads the cases with COPY into a
table shaped like the case table's KPI columns (plus a description column for a realistic row
width), builds the rollup with one INSERT ... SELECT ... GROUP BY, and times each query
`--runs` times (median). The server is taken from DATABASE_URL's host (default 127.0.0.1)."""

import argparse
import json
import os
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import urlparse

import psycopg

DAYS = 400
TOWNS = 14
VILLAGES = 20
CATEGORIES = 40
CHANNELS = ("110", "12345", "web", "app", "device", "patrol")
PLAIN = """
SELECT category_id, count(*), sum(arrival_needed::int), sum(arrived_8::int), sum(diverted::int)
FROM bench_case
WHERE received_at >= %s AND received_at < %s AND node_path LIKE '330782%%' AND state <> 'merged'
GROUP BY category_id
"""
ROLLUP = """
SELECT category_id, sum(cases), sum(arrival_needed), sum(arrived_8), sum(diverted)
FROM bench_rollup
WHERE day >= %s AND day < %s AND node_path = '330782'
GROUP BY category_id
"""
LEVELS = (6, 12, 15)  # city, town, village: each case counts at its node and every ancestor
BUILD = """
INSERT INTO bench_rollup
SELECT (received_at AT TIME ZONE 'Asia/Shanghai')::date, substr(node_path, 1, {n}), category_id,
       channel, count(*), sum(arrival_needed::int), sum(arrived_8::int), sum(diverted::int)
FROM bench_case WHERE state <> 'merged'
GROUP BY 1, 2, 3, 4
"""


def connect(url: str, database: str) -> psycopg.Connection:
    parts = urlparse(url or "postgres://postgres@127.0.0.1:5432/postgres")
    return psycopg.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname=database,
        autocommit=True,
    )


def timed(conn: psycopg.Connection, sql: str, params: tuple[object, ...], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        conn.execute(sql, params).fetchall()
        times.append((time.perf_counter() - t0) * 1000)
    return round(statistics.median(times), 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--database", default="shouwang_insight_bench")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    admin = connect(url, "postgres")
    admin.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
    admin.execute(f'CREATE DATABASE "{args.database}"')
    try:
        conn = connect(url, args.database)
        conn.execute(
            "CREATE TABLE bench_case (id bigserial PRIMARY KEY, received_at timestamptz NOT NULL,"
            " node_path text NOT NULL, category_id int NOT NULL, channel text NOT NULL,"
            " state text NOT NULL, arrival_needed bool NOT NULL, arrived_8 bool NOT NULL,"
            " diverted bool NOT NULL, description text NOT NULL)"
        )
        conn.execute(
            "CREATE TABLE bench_rollup (day date, node_path text, category_id int, channel text,"
            " cases int, arrival_needed int, arrived_8 int, diverted int)"
        )
        rng = random.Random(17)
        end = datetime(2026, 12, 1, tzinfo=UTC)
        nodes = [
            f"330782{t:03d}{v:03d}" for t in range(1, TOWNS + 1) for v in range(1, VILLAGES + 1)
        ]
        started = time.perf_counter()
        columns = "received_at, node_path, category_id, channel, state, arrival_needed, arrived_8, diverted, description"  # noqa: E501
        with (
            conn.cursor() as cursor,
            cursor.copy(f"COPY bench_case ({columns}) FROM STDIN") as copy,
        ):
            for _ in range(args.cases):
                needed = rng.random() < 0.6
                copy.write_row(
                    (
                        end - timedelta(seconds=rng.uniform(0, DAYS * 86400)),
                        rng.choice(nodes),
                        rng.randint(1, CATEGORIES),
                        rng.choice(CHANNELS),
                        "merged" if rng.random() < 0.05 else "closed",
                        needed,
                        needed and rng.random() < 0.8,
                        rng.random() < 0.1,
                        "来电称小区门口有人打架，请求处理" * 2,
                    )
                )
        loaded = time.perf_counter() - started
        conn.execute("CREATE INDEX ON bench_case (received_at)")
        conn.execute("CREATE INDEX ON bench_case (node_path text_pattern_ops, received_at)")
        t0 = time.perf_counter()
        for n in LEVELS:
            conn.execute(BUILD.format(n=n))
        built = time.perf_counter() - t0
        conn.execute("CREATE INDEX ON bench_rollup (node_path, day)")
        conn.execute("VACUUM ANALYZE bench_case")
        conn.execute("VACUUM ANALYZE bench_rollup")
        rollup_rows = conn.execute("SELECT count(*) FROM bench_rollup").fetchone()
        since = end - timedelta(days=90)
        plain_ms = timed(conn, PLAIN, (since, end), args.runs)
        rollup_ms = timed(conn, ROLLUP, (since.date(), end.date()), args.runs)
        conn.close()
    finally:
        if not args.keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.database}"')
        admin.close()
    print(
        json.dumps(
            {
                "bench": "kpi",
                "cases": args.cases,
                "rollup_rows": rollup_rows[0] if rollup_rows else None,
                "copy_s": round(loaded, 1),
                "rollup_build_s": round(built, 1),
                "city_90_days_plain_group_by_ms": plain_ms,
                "city_90_days_rollup_ms": rollup_ms,
            }
        )
    )


if __name__ == "__main__":
    main()
