"""Community pages in a real browser on a phone: a volunteer's report, once verified and closed
(and verified and closed again), earns points once and the phone shows them; a check-in from
too far away is refused on the page."""

from importlib import import_module
from typing import Any

import pytest

from shouwang.cases.feeders import Case
from shouwang.cases.tests.factories import POINT, equip
from shouwang.community.models import Checkin, PointAward
from shouwang.community.services.report_awards import report_awards_tick
from shouwang.community.tests.conftest import build_forces
from shouwang.community.tests.test_report_awards import close_again
from shouwang.testing.browser import PHONE, screens_dir
from shouwang.testing.city import PASSWORD, City

LAT, LNG = POINT["a"]


@pytest.fixture(autouse=True)
def categories(flushable_db: None) -> None:
    """A flushed database lacks the taxonomy the data migration installs: put it back."""
    from django.apps import apps

    import_module("shouwang.cases.migrations.0002_default_categories").install(apps, None)


def phone_at(chromium: Any, lat: float, lng: float) -> Any:
    return chromium.new_context(
        viewport=PHONE,
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": lat, "longitude": lng, "accuracy": 20},
        permissions=["geolocation"],
    )


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{base}/")


def work_to_closed(forces: Any, case_id: int) -> None:
    """The loop's people dispatch, arrive, resolve, verify and close the report."""
    from shouwang.cases import services

    loop = forces.loop
    fresh = lambda: Case.objects.get(pk=case_id)  # noqa: E731
    services.case_dispatch(
        actor=loop.person("dispatcher"), case=fresh(), people=[loop.person("responder")]
    )
    services.assignment_accept(actor=loop.person("responder"), case=fresh())
    services.assignment_arrive(actor=loop.person("responder"), case=fresh(), lat=LAT, lng=LNG)
    services.assignment_resolve(actor=loop.person("responder"), case=fresh(), note="已修复")
    services.case_verify(actor=loop.person("leader"), case=fresh())
    services.case_close(actor=loop.person("leader"), case=fresh())


@pytest.mark.usefixtures("flushable_db")
def test_a_volunteers_report_earns_points_once_and_a_far_check_in_is_refused(
    city: City, live_server_url: str, chromium: Any
) -> None:
    forces = build_forces(equip(city))
    base = live_server_url
    page = phone_at(chromium, LAT, LNG).new_page()
    sign_in(page, base, forces.volunteer.username)

    page.goto(f"{base}/report/")
    assert "可获得平安积分" in page.inner_text("main")
    page.wait_for_selector("[data-where]:has-text('已选位置')")
    page.click("label.cat:has(input[value=facility_damage])")
    page.fill("textarea[name=description]", "路口监控探头被撞坏")
    page.click("[data-submit]")
    page.wait_for_url(f"{base}/report/received/**")
    case = Case.objects.get()
    assert case.created_by == forces.volunteer

    work_to_closed(forces, case.pk)
    report_awards_tick()  # the server's own worker loop may have been first: either way once
    close_again(forces, case.pk)
    report_awards_tick()
    assert PointAward.objects.filter(source_key=f"case:{case.pk}").count() == 1

    page.goto(f"{base}/m/points/")
    assert page.inner_text("[data-balance]") == "3"
    assert page.locator("[data-statement] tbody tr").count() == 1
    page.screenshot(path=screens_dir() / "community-points-phone.png", full_page=True)

    far = phone_at(chromium, LAT + 0.01, LNG).new_page()  # ~1.1 km from the post
    sign_in(far, base, forces.volunteer.username)
    far.goto(f"{base}/m/patrol/?post=POST-A1")
    far.click("form[data-needs-position] button[type=submit]")
    far.wait_for_selector("[data-checkin-error]")
    assert "不能打卡" in far.inner_text("[data-checkin-error]")
    assert not Checkin.objects.exists()
    far.screenshot(path=screens_dir() / "community-checkin-refused-phone.png", full_page=True)
