"""Issue #16 at city scale on PostgreSQL: 100,000 premises, 500,000 inspections and 60,000
hazards (with their cases) in a 14-town city, then the timings of the reads that must stay
under 300 ms — the premises list page (as a town inspector and as the city leader) and the
hazard KPI with its children — each next to a plain GROUP BY baseline over the same rows in the
same run. Prints one JSON line.

    createdb -h 127.0.0.1 -U postgres shouwang_premises_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shouwang_premises_bench \\
        .venv/bin/python bench/inspections_scale.py --premises 100000 --inspections 500000

The rows go in with INSERT ... SELECT generate_series (a minute, not an hour); the reads are
the app's own selectors, timed with the database warm (median of 7 runs).
"""

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouwang.settings")

TOWNS, VILLAGES, GRIDS = 14, 10, 5  # 700 grids


def timed(run: Callable[[], object], repeat: int = 7) -> float:
    run()  # warm
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 1)


def build(premises: int, inspections: int, hazards: int) -> dict[str, object]:
    from django.core.management import call_command
    from django.db import connection, transaction

    from shouwang.core.models import JurisdictionNode, NodeKind, NodeLevel, Role, User
    from shouwang.core.services.jurisdiction import node_create
    from shouwang.core.services.people import person_create

    call_command("migrate", verbosity=0)
    if JurisdictionNode.objects.filter(code="330782").exists():
        return {"built": False}
    started = time.perf_counter()
    with transaction.atomic():
        city = node_create(
            code="330782", name="义乌市", level=NodeLevel.CITY, kind=NodeKind.CITY, parent=None
        )
        for t in range(1, TOWNS + 1):
            town = node_create(
                code=f"330782{t:03d}000",
                name=f"镇街{t}",
                level=NodeLevel.TOWN,
                kind=NodeKind.STREET,
                parent=city,
            )
            person_create(
                username=f"inspector_{t}",
                role=Role.INSPECTOR,
                node=town,
                password=None,
            )
            for v in range(1, VILLAGES + 1):
                village = node_create(
                    code=f"330782{t:03d}{v:03d}",
                    name=f"村社{t}-{v}",
                    level=NodeLevel.VILLAGE,
                    kind=NodeKind.COMMUNITY,
                    parent=town,
                )
                for g in range(1, GRIDS + 1):
                    node_create(
                        code=f"{village.code}{g:03d}",
                        name=f"网格{t}-{v}-{g}",
                        level=NodeLevel.GRID,
                        kind=NodeKind.GRID,
                        parent=village,
                    )
        person_create(username="leader", role=Role.LEADER, node=city, password=None)
    inspector = User.objects.get(username="inspector_1").pk
    with connection.cursor() as cursor, transaction.atomic():
        cursor.execute(
            """
            INSERT INTO places_premises (code, name, kind, address, lat, lng, node_id, qr_token,
                                         stars, created_at, updated_at)
            WITH grids AS (
                SELECT array_agg(id ORDER BY id) AS ids FROM core_jurisdictionnode
                WHERE level = 'grid'
            )
            SELECT 'P' || lpad(i::text, 7, '0'), '出租房' || i, 'rental_house', '', 29.1, 120.1,
                   grids.ids[1 + i %% array_length(grids.ids, 1)], md5(i::text), 1 + (i %% 5),
                   now(), now()
            FROM generate_series(1, %s) i, grids
            """,
            [premises],
        )
        cursor.execute("SELECT id FROM inspections_checklisttemplate WHERE code = 'rental_fire'")
        template = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO inspections_inspection (premises_id, template_id, inspector_id, node_id,
                idempotency_key, failed_count, far_from_premises, created_at)
            SELECT p.id, %s, %s, p.node_id, 'bench-' || i, i %% 3, false,
                   now() - (i %% 365) * interval '1 day'
            FROM generate_series(1, %s) i
            JOIN places_premises p ON p.code = 'P' || lpad((1 + i %% %s)::text, 7, '0')
            """,
            [template, inspector, inspections, premises],
        )
        cursor.execute("SELECT id FROM cases_category WHERE code = 'rental_fire_hazard'")
        category = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO cases_case (receipt_code, kind, channel, category_id, priority, state,
                address, node_id, reporter_name, caller_phone_cipher, caller_phone_hash,
                caller_phone_masked, confidential, description, received_at, sla, round,
                escalation_level, reopened_count, diverted, created_at, updated_at, closed_at)
            SELECT 'B' || lpad(i::text, 9, '0'), 'hazard', 'inspection', %s, 3,
                   CASE WHEN i %% 20 < 19 THEN 'closed' ELSE 'received' END,
                   '', p.node_id, '', '', '', '', false, '出租房消防隐患',
                   now() - (i %% 365) * interval '1 day', '{}', 1, 0, 0, false, now(), now(),
                   CASE WHEN i %% 20 < 19 THEN now() ELSE NULL END
            FROM generate_series(1, %s) i
            JOIN places_premises p ON p.code = 'P' || lpad((1 + i * 7 %% %s)::text, 7, '0')
            """,
            [category, hazards, premises],
        )
        cursor.execute(
            """
            INSERT INTO inspections_hazard (case_id, premises_id, node_id, level, status,
                found_at, first_deadline, deadline, rounds, escalated_round, closed_at)
            SELECT c.id, p.id, c.node_id, 'general',
                   CASE WHEN c.state = 'closed' THEN 'closed' ELSE 'awaiting_rectification' END,
                   c.received_at, c.received_at + interval '7 days',
                   c.received_at + interval '7 days', 1, 0,
                   CASE WHEN c.state = 'closed'
                        THEN c.received_at + (c.id %% 10) * interval '1 day' END
            FROM cases_case c
            JOIN places_premises p ON p.code = 'P' || lpad((1 + substr(c.receipt_code, 2)::int
                 * 7 %% %s)::text, 7, '0')
            WHERE c.receipt_code LIKE 'B%%'
            """,
            [premises],
        )
        cursor.execute("ANALYZE")
    return {"built": True, "build_s": round(time.perf_counter() - started, 1)}


def measure() -> dict[str, object]:
    from django.core.paginator import Paginator
    from django.db import connection
    from django.utils import timezone

    from shouwang.core.models import User
    from shouwang.inspections.models import InspectionPlan
    from shouwang.inspections.selectors import hazard_kpi, plan_progress
    from shouwang.inspections.services.plans import plan_generate
    from shouwang.places.selectors import premises_list

    inspector = User.objects.get(username="inspector_1")
    leader = User.objects.get(username="leader")

    def premises_page(user: User) -> Callable[[], object]:
        def run() -> object:
            page = Paginator(premises_list(user=user), 30).get_page(50)
            return [(p.code, p.stars, p.node.name) for p in page]

        return run

    def kpi(user: User, node: str) -> Callable[[], object]:
        return lambda: hazard_kpi(user=user, node_code=node)

    def baseline(sql: str, params: list[object] | None = None) -> Callable[[], object]:
        def run() -> object:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                return cursor.fetchall()

        return run

    plans = {}
    for code, user in (("330782", leader), ("330782001000", inspector)):
        plan = InspectionPlan.objects.filter(node__code=code).first()
        if plan is None:
            started = time.perf_counter()
            plan = plan_generate(actor=user, node_code=code, year=timezone.localdate().year)
            plans[f"plan_generate_{len(code)}_s"] = round(time.perf_counter() - started, 1)
        plans[code] = plan.pk

    def progress(user: User, plan_id: int) -> Callable[[], object]:
        return lambda: plan_progress(user=user, plan_id=plan_id)

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM places_premises")
        premises = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM inspections_inspection")
        inspections = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM inspections_hazard")
        hazards = cursor.fetchone()[0]
    return {
        "premises": premises,
        "inspections": inspections,
        "hazards": hazards,
        "premises_page_town_ms": timed(premises_page(inspector)),
        "premises_page_city_ms": timed(premises_page(leader)),
        "kpi_city_ms": timed(kpi(leader, "330782")),
        "kpi_town_ms": timed(kpi(inspector, "330782001000")),
        "plan_progress_city_ms": timed(progress(leader, plans["330782"])),
        "plan_progress_town_ms": timed(progress(inspector, plans["330782001000"])),
        "plan_generate_s": {k: v for k, v in plans.items() if k.startswith("plan_generate")},
        "baseline_premises_count_ms": timed(baseline("SELECT count(*) FROM places_premises")),
        "baseline_kpi_group_by_ms": timed(
            baseline(
                "SELECT n.parent_id, count(*), count(*) FILTER (WHERE h.status = 'closed') "
                "FROM inspections_hazard h JOIN core_jurisdictionnode n ON n.id = h.node_id "
                "GROUP BY n.parent_id"
            )
        ),
        "baseline_plan_group_by_ms": timed(
            baseline(
                "SELECT e.premises_id, count(i.id) FROM inspections_planentry e "
                "LEFT JOIN inspections_inspection i ON i.premises_id = e.premises_id "
                "WHERE e.plan_id = %s GROUP BY e.premises_id",
                [plans["330782"]],
            )
        ),
        "baseline_inspections_group_by_ms": timed(
            baseline("SELECT node_id, count(*) FROM inspections_inspection GROUP BY node_id")
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--premises", type=int, default=100_000)
    parser.add_argument("--inspections", type=int, default=500_000)
    parser.add_argument("--hazards", type=int, default=60_000)
    args = parser.parse_args()
    import django

    django.setup()
    result = build(args.premises, args.inspections, args.hazards)
    result |= measure()
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
