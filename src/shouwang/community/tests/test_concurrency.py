"""Real concurrent transactions on PostgreSQL (threads, each with its own connection): two
verifications of one report at the same moment award once; twenty parallel redemptions cannot
take a wallet below zero."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from shouwang.community.models import EarningRule, PointAward, PointEntry, Redemption, RuleCode
from shouwang.community.selectors import points_summary, statement_of
from shouwang.community.services.awards import award_grant
from shouwang.community.services.redemptions import redemption_request
from shouwang.community.tests.conftest import Forces
from shouwang.core.errors import InvalidInput
from shouwang.testing.services import need_postgresql

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def postgresql() -> None:
    """Skips on SQLite (one writer at a time, no row locks to test) before any data is made."""
    need_postgresql()


def at_once(count: int, work: Callable[[int], object]) -> tuple[list[object], list[Exception]]:
    start, results, errors = threading.Barrier(count), [], []
    lock = threading.Lock()

    def run(n: int) -> None:
        try:
            start.wait()
            result = work(n)
            with lock:
                results.append(result)
        except Exception as exc:  # noqa: BLE001  (reported to the test thread)
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


def test_two_verifications_at_the_same_moment_award_once(postgresql: None, forces: Forces) -> None:
    results, errors = at_once(
        2,
        lambda _n: (
            award_grant(
                source_key="case:42", rule=RuleCode.REPORT_VERIFIED, person=forces.volunteer
            ).pk
        ),
    )
    assert errors == []
    assert len(set(results)) == 1
    assert PointAward.objects.count() == 1
    assert PointEntry.objects.filter(kind="award").count() == 1
    assert statement_of(user=forces.volunteer).balance == 3


def test_twenty_parallel_redemptions_cannot_overdraw_a_wallet(
    postgresql: None, forces: Forces
) -> None:
    EarningRule.objects.create(code=RuleCode.REPORT_VERIFIED, points=52, daily_cap=1000)
    award_grant(source_key="case:1", rule=RuleCode.REPORT_VERIFIED, person=forces.volunteer)
    results, errors = at_once(
        20,
        lambda _n: redemption_request(actor=forces.volunteer, item_code="RICE-A", quantity=1).pk,
    )
    assert len(results) == 10  # 52 points, 5 a bag
    assert len(errors) == 10 and all(isinstance(e, InvalidInput) for e in errors)
    assert Redemption.objects.count() == 10
    assert statement_of(user=forces.volunteer).balance == 2
    summary = points_summary(user=forces.person("leader"), node_code=forces.loop.city.a.node.code)
    assert (summary.issued, summary.redeemed, summary.outstanding) == (52, 50, 2)
