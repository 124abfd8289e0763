"""Bulletins: a daily bulletin of the test city as PDF reads back with its towns and figures;
HTML and Excel hold the same tables; the periods are the ones a leader expects."""

from datetime import date, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from pypdf import PdfReader

from shouwang.insight.bulletin import bulletin_periods
from shouwang.insight.tests.history import History

pytestmark = pytest.mark.django_db


def test_a_daily_bulletin_pdf_names_the_towns_and_their_figures(
    history: History, tmp_path: Path
) -> None:
    out = tmp_path / "daily.pdf"
    call_command("bulletin", period="daily", date=history.first, format="pdf", output=out)

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(out.read_bytes())).pages)
    towns = [n.name for n in history.loop.city.node.children.all()]
    assert all(name in text.replace(" ", "") for name in towns)
    assert "日通报" in text and "8分钟到场率" in text.replace(" ", "")
    assert "50%" in text  # one of the day's two arrivals was within 8 minutes


def test_html_and_excel_carry_one_table_per_section(history: History, tmp_path: Path) -> None:
    html, xlsx = tmp_path / "b.html", tmp_path / "b.xlsx"
    call_command("bulletin", period="weekly", date=history.first, format="html", output=html)
    call_command("bulletin", period="monthly", date=history.first, format="xlsx", output=xlsx)
    page = html.read_text("utf-8")
    assert "周汇总" in page and "<svg" in page and "分镇街警情" in page
    book = load_workbook(xlsx)
    assert {"总体情况", "分类别警情", "分镇街警情", "高发地点"} <= set(book.sheetnames)


def test_periods_are_the_day_its_week_and_its_month_with_last_year() -> None:
    this, previous, last_year = bulletin_periods("weekly", date(2026, 12, 3))
    assert (this.first, this.last) == (date(2026, 11, 30), date(2026, 12, 6))
    assert previous.last == date(2026, 11, 29) and last_year.first == date(2025, 11, 30)
    month, before, _ = bulletin_periods("monthly", date(2026, 3, 15))
    assert (month.first, month.last, before.first) == (
        date(2026, 3, 1),
        date(2026, 3, 31),
        date(2026, 2, 1),
    )


def test_the_worker_rolls_up_cases_and_a_second_round_finds_nothing_new(history: History) -> None:
    from django.utils import timezone

    from shouwang.insight.models import KpiRollup
    from shouwang.insight.services import rollups_tick

    soon = timezone.now() + timedelta(minutes=1)
    assert rollups_tick(now=soon) > 0
    city = history.loop.city.node
    rolled = sum(r.calls for r in KpiRollup.objects.filter(node=city))
    assert rolled == 7  # every case of the history, the merged duplicate included
    assert rollups_tick(now=soon + timedelta(minutes=1)) == 0
