"""The KPI page's Excel export: one sheet per table, a title row with the jurisdiction and the
period, Chinese headers, figures as numbers — the same figures the API answers."""

import io
from datetime import datetime, timedelta

import pytest
from django.test import Client
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from shouwang.cases.rules.sla import SHANGHAI
from shouwang.core.models import User
from shouwang.insight.tests.history import History
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db

STEPS = ("accept", "arrive", "feedback", "resolve")


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def workbook(client: Client, **params: str):
    response = client.get("/kpi/export.xlsx", params)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    return load_workbook(io.BytesIO(response.content))


def api_figures(user: User, history: History, node: str | None = None) -> dict:
    since = datetime(history.first.year, history.first.month, history.first.day, tzinfo=SHANGHAI)
    until = since + timedelta(days=(history.last - history.first).days + 1)
    params = {"since": since.isoformat(), "until": until.isoformat()}
    if node:
        params["node"] = node
    response = ApiClient(user.username).get("/api/v1/kpi/loop", **params)
    assert response.status_code == 200, response.content
    return response.json()


def rows(sheet: Worksheet) -> list[tuple]:
    return list(sheet.iter_rows(min_row=3, values_only=True))


def metric_values(figures: dict) -> list:
    return [
        figures["cases"],
        figures["arrival_needed"],
        figures["arrived_within_8_min"],
        figures["arrival_rate_8_min"],
        *[figures["on_time"][step]["rate"] for step in STEPS],
        figures["diverted"],
        figures["callbacks_satisfied"],
        figures["callbacks_unsatisfied"],
        figures["callbacks_unreachable"],
        figures["satisfaction_rate"],
    ]


def test_the_export_opens_and_its_figures_equal_the_apis(history: History) -> None:
    admin = history.loop.city.admin
    book = workbook(signed_in(admin), **history.query)
    api = api_figures(admin, history)

    assert book.sheetnames == ["总体指标", "各环节按期率", "按日", "按辖区", "按类别", "按状态"]
    for sheet in book.worksheets:
        assert sheet["A1"].value == "义乌市 闭环指标（2026-11-20 至 2026-11-21）"
    summary = book["总体指标"]
    assert [c.value for c in summary[2]] == ["指标", "数值"]
    assert [value for _label, value in rows(summary)] == metric_values(api["totals"])
    assert summary["A3"].value == "事件数" and isinstance(summary["B3"].value, int)
    assert summary["B6"].number_format == "0.0%"  # 8-minute arrival rate, as a number

    steps = rows(book["各环节按期率"])
    assert [row[1:] for row in steps] == [
        (
            api["totals"]["on_time"][s]["due"],
            api["totals"]["on_time"][s]["on_time"],
            api["totals"]["on_time"][s]["rate"],
        )
        for s in STEPS
    ]

    days = rows(book["按日"])
    assert [row[0].date().isoformat() for row in days] == [d["day"] for d in api["by_day"]]
    assert [list(row[1:]) for row in days] == [metric_values(d) for d in api["by_day"]]

    children = rows(book["按辖区"])
    assert [row[:2] for row in children] == [(c["code"], c["name"]) for c in api["by_child"]]
    assert [list(row[2:]) for row in children] == [metric_values(c) for c in api["by_child"]]
    headers = [c.value for c in book["按辖区"][2]]
    assert headers[:5] == ["区划代码", "辖区", "事件数", "需到场事件", "8分钟内到场"]

    categories, states = rows(book["按类别"]), rows(book["按状态"])
    assert sum(row[2] for row in categories) == api["totals"]["cases"]
    assert sum(row[1] for row in states) == api["totals"]["cases"]
    # In the loop's order; the unsatisfied callback reopened one case, the survivor of the
    # merged duplicate waits in the queue.
    assert states == [("已受理", 2), ("已结案", 2), ("已转办", 1), ("已撤销", 1)]


def test_a_town_leaders_export_holds_their_town_only(history: History) -> None:
    leader = history.loop.person("leader", "a")
    client = signed_in(leader)
    book = workbook(client, **history.query)

    api = api_figures(leader, history)
    assert book["总体指标"]["B3"].value == api["totals"]["cases"] == 4
    assert book["按辖区"]["A1"].value.startswith("稠城街道")
    assert [row[0] for row in rows(book["按辖区"])] == [history.loop.city.a.village.code]
    node_b = history.loop.city.b.node.code
    response = client.get("/kpi/export.xlsx", {**history.query, "node": node_b})
    assert response.status_code == 404


def test_a_drilled_down_export_is_for_that_town(history: History) -> None:
    admin, town = history.loop.city.admin, history.loop.city.b.node
    book = workbook(signed_in(admin), **history.query, node=town.code)
    api = api_figures(admin, history, node=town.code)
    assert book["总体指标"]["A1"].value.startswith("北苑街道")
    assert [value for _label, value in rows(book["总体指标"])] == metric_values(api["totals"])
