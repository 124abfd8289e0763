"""In a real browser, as a city leader: open the KPI page over a fortnight of demo cases, drill
down from the city to a town by clicking its bar and, back at the city, by clicking a town's row,
and download the Excel file, whose figures are the page's. Screenshots of the city and town
views go to the screens folder; no request leaves the machine."""

import datetime as dt
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from shouwang.cases.demo import seed_demo_cases
from shouwang.cases.selectors.kpi import kpi_loop
from shouwang.cases.tests.factories import Loop, equip
from shouwang.core.models import Role, User
from shouwang.core.services.people import person_create
from shouwang.insight.forms import last_days
from shouwang.testing.browser import DESKTOP, screens_dir
from shouwang.testing.city import PASSWORD, City

pytestmark = pytest.mark.usefixtures("flushable_db")


@pytest.fixture
def loop(city: City, flushable_db: None) -> Loop:
    """The test city equipped for the loop. A flushed database lacks the category taxonomy the
    data migration installs (another browser test may have run first): put it back."""
    from django.apps import apps

    import_module("shouwang.cases.migrations.0002_default_categories").install(apps, None)
    return equip(city)


BAR_CENTRE = """(name) => {
  const el = document.getElementById("chart-children");
  el.scrollIntoView({ block: "center" });
  const chart = echarts.getInstanceByDom(el);
  const option = chart.getOption();
  const names = option.yAxis[0].data;
  const index = names.indexOf(name);
  const value = option.series[0].data[index].value;
  const [x, y] = chart.convertToPixel({ seriesIndex: 0 }, [value / 2, index]);
  const box = el.getBoundingClientRect();
  return { x: box.left + x, y: box.top + y };
}"""


@pytest.fixture
def city_leader(loop: Loop) -> User:
    seed_demo_cases(seed=5, count=80)
    return person_create(
        username="leader_city",
        role=Role.LEADER,
        node=loop.city.node,
        password=PASSWORD,
        full_name="市综治中心",
    )


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{base}/")


def wait_for_charts(page: Any) -> None:
    for chart in ("days", "steps", "children", "map", "categories", "states"):
        page.wait_for_selector(f"#chart-{chart} canvas")


def test_a_city_leader_drills_down_and_exports_the_figures(
    loop: Loop, city_leader: User, live_server_url: str, chromium: Any, tmp_path: Path
) -> None:
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True)
    outside: list[str] = []
    context.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server_url) else None,
    )
    page = context.new_page()
    sign_in(page, live_server_url, city_leader.username)
    town_a, town_b = loop.city.a.node, loop.city.b.node

    page.goto(f"{live_server_url}/kpi/")
    wait_for_charts(page)
    assert "义乌市" in page.inner_text("h1")
    period = last_days(14)
    totals = kpi_loop(user=city_leader, since=period.since, until=period.until)["totals"]
    assert page.inner_text("[data-figure=cases]").strip() == str(totals["cases"])
    page.screenshot(path=screens_dir() / "kpi-city.png", full_page=True)

    # A click on the town's bar drills down to the town and its villages.
    point = page.evaluate(BAR_CENTRE, town_a.name)
    with page.expect_navigation():
        page.mouse.click(point["x"], point["y"])
    assert f"node={town_a.code}" in page.url
    assert town_a.name in page.inner_text("h1")
    wait_for_charts(page)
    assert loop.city.a.village.name in page.inner_text("table.children")
    page.screenshot(path=screens_dir() / "kpi-town.png", full_page=True)

    # Back up through the breadcrumb, then down again by a row of the table.
    with page.expect_navigation():
        page.click(f".crumbs >> text={loop.city.node.name}")
    with page.expect_navigation():
        page.click(f"table.children tr[data-href] >> text={town_b.name}")
    assert f"node={town_b.code}" in page.url
    wait_for_charts(page)

    with page.expect_download() as download_info:
        page.click("[data-export]")
    download = download_info.value
    assert download.suggested_filename.startswith(f"kpi-{town_b.code}-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    book = load_workbook(saved)
    figures = kpi_loop(
        user=city_leader, since=period.since, until=period.until, node_code=town_b.code
    )
    summary = book["总体指标"]
    assert summary["A1"].value.startswith(town_b.name)
    assert summary["B3"].value == figures["totals"]["cases"]
    assert summary["B6"].value == figures["totals"]["arrival_rate_8_min"]
    by_day = [
        (row[0].date(), row[1]) for row in book["按日"].iter_rows(min_row=3, values_only=True)
    ]
    assert by_day == [(d["day"], d["cases"]) for d in figures["by_day"]]
    assert all(isinstance(day, dt.date) for day, _cases in by_day)
    assert outside == []
    context.close()
