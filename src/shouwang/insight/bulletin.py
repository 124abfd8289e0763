"""Bulletins (日通报、周汇总、月分析): the figures a leader reads for one node and one period,
each table beside the previous period and the same period last year, with a chart; rendered as
HTML, PDF (reportlab with its built-in CID font STSong-Light: no font file to ship, Chinese
without tofu, already pinned for mediation's agreements) or Excel (one sheet per table).

Reads go through the KPI selectors (the user's jurisdiction): `shouwang bulletin` reads as the
first active admin."""

import html
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.utils.translation import gettext as _

from shouwang.cases.models import Case, CaseState
from shouwang.cases.selectors import kpi_loop
from shouwang.core.errors import InvalidInput
from shouwang.core.models import JurisdictionNode, User
from shouwang.core.selectors import scope_q
from shouwang.insight.models import KpiRollup
from shouwang.insight.selectors import Period, kpi_access_check, kpi_node

PERIODS = ("daily", "weekly", "monthly")
TOP_PLACES = 10


def bulletin_periods(kind: str, day: date) -> tuple[Period, Period, Period]:
    """The period containing `day` (a day, its Monday-Sunday week, its month), the one before
    it, and the same period a year earlier."""
    if kind == "daily":
        this = Period(day, day)
        previous = Period(day - timedelta(days=1), day - timedelta(days=1))
    elif kind == "weekly":
        first = day - timedelta(days=day.weekday())
        this = Period(first, first + timedelta(days=6))
        previous = Period(first - timedelta(days=7), first - timedelta(days=1))
    elif kind == "monthly":
        first = day.replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        this = Period(first, nxt - timedelta(days=1))
        prev_last = first - timedelta(days=1)
        previous = Period(prev_last.replace(day=1), prev_last)
    else:
        raise InvalidInput(extra={"field": "period", "allowed": list(PERIODS)})

    def year_before(d: date) -> date:
        try:
            return d.replace(year=d.year - 1)
        except ValueError:  # 29 February
            return d.replace(year=d.year - 1, day=28)

    return this, previous, Period(year_before(this.first), year_before(this.last))


def days_of(periods: tuple[Period, ...]) -> list[date]:
    return [p.first + timedelta(days=i) for p in periods for i in range(p.days)]


@dataclass
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    chart: list[tuple[str, float]] = field(default_factory=list)  # label, value


@dataclass
class Bulletin:
    kind: str
    node: JurisdictionNode
    period: Period
    previous: Period
    last_year: Period
    tables: list[Table]

    @property
    def title(self) -> str:
        names = {"daily": _("日通报"), "weekly": _("周汇总"), "monthly": _("月分析")}
        return f"{self.node.name}{names[self.kind]}（{self.period.first}—{self.period.last}）"


def _cases(user: User, node: JurisdictionNode, period: Period) -> QuerySet[Case]:
    return Case.objects.filter(
        scope_q(user, via="node"),
        node__path__startswith=node.path,
        received_at__gte=period.since,
        received_at__lt=period.until,
    )


SUMMED = (
    "calls",
    "cases",
    "arrival_needed",
    "arrived_within_8_min",
    "diverted",
    "hazards",
    "hazards_closed",
    "alarms",
)


def _rolled(user: User, node: JurisdictionNode, period: Period) -> QuerySet[KpiRollup]:
    """The period's rollup rows of `node` itself (they count its whole subtree); `node` is in
    the user's jurisdiction (kpi_node checked it)."""
    return KpiRollup.objects.filter(
        node=node,
        day__gte=period.first,
        day__lte=period.last,
    )


def _sums(user: User, node: JurisdictionNode, period: Period) -> dict[str, Any]:
    row = _rolled(user, node, period).aggregate(**{k: Sum(k) for k in SUMMED})
    return {k: int(v or 0) for k, v in row.items()}


def _change(now: float, before: float) -> str:
    if not before:
        return "—"
    return f"{(now - before) / before:+.0%}"


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _counted(
    user: User, node: JurisdictionNode, periods: tuple[Period, ...], key: str
) -> list[dict[str, int]]:
    out = []
    for period in periods:
        rows = _rolled(user, node, period).values(key).annotate(n=Sum("cases"))
        out.append({str(r[key]): int(r["n"] or 0) for r in rows})
    return out


def _compare_table(
    key: str, title: str, label: str, counts: list[dict[str, int]], names: dict[str, str]
) -> Table:
    this, previous, last_year = counts
    keys = sorted(set(this) | set(previous) | set(last_year), key=lambda k: -this.get(k, 0))
    rows = [
        [
            names.get(k, k),
            this.get(k, 0),
            previous.get(k, 0),
            _change(this.get(k, 0), previous.get(k, 0)),
            last_year.get(k, 0),
            _change(this.get(k, 0), last_year.get(k, 0)),
        ]
        for k in keys
    ]
    headers = [label, _("本期"), _("上期"), _("环比"), _("去年同期"), _("同比")]
    chart = [(names.get(k, k), float(this.get(k, 0))) for k in keys]
    return Table(key, title, headers, rows, chart)


def bulletin_build(*, user: User, kind: str, day: date, node_code: str | None) -> Bulletin:
    kpi_access_check(user)
    node = kpi_node(user=user, code=node_code)
    this, previous, last_year = periods = bulletin_periods(kind, day)
    sums = [_sums(user, node, p) for p in periods]
    # Callbacks are not rolled up: satisfaction comes from the loop's own figures.
    loops = [
        kpi_loop(user=user, since=p.since, until=p.until, node_code=node.code)["totals"]
        for p in periods
    ]
    for figures in sums:
        figures["arrival_rate_8_min"] = (
            figures["arrived_within_8_min"] / figures["arrival_needed"]
            if figures["arrival_needed"]
            else None
        )
    calls = [x["calls"] for x in sums]
    repeat = [(c - x["cases"]) / c if c else None for c, x in zip(calls, sums, strict=True)]
    overview: list[list[Any]] = [
        [
            _("来电（含重复）"),
            calls[0],
            calls[1],
            _change(calls[0], calls[1]),
            calls[2],
            _change(calls[0], calls[2]),
        ],
        [
            _("警情"),
            sums[0]["cases"],
            sums[1]["cases"],
            _change(sums[0]["cases"], sums[1]["cases"]),
            sums[2]["cases"],
            _change(sums[0]["cases"], sums[2]["cases"]),
        ],
        [
            _("8分钟到场率"),
            *(_rate(x["arrival_rate_8_min"]) for x in sums[:2]),
            "",
            _rate(sums[2]["arrival_rate_8_min"]),
            "",
        ],
        [_("重复来电率"), _rate(repeat[0]), _rate(repeat[1]), "", _rate(repeat[2]), ""],
        [
            _("回访满意率"),
            *(_rate(x["satisfaction_rate"]) for x in loops[:2]),
            "",
            _rate(loops[2]["satisfaction_rate"]),
            "",
        ],
        [
            _("非警务分流"),
            sums[0]["diverted"],
            sums[1]["diverted"],
            _change(sums[0]["diverted"], sums[1]["diverted"]),
            sums[2]["diverted"],
            _change(sums[0]["diverted"], sums[2]["diverted"]),
        ],
    ]
    headers = [_("指标"), _("本期"), _("上期"), _("环比"), _("去年同期"), _("同比")]
    tables = [
        Table(
            "overview",
            _("总体情况"),
            headers,
            overview,
            [(str(r[0]), float(r[1])) for r in overview[:2]]
            + [(str(overview[5][0]), float(overview[5][1]))],
        ),
    ]
    family = "category__parent__name"
    tables.append(
        _compare_table(
            "categories",
            _("分类别警情"),
            _("类别"),
            _counted(user, node, periods, family),
            {"None": _("其他")},
        )
    )
    towns = {c.path: c.name for c in node.children.order_by("code")}
    by_town = []
    for period in periods:
        rows = (
            KpiRollup.objects.filter(node__parent=node, day__gte=period.first, day__lte=period.last)
            .values("node__path")
            .annotate(n=Sum("cases"))
        )
        counted = {r["node__path"]: int(r["n"] or 0) for r in rows}
        by_town.append({path: counted.get(path, 0) for path in towns})
    tables.append(_compare_table("towns", _("分镇街警情"), _("镇街"), by_town, towns))
    hazards = [{"found": x["hazards"], "closed": x["hazards_closed"]} for x in sums]
    alarms = [x["alarms"] for x in sums]
    tables.append(
        Table(
            "hazards",
            _("隐患与设备告警"),
            headers,
            [
                [
                    _("发现隐患"),
                    hazards[0]["found"],
                    hazards[1]["found"],
                    _change(hazards[0]["found"], hazards[1]["found"]),
                    hazards[2]["found"],
                    _change(hazards[0]["found"], hazards[2]["found"]),
                ],
                [
                    _("隐患已闭环"),
                    hazards[0]["closed"],
                    hazards[1]["closed"],
                    "",
                    hazards[2]["closed"],
                    "",
                ],
                [
                    _("设备告警"),
                    alarms[0],
                    alarms[1],
                    _change(alarms[0], alarms[1]),
                    alarms[2],
                    _change(alarms[0], alarms[2]),
                ],
            ],
            [
                (_("发现隐患"), hazards[0]["found"]),
                (_("隐患已闭环"), hazards[0]["closed"]),
                (_("设备告警"), alarms[0]),
            ],
        )
    )
    tables.append(_mediation_table(user, node, periods, headers))
    top = (
        _cases(user, node, this)
        .exclude(state=CaseState.MERGED)
        .exclude(address="")
        .values("address")
        .annotate(n=Count("pk"))
        .order_by("-n", "address")[:TOP_PLACES]
    )
    top_rows: list[list[Any]] = [[r["address"], r["n"]] for r in top]
    tables.append(
        Table(
            "places",
            _("高发地点"),
            [_("地点"), _("警情")],
            top_rows,
            [(str(r[0]), float(r[1])) for r in top_rows],
        )
    )
    return Bulletin(kind, node, this, previous, last_year, tables)


def _mediation_table(
    user: User, node: JurisdictionNode, periods: tuple[Period, ...], headers: list[str]
) -> Table:
    """Disputes mediated, money recovered and risk alerts (the mediation app's figures)."""
    from shouwang.mediation.figures import Period as MediationPeriod
    from shouwang.mediation.figures import mediation_figures, risk_figures

    figures = []
    for p in periods:
        scope = MediationPeriod(since=p.since, until=p.until, node=node)
        try:
            totals = mediation_figures(user=user, period=scope)["totals"]
            risk = risk_figures(user=user, period=scope)
        except Exception:  # noqa: BLE001 (a user the mediation figures refuse: show none)
            totals, risk = {"succeeded": 0, "money_recovered": Decimal(0)}, {"alerts": 0}
        figures.append((totals["succeeded"], float(totals["money_recovered"]), risk["alerts"]))
    rows = [
        [
            _("调解成功"),
            *(f[0] for f in figures[:2]),
            _change(figures[0][0], figures[1][0]),
            figures[2][0],
            _change(figures[0][0], figures[2][0]),
        ],
        [
            _("挽回金额（元）"),
            *(f[1] for f in figures[:2]),
            _change(figures[0][1], figures[1][1]),
            figures[2][1],
            _change(figures[0][1], figures[2][1]),
        ],
        [
            _("风险预警"),
            *(f[2] for f in figures[:2]),
            _change(figures[0][2], figures[1][2]),
            figures[2][2],
            _change(figures[0][2], figures[2][2]),
        ],
    ]
    chart = [(_("调解成功"), float(figures[0][0])), (_("风险预警"), float(figures[0][2]))]
    return Table("mediation", _("矛盾调解与风险预警"), headers, rows, chart)


# --- rendering ---------------------------------------------------------------------------------


def render_html(bulletin: Bulletin) -> bytes:
    """A standalone HTML document; each chart is an inline SVG bar chart (no script)."""
    parts = [
        "<!doctype html><html lang='zh-CN'><head><meta charset='utf-8'>",
        f"<title>{html.escape(bulletin.title)}</title></head><body>",
        f"<h1>{html.escape(bulletin.title)}</h1>",
    ]
    for table in bulletin.tables:
        parts.append(f"<section id='{table.key}'><h2>{html.escape(table.title)}</h2>")
        parts.append(_svg_bars(table.chart))
        parts.append("<table border='1' cellspacing='0' cellpadding='4'><thead><tr>")
        parts += [f"<th>{html.escape(str(h))}</th>" for h in table.headers]
        parts.append("</tr></thead><tbody>")
        for row in table.rows:
            parts.append("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>")
        parts.append("</tbody></table></section>")
    parts.append("</body></html>")
    return "".join(parts).encode()


def _svg_bars(chart: list[tuple[str, float]]) -> str:
    if not chart:
        return ""
    top = max(v for _l, v in chart) or 1.0
    width, bar = 560, 22
    rows = []
    for i, (label, value) in enumerate(chart[:12]):
        y = i * (bar + 6)
        w = int(360 * value / top)
        rows.append(
            f"<text x='0' y='{y + 16}' font-size='12'>{html.escape(label[:14])}</text>"
            f"<rect x='180' y='{y}' width='{w}' height='{bar}' fill='#3b6fb6'/>"
            f"<text x='{186 + w}' y='{y + 16}' font-size='12'>{value:g}</text>"
        )
    height = len(rows) * (bar + 6)
    return f"<svg width='{width}' height='{height}' role='img'>{''.join(rows)}</svg>"


def render_pdf(bulletin: Bulletin) -> bytes:
    from reportlab.graphics.charts.barcharts import HorizontalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, TableStyle
    from reportlab.platypus import Table as PdfTable

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22)
    heading = ParagraphStyle("heading", fontName=font, fontSize=12, leading=18)
    buffer = BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, title=bulletin.title)
    story: list[Any] = [Paragraph(html.escape(bulletin.title), title), Spacer(1, 4 * mm)]
    for table in bulletin.tables:
        story.append(Paragraph(html.escape(table.title), heading))
        if table.chart:
            chart = HorizontalBarChart()
            shown = table.chart[:10]
            chart.x, chart.y, chart.width, chart.height = 90, 5, 320, 14 * len(shown)
            chart.data = [[v for _l, v in shown]]
            chart.categoryAxis.categoryNames = [label[:12] for label, _v in shown]
            chart.categoryAxis.labels.fontName = font
            chart.categoryAxis.labels.fontSize = 8
            chart.valueAxis.valueMin = 0
            chart.bars[0].fillColor = colors.HexColor("#3b6fb6")
            drawing = Drawing(440, 14 * len(shown) + 15)
            drawing.add(chart)
            story.append(drawing)
        data = [table.headers] + [[str(c) for c in row] for row in table.rows]
        pdf_table = PdfTable(data, repeatRows=1)
        pdf_table.setStyle(
            TableStyle(
                [
                    ("FONTNAME", (0, 0), (-1, -1), font),
                    ("FONTSIZE", (0, 0), (-1, -1), 9),
                    ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef7")),
                ]
            )
        )
        story += [pdf_table, Spacer(1, 5 * mm)]
    doc.build(story)
    return buffer.getvalue()


def render_xlsx(bulletin: Bulletin) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    for table in bulletin.tables:
        sheet = book.create_sheet(table.title[:31])
        sheet.append([bulletin.title])
        sheet.append(table.headers)
        for row in table.rows:
            sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


RENDERERS = {"html": render_html, "pdf": render_pdf, "xlsx": render_xlsx}
