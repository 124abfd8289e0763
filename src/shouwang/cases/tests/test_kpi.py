"""The loop's figures: 8-minute arrival rate, on-time steps, diversions and callback
satisfaction, by Shanghai day and by jurisdiction, from a small history replayed through the
services at past times."""

from datetime import datetime, timedelta

import pytest

from shouwang.cases import clock, services
from shouwang.cases.models import SlaPolicy
from shouwang.cases.rules.sla import SHANGHAI
from shouwang.cases.selectors.kpi import kpi_loop
from shouwang.cases.tests.factories import POINT, Loop, category, fresh, make_case
from shouwang.core.errors import PermissionDeniedError
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db

DAY1 = datetime(2026, 11, 20, 0, 0, tzinfo=SHANGHAI)


def at(moment: datetime, minutes: float):
    return clock.backdated(moment + timedelta(minutes=minutes))


def full_loop(loop: Loop, start: datetime, *, arrive_after: float, callback: str) -> None:
    leader, responder = loop.person("leader"), loop.person("responder")
    with at(start, 0):
        case = make_case(loop)
    with at(start, 1):
        services.case_dispatch(actor=loop.person("dispatcher"), case=case, people=[responder])
    with at(start, 2):
        services.assignment_accept(actor=responder, case=case)
    with at(start, arrive_after):
        lat, lng = POINT["a"]
        services.assignment_arrive(actor=responder, case=fresh(case), lat=lat, lng=lng)
    with at(start, 40):
        services.assignment_resolve(actor=responder, case=fresh(case), note="已处理")
    with at(start, 60):
        services.case_verify(actor=leader, case=fresh(case))
        services.case_close(actor=leader, case=fresh(case))
    with at(start, 120):
        services.callback_record(actor=leader, case=fresh(case), result=callback)


@pytest.fixture
def history(loop: Loop) -> Loop:
    SlaPolicy.objects.create(
        name="城管类不需到场",
        category=category("city_management"),
        arrive_within_min=None,
        resolve_working_days=5,
    )
    # Day 1: one arrival in 5 minutes, one in 12; satisfied and unsatisfied callbacks.
    full_loop(loop, DAY1 + timedelta(hours=10), arrive_after=5, callback="satisfied")
    full_loop(loop, DAY1 + timedelta(hours=23, minutes=10), arrive_after=12, callback="unsatisfied")
    # Day 2, 01:00 in Shanghai (still day 1 in UTC): a false alarm, and a duplicate.
    with at(DAY1 + timedelta(hours=25), 0):
        false_alarm = make_case(loop)
        services.case_cancel(actor=loop.person("dispatcher"), case=false_alarm, reason="误报")
        first, again = make_case(loop), make_case(loop)
        services.case_merge(actor=loop.person("dispatcher"), case=again, into=first)
    # Day 2 in town B: a non-police matter diverted.
    with at(DAY1 + timedelta(hours=26), 0):
        noise = make_case(loop, town="b", code="noise", description="噪音")
        services.case_divert(actor=loop.person("dispatcher", "b"), case=noise)
    return loop


def figures(loop: Loop, user=None, **kw):
    return kpi_loop(
        user=user or loop.city.admin,
        since=DAY1,
        until=DAY1 + timedelta(days=2),
        **kw,
    )


def test_city_totals(history: Loop) -> None:
    totals = figures(history)["totals"]
    assert totals["cases"] == 5  # the merged duplicate is not counted again
    assert totals["arrival_needed"] == 3  # the two loops and the survivor (past 8 minutes)
    assert totals["arrived_within_8_min"] == 1
    assert totals["arrival_rate_8_min"] == pytest.approx(1 / 3, abs=1e-4)
    assert totals["on_time"]["accept"] == {"due": 2, "on_time": 2, "rate": 1.0}
    assert totals["on_time"]["arrive"]["on_time"] == 1
    assert totals["diverted"] == 1
    assert totals["callbacks_satisfied"] == 1
    assert totals["callbacks_unsatisfied"] == 1
    assert totals["satisfaction_rate"] == 0.5


def test_days_are_shanghai_days(history: Loop) -> None:
    by_day = {str(row["day"]): row for row in figures(history)["by_day"]}
    assert set(by_day) == {"2026-11-20", "2026-11-21"}
    assert by_day["2026-11-20"]["cases"] == 2
    assert by_day["2026-11-21"]["cases"] == 3
    assert by_day["2026-11-21"]["diverted"] == 1
    assert by_day["2026-11-20"]["satisfaction_rate"] == 0.5


def test_by_child_splits_the_city_into_its_towns(history: Loop) -> None:
    by_child = {row["code"]: row for row in figures(history)["by_child"]}
    assert by_child[history.city.a.node.code]["cases"] == 4
    assert by_child[history.city.b.node.code]["cases"] == 1
    assert by_child[history.city.b.node.code]["diverted"] == 1


def test_a_town_leader_sees_the_town_split_by_village(history: Loop) -> None:
    body = figures(history, user=history.person("leader"))
    assert body["node"] == history.city.a.node.code
    assert body["totals"]["cases"] == 4
    assert [row["code"] for row in body["by_child"]] == [history.city.a.village.code]


def test_figures_take_a_fixed_number_of_queries(
    history: Loop, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(10):
        figures(history)


def test_responders_do_not_get_the_figures(history: Loop) -> None:
    with pytest.raises(PermissionDeniedError):
        figures(history, user=history.person("responder"))


def test_the_endpoint(history: Loop) -> None:
    client = ApiClient(history.city.admin.username)
    response = client.get(
        "/api/v1/kpi/loop", since=DAY1.isoformat(), until=(DAY1 + timedelta(days=2)).isoformat()
    )
    assert response.status_code == 200, response.content
    assert response.json()["totals"]["diverted"] == 1
    assert client.get("/api/v1/kpi/loop", since="2026-12-01", until="2026-11-01").status_code == 422
