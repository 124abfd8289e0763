"""The whole loop across the screens, in real browsers against a real server (issue: the screens
of the loop): a dispatcher takes a call with the keyboard and dispatches it; the responder's page
(a second browser context, phone-sized, with a granted position) shows it without a reload,
accepts, arrives, resolves with a photo; the supervisor verifies and closes it; the citizen's
tracking page shows it closed; the KPI page counts it. No request leaves the machine."""

from pathlib import Path
from typing import Any

import pytest

from shouwang.cases import services
from shouwang.cases.models import Case
from shouwang.cases.states import CaseState
from shouwang.cases.tests.factories import POINT, Loop, equip, fresh
from shouwang.cases.tests.test_browser_console import categories, db, sign_in
from shouwang.cases.tests.test_browser_field import camera_photo, fits_the_phone
from shouwang.testing.browser import DESKTOP, PHONE, screens_dir
from shouwang.testing.city import City

WAIT_MS = 15_000  # a bound for failing, not a performance target
LAT, LNG = POINT["a"]

__all__ = ["categories"]  # the fixture, imported for pytest to find


def context(chromium: Any, base: str, outside: list[str], **options: Any) -> Any:
    browser = chromium.new_context(locale="zh-CN", **options)
    browser.set_default_timeout(WAIT_MS)
    local = (base, "blob:", "data:")
    browser.on("request", lambda r: None if r.url.startswith(local) else outside.append(r.url))
    return browser


def take_the_call(page: Any, base: str) -> Case:
    """The dispatcher's keyboard-only intake; returns the saved case."""
    page.goto(f"{base}/console/new/")
    page.keyboard.type("djdo")  # 打架斗殴 by its pinyin initials
    page.wait_for_selector("#category-list li[data-code=fight].active")
    page.keyboard.press("Enter")
    for _ in range(3):  # priority, channel, then the address
        page.keyboard.press("Tab")
    page.keyboard.type("工人北路12号门口")
    page.keyboard.press("Tab")
    page.keyboard.insert_text(f"{LAT}, {LNG}")
    page.keyboard.press("Tab")
    page.keyboard.type("商铺门口两名男子打架，一人流血")
    page.keyboard.press("Control+Enter")
    page.wait_for_url(f"{base}/console/cases/*/")
    return db(Case.objects.get)


@pytest.mark.usefixtures("flushable_db", "categories")
def test_one_call_goes_round_the_whole_loop_on_the_screens(
    city: City, live_server_url: str, chromium: Any, media_root: Path, tmp_path: Path
) -> None:
    loop: Loop = equip(city)
    base, outside = live_server_url, []
    db(services.responder_position_report, actor=loop.person("responder"), lat=LAT, lng=LNG)
    phone = context(
        chromium,
        base,
        outside,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": LAT, "longitude": LNG, "accuracy": 20},
        permissions=["geolocation"],
    )
    desktop = context(chromium, base, outside, viewport=DESKTOP)

    # The responder's task list is open before the call comes in.
    mobile = phone.new_page()
    sign_in(mobile, base, "responder_1")
    mobile.goto(f"{base}/m/")
    mobile.wait_for_selector("[data-live-status].on")

    # The dispatcher takes the call and dispatches it to the nearest responder (d, Space, Enter).
    console = desktop.new_page()
    sign_in(console, base, "dispatcher_1")
    case = take_the_call(console, base)
    console.keyboard.press("d")
    console.keyboard.press("Space")
    console.keyboard.press("Enter")
    console.wait_for_selector("text=已派单：已通知处置人员")

    # The phone shows it without a reload; accept, arrive (position sent), photo, resolve.
    mobile.wait_for_selector(f"a.task[data-case='{case.pk}']")
    mobile.click(f"a.task[data-case='{case.pk}']")
    with mobile.expect_navigation():
        mobile.click("button:has-text('接单')")
    with mobile.expect_navigation():
        mobile.click("button:has-text('到达现场')")
    assert db(fresh, case).state == CaseState.ON_SCENE
    photo = camera_photo(tmp_path, "scene.png", (2400, 1800))
    mobile.set_input_files("[data-photo-form] input[type=file]", str(photo))
    mobile.wait_for_selector("[data-thumbs] img")
    mobile.fill("textarea[name=note]", "双方已分开，伤者送医")
    fits_the_phone(mobile)
    with mobile.expect_navigation():
        mobile.click("button:has-text('处置完毕')")
    assert db(fresh, case).state == CaseState.RESOLVED

    # The town leader verifies and closes it from the queue with the keyboard.
    supervisor = desktop.new_page()
    sign_in(supervisor, base, "leader_1")
    supervisor.goto(f"{base}/supervise/verify/")
    supervisor.click(f"#case-{case.pk} .item-main")
    supervisor.wait_for_selector(f"#case-panel [data-case='{case.pk}']")
    supervisor.keyboard.press("a")
    supervisor.wait_for_selector(f"#case-{case.pk} [data-key=c]")
    supervisor.keyboard.press("c")
    supervisor.wait_for_selector(f"#case-{case.pk}", state="detached")
    assert db(fresh, case).state == CaseState.CLOSED

    # The caller's tracking link shows it closed.
    citizen = context(chromium, base, outside, viewport=PHONE, is_mobile=True).new_page()
    citizen.goto(f"{base}/track/{case.receipt_code}/")
    assert "结案" in citizen.inner_text("[data-progress]")

    # The KPI page counts it, at the town where it happened.
    supervisor.goto(f"{base}/kpi/?node={city.a.node.code}")
    assert supervisor.inner_text("[data-figure=cases]").strip() == "1"
    supervisor.screenshot(path=screens_dir() / "loop-kpi-town.png", full_page=True)
    assert outside == []
