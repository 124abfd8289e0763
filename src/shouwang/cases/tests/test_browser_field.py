"""The field pages in a real browser on a phone-sized screen with a granted position: the
responder sees a task dispatched while the page is open, accepts, arrives (the position goes
with it), uploads a camera photo compressed in the browser, talks in the case room and resolves;
a citizen reports with a photo and gets a receipt; the tracking page shows progress without
anyone's personal data; after closure the citizen rates the handling. No page is wider than the
phone. Screenshots of each screen go to the screens folder."""

from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from shouwang.cases import services
from shouwang.cases.models import (
    Assignment,
    Attachment,
    Callback,
    Case,
    CaseChannel,
    ResponderStatus,
)
from shouwang.cases.states import CaseState
from shouwang.cases.tests.factories import POINT, category, equip, fresh
from shouwang.testing.browser import PHONE, screens_dir
from shouwang.testing.city import PASSWORD, City

LAT, LNG = POINT["a"]
REPORTER, CALLER_PHONE = "王小明", "13912345678"


@pytest.fixture(autouse=True)
def categories(flushable_db: None) -> None:
    """A flushed database lacks the taxonomy the data migration installs: put it back."""
    from django.apps import apps

    import_module("shouwang.cases.migrations.0002_default_categories").install(apps, None)


def phone(chromium: Any, base: str, outside: list[str]) -> Any:
    context = chromium.new_context(
        viewport=PHONE,
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": LAT, "longitude": LNG, "accuracy": 20},
        permissions=["geolocation"],
    )
    context.on("request", lambda r: outside.append(r.url) if not local(r.url, base) else None)
    return context


def local(url: str, base: str) -> bool:
    """Our server, or the page's own memory (a compressed photo's preview is a blob: URL)."""
    return url.startswith((base, "blob:", "data:"))


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    # Home for most roles, the task list (/m/) for field workers.
    page.wait_for_url(lambda url: url in {f"{base}/", f"{base}/m/"})


def fits_the_phone(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways ({width} px)"


def camera_photo(folder: Path, name: str, size: tuple[int, int]) -> Path:
    """A 'camera' picture larger than the 1600 px the page sends."""
    image = Image.new("RGB", size, (90, 140, 200))
    draw = ImageDraw.Draw(image)
    draw.rectangle((size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2), fill=(230, 200, 40))
    draw.ellipse((size[0] // 2, size[1] // 3, size[0] - 100, size[1] - 100), fill=(200, 40, 40))
    path = folder / name
    image.save(path)
    return path


@pytest.mark.usefixtures("flushable_db")
def test_responder_works_a_task_on_the_phone_and_the_citizen_tracks_and_rates_it(
    city: City, live_server_url: str, chromium: Any, media_root: Path, tmp_path: Path
) -> None:
    equip(city)
    base, outside = live_server_url, []
    responder, dispatcher = city.a.people["responder"], city.a.people["dispatcher"]
    context = phone(chromium, base, outside)
    page = context.new_page()
    sign_in(page, base, responder.username)

    # The task list is open before the call comes in: the task appears without a reload.
    page.goto(f"{base}/m/")
    page.wait_for_selector("[data-live-status].on")
    assert "暂无待办任务" in page.inner_text("#tasks")
    page.wait_for_selector("[data-position-status]:has-text('位置共享中')")
    position = ResponderStatus.objects.get(person=responder)  # for nearest-responder dispatch
    assert (position.lat, position.lng) == (pytest.approx(LAT), pytest.approx(LNG))
    case = services.case_intake(
        actor=dispatcher,
        category=category("fight"),
        description="幸福路12号门口两人打架，一人头部流血",
        channel=CaseChannel.PHONE_110,
        lat=LAT + 0.0005,
        lng=LNG,
        address="幸福路12号",
        reporter_name=REPORTER,
        caller_phone=CALLER_PHONE,
    ).case
    services.case_dispatch(actor=dispatcher, case=case, people=[responder])
    page.wait_for_selector(f"a.task[data-case='{case.pk}']", timeout=15000)
    fits_the_phone(page)
    page.screenshot(path=screens_dir() / "field-tasks-phone.png", full_page=True)

    page.click(f"a.task[data-case='{case.pk}']")
    page.wait_for_selector("text=接单")
    fits_the_phone(page)
    with page.expect_navigation():
        page.click("button:has-text('接单')")
    assert fresh(case).state == CaseState.ACCEPTED

    with page.expect_navigation():
        page.click("button:has-text('到达现场')")  # sends the granted position
    assert fresh(case).state == CaseState.ON_SCENE
    arrival = Assignment.objects.get(case=case, person=responder)
    assert arrival.arrival_lat == pytest.approx(LAT, abs=1e-5)
    assert arrival.arrival_lng == pytest.approx(LNG, abs=1e-5)
    assert arrival.within_radius is True and 40 < arrival.distance_m < 70

    # A camera photo, shrunk to 1600 px and re-encoded as JPEG before it goes up.
    page.wait_for_selector("[data-room][data-field-page]")
    page.wait_for_selector("[data-live-status].on")
    big = camera_photo(tmp_path, "camera.png", (3200, 2400))
    page.set_input_files("[data-photo-form] input[type=file]", str(big))
    page.wait_for_selector("[data-thumbs] img", timeout=15000)
    photo = Attachment.objects.get(case=case)
    assert (photo.width, photo.height) == (1600, 1200)
    assert photo.content_type == "image/jpeg" and photo.uploaded_by == responder

    page.fill("[data-say] input[name=text]", "伤者已送医，嫌疑人已控制")
    page.click("[data-say] button")
    page.wait_for_selector(".events li.msg:has-text('伤者已送医')", timeout=15000)

    page.fill("textarea[name=note]", "双方已分开，伤者送医，嫌疑人带回调查")
    fits_the_phone(page)
    page.screenshot(path=screens_dir() / "field-task-phone.png", full_page=True)
    with page.expect_navigation():
        page.click("button:has-text('处置完毕')")
    assert fresh(case).state == CaseState.RESOLVED
    assert "您已报告处置完毕" in page.inner_text("main")
    context.close()

    leader = city.a.people["leader"]
    services.case_verify(actor=leader, case=fresh(case))
    services.case_close(actor=leader, case=fresh(case))

    # The caller follows the link from their receipt: progress, and nobody's personal data.
    citizen = phone(chromium, base, outside).new_page()
    citizen.goto(f"{base}/track/{case.receipt_code}/")
    progress = citizen.inner_text("[data-progress]")
    for step in ("受理", "派单", "接单", "到场", "处置完毕", "核查通过", "结案"):
        assert step in progress, step
    html = citizen.content()
    for private in (
        REPORTER,
        CALLER_PHONE,
        fresh(case).caller_phone_masked,
        "幸福路12号",
        responder.full_name,
        responder.username,
        "伤者已送医",
    ):
        assert private not in html, private
    fits_the_phone(citizen)
    citizen.screenshot(path=screens_dir() / "track-phone.png", full_page=True)

    citizen.check("input[value=satisfied]")
    citizen.fill("textarea[name=note]", "民警来得很快")
    citizen.screenshot(path=screens_dir() / "track-rating-phone.png", full_page=True)
    with citizen.expect_navigation():
        citizen.click("button:has-text('提交评价')")
    assert "您的评价：满意" in citizen.inner_text("main")
    callback = Callback.objects.get(case=case)
    assert (callback.result, callback.by) == ("satisfied", None)
    fits_the_phone(citizen)
    citizen.screenshot(path=screens_dir() / "track-rated-phone.png", full_page=True)
    assert outside == []


@pytest.mark.usefixtures("flushable_db")
def test_citizen_reports_with_a_photo_and_the_phones_position_and_gets_a_receipt(
    city: City, live_server_url: str, chromium: Any, media_root: Path, tmp_path: Path
) -> None:
    equip(city)
    base, outside = live_server_url, []
    page = phone(chromium, base, outside).new_page()
    page.goto(f"{base}/report/")
    page.wait_for_selector("[data-where]:has-text('已选位置')")  # asked for at once
    fits_the_phone(page)

    # A submit without a category comes back beside the field, with the photo and text kept.
    page.set_input_files("[data-photo-input]", str(camera_photo(tmp_path, "p.png", (2000, 1500))))
    page.wait_for_selector("[data-photo-preview]:not([hidden]) img[src^='blob:']")
    page.fill("textarea[name=description]", "三楼楼道有人拉飞线给电动车充电")
    page.click("[data-submit]")
    page.wait_for_selector("[data-error-for=category]:has-text('请选择事件类别')")
    assert page.input_value("textarea[name=description]") == "三楼楼道有人拉飞线给电动车充电"
    assert page.locator("[data-photo-preview] img[src^='blob:']").count() == 1
    assert not Case.objects.exists()

    page.click("label.cat:has(input[value=ebike_charging])")
    assert page.inner_text("#report-errors").strip() == ""  # fixed: the complaint goes
    page.click("[data-adjust]")  # the map (and ECharts) load only now
    page.wait_for_selector("[data-map] canvas", timeout=20000)
    before = page.input_value("[data-lng]")
    box = page.locator("[data-map]").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2 + 25, box["y"] + box["height"] / 2 + 10)
    page.wait_for_function("b => document.querySelector('[data-lng]').value !== b", arg=before)
    pin = float(page.input_value("[data-lat]")), float(page.input_value("[data-lng]"))
    assert pin != (pytest.approx(LAT), pytest.approx(LNG)) and pin[1] > LNG  # moved east
    page.screenshot(path=screens_dir() / "report-form-phone.png", full_page=True)
    fits_the_phone(page)
    page.click("[data-submit]")  # sent in the background, then on to the receipt
    page.wait_for_url(f"{base}/report/received/**")
    case = Case.objects.get()
    assert page.inner_text("[data-receipt-code]") == case.receipt_code
    assert case.category.code == "ebike_charging" and case.created_by is None
    assert (case.lat, case.lng) == (pytest.approx(pin[0]), pytest.approx(pin[1]))
    photo = Attachment.objects.get(case=case)
    assert (photo.width, photo.height) == (1600, 1200) and photo.content_type == "image/jpeg"
    fits_the_phone(page)
    page.screenshot(path=screens_dir() / "report-receipt-phone.png", full_page=True)

    with page.expect_navigation():
        page.click("a:has-text('查看处理进度')")
    assert "已受理" in page.inner_text("main")
    assert "您对处理结果满意吗" not in page.inner_text("main")  # not closed yet
    fits_the_phone(page)
    assert outside == []
