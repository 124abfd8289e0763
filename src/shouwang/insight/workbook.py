"""The KPI page as an Excel workbook (offices live in spreadsheets): one sheet per table, a title
row naming the jurisdiction and the period, headers in the interface language (Chinese first),
counts and rates as numbers — rates as fractions formatted as percentages — so they add up and
chart in Excel."""

import io
from collections.abc import Sequence
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from shouwang.cases.models import Step
from shouwang.insight.selectors import KpiReport

PERCENT = "0.0%"
HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")
STEPS = ("accept", "arrive", "feedback", "resolve")


def _metric_headers() -> list[str]:
    return [
        _("事件数"),
        _("需到场事件"),
        _("8分钟内到场"),
        _("8分钟到场率"),
        *[_("%(step)s按期率") % {"step": Step(step).label} for step in STEPS],
        _("非警务分流"),
        _("回访满意"),
        _("回访不满意"),
        _("未能联系"),
        _("回访满意率"),
    ]


def _metric_values(row: dict[str, Any]) -> list[Any]:
    return [
        row["cases"],
        row["arrival_needed"],
        row["arrived_within_8_min"],
        row["arrival_rate_8_min"],
        *[row["on_time"][step]["rate"] for step in STEPS],
        row["diverted"],
        row["callbacks_satisfied"],
        row["callbacks_unsatisfied"],
        row["callbacks_unreachable"],
        row["satisfaction_rate"],
    ]


# Columns of _metric_values holding rates (0-based).
METRIC_RATE_COLUMNS = frozenset({3, 4, 5, 6, 7, 12})


def _sheet(
    book: Workbook,
    name: str,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    rate_columns: frozenset[int] = frozenset(),
    date_columns: frozenset[int] = frozenset(),
) -> Worksheet:
    sheet: Worksheet = book.create_sheet(name[:31])
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(len(headers), 1))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A1"].alignment = Alignment(horizontal="left")
    sheet.append(list(headers))
    for cell in sheet[2]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for row in rows:
        sheet.append(list(row))
    for index in range(len(headers)):
        letter = get_column_letter(index + 1)
        for cell in sheet[letter][2:]:
            if index in rate_columns:
                cell.number_format = PERCENT
            elif index in date_columns:
                cell.number_format = "yyyy-mm-dd"
        sheet.column_dimensions[letter].width = max(10, len(str(headers[index])) * 2 + 2)
    sheet.freeze_panes = "A3"
    return sheet


def category_name(row: dict[str, Any]) -> str:
    """The category's name in the interface language (English where it has one)."""
    english = (get_language() or "").startswith("en") and row.get("name_en")
    return str(row["name_en"] if english else row["name"])


def kpi_workbook(report: KpiReport) -> bytes:
    """The workbook's bytes (.xlsx)."""
    period = report.period
    title = _("%(node)s 闭环指标（%(first)s 至 %(last)s）") % {
        "node": report.node.name,
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
    }
    book = Workbook()
    assert book.active is not None
    book.remove(book.active)
    totals = report.loop["totals"]
    summary_rows = list(zip(_metric_headers(), _metric_values(totals), strict=True))
    summary = _sheet(book, _("总体指标"), title, [_("指标"), _("数值")], summary_rows)
    for offset in METRIC_RATE_COLUMNS:
        summary.cell(row=3 + offset, column=2).number_format = PERCENT
    steps = [
        [str(Step(step).label), figure["due"], figure["on_time"], figure["rate"]]
        for step, figure in ((s, totals["on_time"][s]) for s in STEPS)
    ]
    headers = [_("环节"), _("应按期办理"), _("按期办理"), _("按期率")]
    _sheet(book, _("各环节按期率"), title, headers, steps, rate_columns=frozenset({3}))
    days = [[row["day"], *_metric_values(row)] for row in report.loop["by_day"]]
    _sheet(
        book,
        _("按日"),
        title,
        [_("日期"), *_metric_headers()],
        days,
        rate_columns=frozenset(c + 1 for c in METRIC_RATE_COLUMNS),
        date_columns=frozenset({0}),
    )
    children = [[r["code"], r["name"], *_metric_values(r)] for r in report.loop["by_child"]]
    _sheet(
        book,
        _("按辖区"),
        title,
        [_("区划代码"), _("辖区"), *_metric_headers()],
        children,
        rate_columns=frozenset(c + 2 for c in METRIC_RATE_COLUMNS),
    )
    categories = [[r["code"], category_name(r), r["cases"]] for r in report.by_category]
    _sheet(book, _("按类别"), title, [_("类别编码"), _("类别"), _("事件数")], categories)
    states = [[r["label"], r["cases"]] for r in report.by_state]
    _sheet(book, _("按状态"), title, [_("状态"), _("事件数")], states)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
