"""The KPI page: the loop's figures for the top of one's jurisdiction and a period, drill-down from
the city to a town to a village, seen by leaders, dispatchers and admins only, and nothing of
another town for a town's people."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shouwang.cases.rules.sla import SHANGHAI
from shouwang.cases.selectors.kpi import kpi_loop
from shouwang.core.models import User
from shouwang.insight.tests.history import History

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def chart_data(html: str) -> dict:
    found = re.search(r'<script id="kpi-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the page embeds its chart data"
    return json.loads(found.group(1))


def test_the_city_admin_sees_the_city_split_by_town(history: History) -> None:
    city = history.loop.city
    response = signed_in(city.admin).get("/kpi/", history.query)

    assert response.status_code == 200
    page = response.content.decode()
    assert "稠城街道" in page and "北苑街道" in page
    data = chart_data(page)
    by_code = {row["code"]: row for row in data["children"]}
    assert by_code[city.a.node.code]["cases"] == 4
    assert by_code[city.b.node.code]["cases"] == 2
    assert by_code[city.b.node.code]["diverted"] == 1
    assert f"node={city.a.node.code}" in by_code[city.a.node.code]["url"]
    assert data["geojson"] == f"/api/v1/geo/nodes/{city.node.code}/children.geojson"
    assert data["days"] == ["2026-11-20", "2026-11-21"]


def test_the_tiles_show_the_loops_figures(history: History) -> None:
    city = history.loop.city
    page = signed_in(city.admin).get("/kpi/", history.query).content.decode()
    since = timezone.datetime(2026, 11, 20, tzinfo=SHANGHAI)
    totals = kpi_loop(user=city.admin, since=since, until=since + timedelta(days=2))["totals"]
    assert totals["satisfaction_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert re.search(r'data-figure="cases">\s*6\s*<', page)
    assert "66.7%" in page  # callback satisfaction: two satisfied, one unsatisfied
    assert re.search(r'data-figure="diverted">\s*1\s*<', page)
    for label in ("8分钟到场率", "接单按期率", "到场按期率", "反馈按期率", "办结按期率"):
        assert label in page
    assert "导出 Excel" in page


def test_drilling_down_from_the_city_to_a_town_shows_its_villages(history: History) -> None:
    city = history.loop.city
    page = (
        signed_in(city.admin)
        .get("/kpi/", {**history.query, "node": city.a.node.code})
        .content.decode()
    )
    data = chart_data(page)
    assert [row["code"] for row in data["children"]] == [city.a.village.code]
    assert data["children"][0]["cases"] == 4
    assert "北苑街道" not in page
    assert f"node={city.node.code}" in page  # the breadcrumb leads back up to the city


def test_a_village_shows_its_grids_without_drilling_further(history: History) -> None:
    city = history.loop.city
    page = (
        signed_in(city.admin)
        .get("/kpi/", {**history.query, "node": city.a.village.code})
        .content.decode()
    )
    data = chart_data(page)
    assert {row["code"] for row in data["children"]} == {g.code for g in city.a.grids}
    assert all(row["url"] is None for row in data["children"])


def test_a_town_leader_sees_the_town_and_nothing_of_the_other(history: History) -> None:
    city = history.loop.city
    client = signed_in(history.loop.person("leader", "a"))

    page = client.get("/kpi/", history.query).content.decode()

    assert "北苑街道" not in page and city.b.node.code not in page
    data = chart_data(page)
    assert [row["code"] for row in data["children"]] == [city.a.village.code]
    assert re.search(r'data-figure="cases">\s*4\s*<', page)
    assert client.get("/kpi/", {**history.query, "node": city.b.node.code}).status_code == 404
    assert client.get("/kpi/", {**history.query, "node": city.node.code}).status_code == 404


@pytest.mark.parametrize("role", ["leader", "dispatcher"])
def test_leaders_and_dispatchers_open_the_page(history: History, role: str) -> None:
    response = signed_in(history.loop.person(role)).get("/kpi/")
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["responder", "volunteer", "inspector", "mediator"])
def test_other_roles_get_403(history: History, role: str) -> None:
    client = signed_in(history.loop.person(role))
    assert client.get("/kpi/").status_code == 403
    assert client.get("/kpi/export.xlsx").status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(history: History) -> None:
    response = Client().get("/kpi/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_default_period_is_the_last_fourteen_shanghai_days(history: History) -> None:
    page = signed_in(history.loop.city.admin).get("/kpi/").content.decode()
    today = timezone.now().astimezone(SHANGHAI).date()
    assert f'name="since" value="{today - timedelta(days=13):%Y-%m-%d}"' in page
    assert f'name="until" value="{today:%Y-%m-%d}"' in page
    assert 'class="current"' in page  # the 14-day preset is highlighted


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"since": "2026-11-21", "until": "2026-11-20"}, "开始日期不能晚于结束日期"),
        ({"since": "last week"}, "请输入有效的开始日期"),
        ({"since": "2024-01-01", "until": "2026-01-01"}, "统计期最长 400 天"),
    ],
)
def test_a_bad_period_is_refused_with_a_clear_message(
    history: History, params: dict[str, str], message: str
) -> None:
    client = signed_in(history.loop.city.admin)
    response = client.get("/kpi/", params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert client.get("/kpi/export.xlsx", params).status_code == 400


def test_the_page_takes_a_bounded_number_of_queries(
    history: History, django_assert_max_num_queries
) -> None:
    client = signed_in(history.loop.city.admin)
    with django_assert_max_num_queries(25):
        client.get("/kpi/", history.query)
