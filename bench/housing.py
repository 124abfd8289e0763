"""Rental housing at Yiwu's scale on PostgreSQL (issue #20, seed 002): 87,000 premises with
523,000 rooms and 1.3 million tenancies (current and past) loaded by COPY, then four operations
timed, each beside the plain SQL query that answers the same question (the baseline), in the
same run. Prints ONE JSON line on stdout; progress goes to stderr.

    .venv/bin/python bench/housing.py [--rooms 523000] [--tenancies 1300000] [--repeat 200]

- registration: `tenancy_register` in full (person found or created with encryption and keyed
  hashes, the one-active-tenancy check, the card from the controller's range, the occupancy
  rule) for a new person in a random room; baseline: one plain INSERT of a tenancy row.
- room: `room_state` (the room's current tenants with their active cards); baseline: SELECT of
  the room's tenancies with moved_out IS NULL.
- person: `person_tenancies` by ID number (keyed hash, scoped, audited); baseline: the join on
  the hash column.
- towns: `floating_population(by="town")` (scoped, audited), read from the population tallies
  kept at registration; baseline: the plain GROUP BY over the current tenancies joined to their
  premises' nodes (what the tallies replace). The tallies are rebuilt once after the COPY.
- import: `housing_import` of a generated .xlsx of `--import-rows` rooms (rows a second).

Bulk tenants carry a keyed hash computed with the real key, and a placeholder in place of the
AES-GCM ciphertext (the bench measures lookups, not 1.3 million encryptions); every person the
timed registrations create is encrypted as in production. The data goes to a throwaway
database, BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/shouwang_housing_bench,
its name must contain "bench"), dropped at the end.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BENCH_DB = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shouwang_housing_bench"
)
os.environ.update(DATABASE_URL=BENCH_DB, REDIS_URL="", DJANGO_SETTINGS_MODULE="shouwang.settings")
TOWNS, VILLAGES_PER_TOWN, GRIDS_PER_VILLAGE = 14, 12, 3
ROOMS_PER_PREMISES = 6  # 523,000 / 87,000


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _admin() -> tuple[str, str]:
    parsed = urlparse(BENCH_DB)
    name = parsed.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit("BENCH_DATABASE_URL must name a database containing 'bench'")
    return name, parsed._replace(path="/postgres").geturl()


def reset_database() -> None:
    import psycopg

    name, admin = _admin()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(
        [str(BIN / "shouwang"), "migrate", "--no-input", "-v0"],
        check=True,
        cwd=ROOT,
        env=os.environ.copy(),
    )


def drop_database() -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    name, admin = _admin()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def build_nodes() -> list[Any]:
    from shouwang.core.models import NodeKind, NodeLevel
    from shouwang.core.services.jurisdiction import node_create

    city = node_create(
        code="330782", name="义乌市", level=NodeLevel.CITY, kind=NodeKind.CITY, parent=None
    )
    grids = []
    for t in range(1, TOWNS + 1):
        town = node_create(
            code=f"330782{t:03d}000",
            name=f"镇街{t}",
            level=NodeLevel.TOWN,
            kind=NodeKind.STREET,
            parent=city,
        )
        for v in range(1, VILLAGES_PER_TOWN + 1):
            village = node_create(
                code=f"330782{t:03d}{v:03d}",
                name=f"镇街{t}村社{v}",
                level=NodeLevel.VILLAGE,
                kind=NodeKind.VILLAGE,
                parent=town,
            )
            for g in range(1, GRIDS_PER_VILLAGE + 1):
                grids.append(
                    node_create(
                        code=f"{village.code}{g:03d}",
                        name=f"{village.name}网格{g}",
                        level=NodeLevel.GRID,
                        kind=NodeKind.GRID,
                        parent=village,
                    )
                )
    return grids


def copy_rows(table: str, columns: list[str], rows: Any) -> None:
    from django.db import connection

    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def reset_sequence(table: str) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        sql = "SELECT setval(pg_get_serial_sequence('{0}', 'id'), (SELECT max(id) FROM {0}))"
        cursor.execute(sql.format(table))


def load(rooms: int, tenancies: int, grids: list[Any]) -> dict[str, Any]:
    """COPY premises, rooms, room specs, controllers, people and tenancies. Returns the ID
    numbers of a sample of people with their tenancies, for the lookups."""
    from django.utils import timezone

    from shouwang.core.pii import make_id_number, mask_id_number
    from shouwang.core.services.pii import keyring

    rng = random.Random(20)
    now = timezone.now()
    premises_count = -(-rooms // ROOMS_PER_PREMISES)  # the last premises may have fewer rooms
    started = time.perf_counter()
    copy_rows(
        "places_premises",
        ["id", "code", "name", "kind", "address", "node_id", "created_at", "updated_at"],
        (
            (
                i,
                f"RH{i:07d}",
                f"出租屋{i}",
                "rental_house",
                f"路{i}号",
                grids[i % len(grids)].pk,
                now,
                now,
            )
            for i in range(1, premises_count + 1)
        ),
    )
    copy_rows(
        "places_room",
        ["id", "premises_id", "number", "floor"],
        (
            (r, (r - 1) // ROOMS_PER_PREMISES + 1, f"{(r - 1) % ROOMS_PER_PREMISES + 101}", 1)
            for r in range(1, rooms + 1)
        ),
    )
    copy_rows(
        "housing_roomspec",
        ["room_id", "area_m2", "beds"],
        ((r, 12 + r % 10, 2) for r in range(1, rooms + 1)),
    )
    copy_rows(
        "housing_doorcontroller",
        [
            "id",
            "premises_id",
            "serial",
            "card_range_start",
            "card_range_end",
            "next_card",
            "list_version",
            "acked_version",
            "push_attempts",
        ],
        (
            (i, i, f"D{i:07d}", 10000001, 19999999, 10000001, 0, 0, 0)
            for i in range(1, premises_count + 1)
        ),
    )
    say(f"  premises, rooms, controllers: {time.perf_counter() - started:.1f} s")

    ring = keyring()
    people = int(tenancies / 1.3)
    sample: dict[str, int] = {}
    started = time.perf_counter()

    def person_rows() -> Any:
        birth0 = date(1960, 1, 1)
        for p in range(1, people + 1):
            # Unique per person: the birth date steps every 1,000 sequence numbers.
            number = make_id_number("330782", birth0 + timedelta(days=p // 1000), p % 1000)
            if p % (people // 100) == 0:
                sample[number] = p
            yield (
                p,
                "v1.bench.placeholder",
                "",
                "*",
                "v1.bench.placeholder",
                ring.blind_index(number, purpose="id_number"),
                mask_id_number(number),
                "",
                "",
                "",
                "v1.bench.placeholder",
                "",
                "138****0000",
                "CHN",
                now,
            )

    copy_rows(
        "housing_person",
        [
            "id",
            "full_name_cipher",
            "full_name_hash",
            "full_name_masked",
            "id_number_cipher",
            "id_number_hash",
            "id_number_masked",
            "passport_number_cipher",
            "passport_number_hash",
            "passport_number_masked",
            "phone_cipher",
            "phone_hash",
            "phone_masked",
            "nationality",
            "created_at",
        ],
        person_rows(),
    )
    say(f"  {people} people: {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    today = timezone.localdate()
    current = int(people * 0.9)

    def tenancy_rows() -> Any:
        t = 0
        # Every person has one tenancy, current for 90 %; the rest of the 1.3 M are past ones.
        for p in range(1, people + 1):
            t += 1
            moved_in = today - timedelta(days=30 + p % 700)
            out = None if p <= current else moved_in + timedelta(days=20)
            yield (t, rng.randint(1, rooms), p, moved_in, out, now, False, False, False)
        for _ in range(tenancies - people):
            t += 1
            p = rng.randint(1, people)
            moved_in = today - timedelta(days=800 + rng.randint(0, 1500))
            yield (
                t,
                rng.randint(1, rooms),
                p,
                moved_in,
                moved_in + timedelta(days=60),
                now,
                False,
                False,
                False,
            )

    copy_rows(
        "housing_tenancy",
        [
            "id",
            "room_id",
            "person_id",
            "moved_in",
            "moved_out",
            "registered_at",
            "registered_late",
            "cancelled_late",
            "over_occupancy",
        ],
        tenancy_rows(),
    )
    for table in (
        "places_premises",
        "places_room",
        "housing_doorcontroller",
        "housing_person",
        "housing_tenancy",
    ):
        reset_sequence(table)
    from django.db import connection

    say(f"  {tenancies} tenancies: {time.perf_counter() - started:.1f} s")
    from shouwang.housing.services.tallies import population_tallies_rebuild

    started = time.perf_counter()
    tallies = population_tallies_rebuild()
    tallies_s = time.perf_counter() - started
    say(f"  {tallies} population tallies rebuilt: {tallies_s:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "sample": sample,
        "premises": premises_count,
        "people": people,
        "tallies_rebuild_s": round(tallies_s, 1),
    }


def timed(repeat: int, run: Callable[[int], object]) -> dict[str, float]:
    laps = []
    for i in range(repeat):
        started = time.perf_counter()
        run(i)
        laps.append((time.perf_counter() - started) * 1000)
    laps.sort()
    return {
        "p50_ms": round(statistics.median(laps), 2),
        "p95_ms": round(laps[int(len(laps) * 0.95) - 1], 2),
        "max_ms": round(laps[-1], 2),
    }


def plain(sql: str, params: list[Any]) -> Callable[[int], object]:
    from django.db import connection

    def run(_: int) -> object:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    return run


def measure(args: argparse.Namespace, data: dict[str, Any]) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from shouwang.core.models import JurisdictionNode, Role
    from shouwang.core.pii import make_id_number
    from shouwang.core.services.people import person_create
    from shouwang.core.services.pii import pii_lookup_hash
    from shouwang.housing import selectors
    from shouwang.housing.services.tenancies import tenancy_register
    from shouwang.places.models import Room

    city = JurisdictionNode.objects.get(code="330782")
    grid_worker = person_create(username="bench-grid", role=Role.RESPONDER, node=city)
    police = person_create(username="bench-police", role=Role.DISPATCHER, node=city)
    rng = random.Random(7)
    rooms = args.rooms
    result: dict[str, Any] = {}

    def register(i: int) -> None:
        room = Room.objects.select_related("premises__node").get(pk=rng.randint(1, rooms))
        tenancy_register(
            actor=grid_worker,
            room=room,
            name="王小明",
            phone="13900001111",
            id_number=make_id_number("110101", date(2000, 1, 1) + timedelta(days=i), 7),
            moved_in=timezone.localdate(),
        )

    def register_plain(i: int) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO housing_tenancy (room_id, person_id, moved_in, registered_at, "
                "registered_late, cancelled_late, over_occupancy) VALUES (%s, %s, %s, now(), "
                "false, false, false)",
                [rng.randint(1, rooms), data["people"] - i, timezone.localdate()],
            )
            transaction.set_rollback(True)  # the person already lives somewhere: not kept

    say("timing registration")
    result["registration"] = timed(args.repeat, register)
    result["registration_baseline_plain_insert"] = timed(args.repeat, register_plain)

    room_ids = [rng.randint(1, rooms) for _ in range(args.repeat)]

    def room_now(i: int) -> None:
        room = Room.objects.select_related("premises__node", "spec").get(pk=room_ids[i])
        state = selectors.room_state(room=room)
        [t.person.id_number_masked for t in state.tenancies]

    say("timing a room's current tenants")
    result["room_current_tenants"] = timed(args.repeat, room_now)
    result["room_current_tenants_baseline_plain"] = timed(
        args.repeat,
        lambda i: plain(
            "SELECT t.id, p.full_name_masked, p.id_number_masked FROM housing_tenancy t "
            "JOIN housing_person p ON p.id = t.person_id "
            "WHERE t.room_id = %s AND t.moved_out IS NULL",
            [room_ids[i]],
        )(i),
    )

    numbers = list(data["sample"])

    def history(i: int) -> None:
        found = selectors.person_tenancies(user=police, id_number=numbers[i % len(numbers)])
        assert found

    say("timing a person's history by ID number")
    result["person_history"] = timed(args.repeat, history)
    result["person_history_baseline_plain"] = timed(
        args.repeat,
        lambda i: plain(
            "SELECT t.* FROM housing_tenancy t JOIN housing_person p ON p.id = t.person_id "
            "WHERE p.id_number_hash = %s ORDER BY t.moved_in DESC",
            [pii_lookup_hash(field="id_number", value=numbers[i % len(numbers)])],
        )(i),
    )

    say("timing town counts")
    towns_repeat = max(5, args.repeat // 20)
    result["town_counts"] = timed(
        towns_repeat, lambda i: selectors.floating_population(user=police, by="town")
    )
    result["town_counts_baseline_plain"] = timed(
        towns_repeat,
        plain(
            "SELECT substr(n.path, 9, 12) AS town, count(*) FROM housing_tenancy t "
            "JOIN places_room r ON r.id = t.room_id JOIN places_premises p ON p.id = "
            "r.premises_id JOIN core_jurisdictionnode n ON n.id = p.node_id "
            "WHERE t.moved_out IS NULL GROUP BY 1",
            [],
        ),
    )
    return result


def measure_import(rows: int) -> dict[str, Any]:
    from openpyxl import Workbook

    from shouwang.housing.importing import housing_import

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["场所编码", "场所名称", "辖区代码", "房间号", "楼层", "面积", "床位"])
    for i in range(rows):
        grid = f"330782001001{1 + i % GRIDS_PER_VILLAGE:03d}"
        sheet.append([f"IMP{i // 6:06d}", f"导入楼{i // 6}", grid, f"{101 + i % 6}", 1, 15, 2])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rooms.xlsx"
        book.save(path)
        started = time.perf_counter()
        first = housing_import(path=path)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        again = housing_import(path=path)
        again_s = time.perf_counter() - started
    assert not first.errors and first.rooms == rows and again.premises_created == 0
    return {
        "import_rows": rows,
        "import_rows_per_s": round(rows / first_s),
        "reimport_rows_per_s": round(rows / again_s),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rooms", type=int, default=523_000)
    parser.add_argument("--tenancies", type=int, default=1_300_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--import-rows", type=int, default=3000)
    parser.add_argument("--keep", action="store_true", help="leave the database behind")
    args = parser.parse_args()
    say(f"creating {BENCH_DB}")
    reset_database()
    import django

    django.setup()
    try:
        say("loading")
        grids = build_nodes()
        started = time.perf_counter()
        data = load(args.rooms, args.tenancies, grids)
        load_s = time.perf_counter() - started
        figures = measure(args, data)
        figures.update(measure_import(args.import_rows))
        print(
            json.dumps(
                {
                    "rooms": args.rooms,
                    "premises": data["premises"],
                    "people": data["people"],
                    "tenancies": args.tenancies,
                    "load_s": round(load_s, 1),
                    "tallies_rebuild_s": data["tallies_rebuild_s"],
                    "repeat": args.repeat,
                    **figures,
                },
                ensure_ascii=False,
            )
        )
    finally:
        if not args.keep:
            drop_database()


if __name__ == "__main__":
    main()
