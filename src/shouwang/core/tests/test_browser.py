"""In a real browser: sign in, land on the role's home page, open the jurisdiction map, switch to
English; the sign-in page on a phone-sized screen. Screenshots go to the screens folder."""

from typing import Any

import pytest

from shouwang.testing.browser import DESKTOP, PHONE, screens_dir
from shouwang.testing.city import PASSWORD, City


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")  # keyboard only, as a dispatcher would
    page.wait_for_url(f"{base}/")


@pytest.mark.usefixtures("flushable_db")
def test_leader_signs_in_sees_home_and_the_jurisdiction_map(
    city: City, live_server_url: str, chromium: Any
) -> None:
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server_url, "leader_1")
    assert "稠城街道" in page.inner_text("header")
    page.screenshot(path=screens_dir() / "home-leader.png")
    page.click("text=辖区")
    page.wait_for_selector("#map canvas")
    assert (
        page.locator("table.list:not(.people)").inner_text().count("网格") == 0
    )  # town page lists villages
    assert city.a.village.name in page.inner_text("table.list:not(.people)")
    page.screenshot(path=screens_dir() / "jurisdiction-map.png")
    context.close()


@pytest.mark.usefixtures("flushable_db")
def test_person_switches_the_interface_to_english(
    city: City, live_server_url: str, chromium: Any
) -> None:
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server_url, "dispatcher_1")
    with page.expect_navigation():  # the switch submits its form on change
        page.select_option("select[name=language]", "en")
    assert "Jurisdiction" in page.inner_text("main")
    page.screenshot(path=screens_dir() / "home-dispatcher-en.png")
    context.close()


@pytest.mark.usefixtures("flushable_db")
def test_sign_in_page_fits_a_phone_and_shows_a_clear_error(
    live_server_url: str, chromium: Any
) -> None:
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server_url}/login/")
    page.fill("input[name=username]", "nobody")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.inner_text("[role=alert]")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page must not scroll sideways on a phone"
    page.screenshot(path=screens_dir() / "login-phone.png", full_page=True)
    context.close()


@pytest.mark.usefixtures("flushable_db")
def test_pages_make_no_request_outside_this_machine(
    city: City, live_server_url: str, chromium: Any
) -> None:
    context = chromium.new_context(viewport=DESKTOP)
    outside: list[str] = []
    context.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_server_url) else None,
    )
    page = context.new_page()
    sign_in(page, live_server_url, "leader_1")
    page.goto(f"{live_server_url}/jurisdiction/")
    page.wait_for_selector("#map canvas")
    page.goto(f"{live_server_url}/api/docs")
    page.wait_for_selector(".swagger-ui")
    assert outside == []
    context.close()
