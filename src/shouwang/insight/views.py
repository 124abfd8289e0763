"""The KPI page (闭环指标) and its Excel export. Thin: the filter form parses the period and the
node, the selectors compute (scoped, aggregate queries), the template and kpi.js draw."""

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shouwang.cases.models import Step
from shouwang.core.models import User
from shouwang.insight.forms import PRESET_DAYS, KpiFilters, last_days
from shouwang.insight.selectors import KpiReport, Period, kpi_access_check, kpi_report
from shouwang.insight.workbook import STEPS, category_name, kpi_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _query(period: Period, node: str | None = None) -> str:
    params = {"since": period.first.isoformat(), "until": period.last.isoformat()}
    if node:
        params["node"] = node
    return urlencode(params)


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def _figures() -> list[dict[str, Any]]:
    """What the jurisdiction bar chart and map may be coloured by."""
    return [
        {"key": "cases", "label": _("事件数"), "percent": False},
        {"key": "arrival", "label": _("8分钟到场率"), "percent": True},
        {"key": "resolve", "label": _("按期办结率"), "percent": True},
        {"key": "satisfaction", "label": _("回访满意率"), "percent": True},
        {"key": "diverted", "label": _("非警务分流"), "percent": False},
    ]


def _child(report: KpiReport, row: dict[str, Any]) -> dict[str, Any]:
    query = _query(report.period, row["code"])
    return {
        "code": row["code"],
        "name": row["name"],
        "cases": row["cases"],
        "arrival": _percent(row["arrival_rate_8_min"]),
        "resolve": _percent(row["on_time"]["resolve"]["rate"]),
        "satisfaction": _percent(row["satisfaction_rate"]),
        "diverted": row["diverted"],
        "url": f"{reverse('kpi')}?{query}" if report.children_drillable else None,
    }


def chart_data(report: KpiReport) -> dict[str, Any]:
    """What kpi.js draws, with every label already in the interface language."""
    loop, totals = report.loop, report.loop["totals"]
    return {
        "days": [row["day"].isoformat() for row in loop["by_day"]],
        "dayCases": [row["cases"] for row in loop["by_day"]],
        "dayArrival": [_percent(row["arrival_rate_8_min"]) for row in loop["by_day"]],
        "daySatisfaction": [_percent(row["satisfaction_rate"]) for row in loop["by_day"]],
        "dayDiverted": [row["diverted"] for row in loop["by_day"]],
        "children": [_child(report, row) for row in loop["by_child"]],
        "categories": [
            {"name": category_name(row), "value": row["cases"]} for row in report.by_category
        ],
        "states": [
            {"name": row["label"], "value": row["cases"], "state": row["state"]}
            for row in report.by_state
        ],
        "steps": [
            {"name": str(Step(step).label), "value": _percent(totals["on_time"][step]["rate"])}
            for step in STEPS
        ],
        "geojson": reverse("api:children_geojson", args=[report.node.code]),
        "figures": _figures(),
        "labels": {
            "cases": _("事件数"),
            "arrival": _("8分钟到场率"),
            "satisfaction": _("回访满意率"),
            "diverted": _("非警务分流"),
            "onTime": _("按期率"),
            "noData": _("暂无数据"),
        },
    }


def _presets(report: KpiReport | None) -> list[dict[str, Any]]:
    node = report.node.code if report else None
    labels = {1: _("今天"), 7: _("近7天"), 14: _("近14天"), 30: _("近30天"), 90: _("近90天")}
    presets = []
    for days in PRESET_DAYS:
        period = last_days(days)
        current = report is not None and report.period == period
        presets.append({"label": labels[days], "query": _query(period, node), "current": current})
    return presets


@login_required
@require_GET
def kpi_page(request: HttpRequest) -> HttpResponse:
    """The loop's figures for a node and a period, with drill-down to the node's children."""
    user = _user(request)
    kpi_access_check(user)
    filters = KpiFilters(request.GET)
    if not filters.is_valid():
        refused: dict[str, Any] = {"filters": filters, "report": None, "presets": _presets(None)}
        return render(request, "insight/kpi.html", refused, status=400)
    report = kpi_report(user=user, period=filters.period(), node_code=filters.node_code())
    totals = report.loop["totals"]
    context: dict[str, Any] = {
        "filters": filters,
        "report": report,
        "totals": totals,
        "steps": [_step(step, totals["on_time"][step]) for step in STEPS],
        "arrival_percent": _percent(totals["arrival_rate_8_min"]),
        "satisfaction_percent": _percent(totals["satisfaction_rate"]),
        "children": [
            {**row, "link": _child(report, row)["url"], **_row_percents(row)}
            for row in report.loop["by_child"]
        ],
        "days": [{**row, **_row_percents(row)} for row in report.loop["by_day"]],
        "charts": chart_data(report),
        "presets": _presets(report),
        "query": _query(report.period, report.node.code),
        "lineage_queries": [(n, _query(report.period, n.code)) for n in report.lineage],
    }
    return render(request, "insight/kpi.html", context)


def _step(step: str, figure: dict[str, Any]) -> dict[str, Any]:
    return {"label": Step(step).label, **figure, "percent": _percent(figure["rate"])}


def _row_percents(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "arrival_percent": _percent(row["arrival_rate_8_min"]),
        "resolve_percent": _percent(row["on_time"]["resolve"]["rate"]),
        "satisfaction_percent": _percent(row["satisfaction_rate"]),
    }


@login_required
@require_GET
def kpi_export(request: HttpRequest) -> HttpResponse:
    """The same figures as an Excel workbook, one sheet per table."""
    user = _user(request)
    kpi_access_check(user)
    filters = KpiFilters(request.GET)
    if not filters.is_valid():
        context = {"filters": filters, "report": None, "presets": _presets(None)}
        return render(request, "insight/kpi.html", context, status=400)
    report = kpi_report(user=user, period=filters.period(), node_code=filters.node_code())
    period = report.period
    name = f"kpi-{report.node.code}-{period.first:%Y%m%d}-{period.last:%Y%m%d}.xlsx"
    response = HttpResponse(kpi_workbook(report), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


BULLETIN_TYPES = {"pdf": "application/pdf", "xlsx": XLSX, "html": "text/html; charset=utf-8"}


@login_required
@require_GET
def bulletins_page(request: HttpRequest) -> HttpResponse:
    """The archive of issued bulletins (日通报、周汇总、月分析), newest first, by kind."""
    from django.core.paginator import Paginator

    from shouwang.insight.archive import bulletins_list

    issues = bulletins_list(user=_user(request))
    kind = request.GET.get("kind", "")
    if kind in ("daily", "weekly", "monthly"):
        issues = issues.filter(kind=kind)
    page = Paginator(issues, 30).get_page(request.GET.get("page"))
    return render(request, "insight/bulletins.html", {"page": page, "kind": kind})


@login_required
@require_GET
def bulletin_file(request: HttpRequest, issue_id: int, fmt: str) -> HttpResponse:
    from shouwang.insight.archive import bulletin_get

    if fmt not in BULLETIN_TYPES:
        raise Http404
    issue = bulletin_get(user=_user(request), issue_id=issue_id)
    response = HttpResponse(bytes(getattr(issue, fmt)), content_type=BULLETIN_TYPES[fmt])
    if fmt != "html":
        name = f"bulletin-{issue.kind}-{issue.first}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
