"""Points ledger under contention, on the demo database (PostgreSQL): THREADS threads each make
REQUESTS redemptions from ONE wallet funded for only part of them, each thread with its own
connection. Prints one JSON line: redemptions accepted and refused, per second, and whether the
wallet stayed at or above zero and the books balanced. Leaves its rows (a bench wallet) behind.

    DATABASE_URL=postgres://… .venv/bin/python bench/points.py [--threads 20 --requests 10]
"""

import argparse
import json
import os
import threading
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouwang.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=20)
    parser.add_argument("--requests", type=int, default=10)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.db.models import Sum

    from shouwang.community.models import CatalogueItem, EarningRule, PointEntry, RuleCode
    from shouwang.community.selectors import statement_of
    from shouwang.community.services.awards import award_grant
    from shouwang.community.services.ledger import budget_fund
    from shouwang.community.services.redemptions import redemption_request
    from shouwang.core.errors import InvalidInput
    from shouwang.core.models import JurisdictionNode, Role
    from shouwang.core.services.people import person_create

    town = JurisdictionNode.objects.filter(level="town").order_by("code").first()
    assert town is not None, "build the demo city first (shouwang seed_demo)"
    stamp = str(int(time.time()))
    person = person_create(username=f"bench_points_{stamp}", role=Role.VOLUNTEER, node=town)
    total = args.threads * args.requests
    budget_fund(town=town, amount=total * 10, actor=None)
    item = CatalogueItem.objects.create(code=f"BENCH-{stamp}", town=town, name="bench", points=1)
    EarningRule.objects.filter(code=RuleCode.HAZARD_CONFIRMED, town=town).delete()
    EarningRule.objects.create(
        code=RuleCode.HAZARD_CONFIRMED, town=town, points=total // 2, daily_cap=total
    )
    award_grant(source_key=f"bench:{stamp}", rule=RuleCode.HAZARD_CONFIRMED, person=person)
    accepted, refused, lock = [0], [0], threading.Lock()
    start = threading.Barrier(args.threads)

    def spend() -> None:
        start.wait()
        for _ in range(args.requests):
            try:
                redemption_request(actor=person, item_code=item.code, quantity=1)
                with lock:
                    accepted[0] += 1
            except InvalidInput:
                with lock:
                    refused[0] += 1
        connection.close()

    threads = [threading.Thread(target=spend) for _ in range(args.threads)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    balance = statement_of(user=person).balance
    books = PointEntry.objects.aggregate(s=Sum("amount"))["s"]
    print(
        json.dumps(
            {
                "threads": args.threads,
                "requests": total,
                "accepted": accepted[0],
                "refused": refused[0],
                "per_s": round(total / elapsed, 1),
                "balance_after": balance,
                "never_negative": balance >= 0 and accepted[0] == total // 2,
                "entries_total": books,
            }
        )
    )


if __name__ == "__main__":
    main()
