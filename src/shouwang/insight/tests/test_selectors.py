"""Cases by category and by state for the KPI page: counted over the same cases as the loop's
figures (so they add up to its case count), scoped to the user's jurisdiction, in a fixed
number of queries."""

import pytest

from shouwang.cases.selectors.kpi import kpi_loop
from shouwang.core.errors import NotFound, PermissionDeniedError
from shouwang.insight.selectors import (
    Period,
    cases_by_category,
    cases_by_state,
    kpi_node,
    kpi_report,
)
from shouwang.insight.tests.history import History, walk

pytestmark = pytest.mark.django_db


def period(history: History) -> Period:
    return Period(first=history.first, last=history.last)


def test_breakdowns_add_up_to_the_loops_case_count(history: History) -> None:
    admin, city = history.loop.city.admin, history.loop.city.node
    p = period(history)
    total = kpi_loop(user=admin, since=p.since, until=p.until)["totals"]["cases"]
    by_category = cases_by_category(user=admin, node=city, period=p)
    by_state = cases_by_state(user=admin, node=city, period=p)
    assert sum(row["cases"] for row in by_category) == total == 6
    assert sum(row["cases"] for row in by_state) == total
    assert (by_category[0]["code"], by_category[0]["cases"]) == ("fight", 4)
    assert by_category[0]["name"] == "打架斗殴"


def test_a_town_leader_counts_their_town_only(history: History) -> None:
    leader = history.loop.person("leader", "a")
    node = kpi_node(user=leader, code=None)
    assert node == history.loop.city.a.node
    rows = cases_by_category(user=leader, node=node, period=period(history))
    assert {row["code"] for row in rows} == {"fight"}
    with pytest.raises(NotFound):
        kpi_node(user=leader, code=history.loop.city.b.node.code)


def test_cases_outside_the_period_are_left_out(history: History) -> None:
    walk(history.loop, period(history).until)  # the day after the period
    rows = cases_by_state(
        user=history.loop.city.admin, node=history.loop.city.node, period=period(history)
    )
    assert sum(row["cases"] for row in rows) == 6


def test_responders_get_no_figures(history: History) -> None:
    with pytest.raises(PermissionDeniedError):
        kpi_report(user=history.loop.person("responder"), period=period(history))


def test_the_report_takes_a_fixed_number_of_queries(
    history: History, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(15):
        report = kpi_report(user=history.loop.city.admin, period=period(history))
    assert [n.code for n in report.lineage] == [history.loop.city.node.code]
    assert report.child_level == "town" and report.children_drillable
