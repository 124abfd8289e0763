"""In real browsers against a real server: a dispatcher takes a call with the keyboard, sees the
duplicate hint, saves, and dispatches to a suggested responder; the responder's phone (a second
browser context, signed in) gets the dispatch and the room's messages without reloading; the
console's list follows what other clients do; the big screen counts it. Screenshots of the
console, the intake form, the case page and the big screen go to the screens folder."""

import re
import time
from collections.abc import Callable, Iterator
from importlib import import_module
from typing import Any, TypeVar

import pytest
from django.db import connections

from shouwang.cases import services
from shouwang.cases.models import Case, CaseChannel
from shouwang.cases.tests.factories import POINT, Loop, category, equip
from shouwang.testing.browser import DESKTOP, PHONE, screens_dir
from shouwang.testing.city import PASSWORD, City

T = TypeVar("T")
WAIT_MS = 15_000  # a bound for failing, not a performance target


@pytest.fixture
def categories(flushable_db: None) -> None:
    """A flushed database lacks the taxonomy the data migration installs: put it back."""
    from django.apps import apps

    import_module("shouwang.cases.migrations.0002_default_categories").install(apps, None)


@pytest.fixture
def loop(city: City, categories: None) -> Loop:
    return equip(city)


def db(call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """A database call from the test body. Under Playwright's event loop, Django gives each
    call a connection of its own context that nothing would close, and PostgreSQL then cannot
    drop the test database: close it at once."""
    try:
        return call(*args, **kwargs)
    finally:
        connections.close_all()


@pytest.fixture
def desktop(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(WAIT_MS)
    yield context
    context.close()


@pytest.fixture
def phone(chromium: Any) -> Iterator[Any]:
    lat, lng = POINT["a"]
    context = chromium.new_context(
        viewport=PHONE,
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": lat, "longitude": lng},
        permissions=["geolocation"],
    )
    context.set_default_timeout(WAIT_MS)
    yield context
    context.close()


def wait_until(page: Any, expression: str, timeout_s: float = 20.0) -> None:
    """Polls `expression` in the page until it is true. Playwright's wait_for_function compiles
    its string inside the page, which the site's Content-Security-Policy (no eval) refuses;
    evaluate() runs through the debugging protocol instead."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for: {expression}"
        page.wait_for_timeout(100)


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    # Home for most roles, the task list (/m/) for field workers.
    page.wait_for_url(lambda url: url in {f"{base}/", f"{base}/m/"})


# The responder's side: the real sockets, driven by a page of the site with our room client.
LISTEN = """
async () => {
  window.heard = { notify: [], room: [], closes: [] };
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const notify = new WebSocket(`${scheme}://${location.host}/ws/notify/`);
  notify.onmessage = (m) => window.heard.notify.push(JSON.parse(m.data));
  await new Promise((ok) => { notify.onopen = ok; });
}
"""
JOIN_ROOM = """
(caseId) => {
  window.room = ShouwangRoom.connect({
    caseId, after: 0,
    onEvent: (e) => window.heard.room.push(e),
    onStatus: (s, code) => { if (code) window.heard.closes.push(code); },
  });
}
"""


@pytest.mark.usefixtures("flushable_db")
def test_dispatcher_takes_a_call_and_dispatches_it_to_a_responders_phone(
    loop: Loop, live_server_url: str, desktop: Any, phone: Any
) -> None:
    base = live_server_url
    lat, lng = POINT["a"]
    db(services.responder_position_report, actor=loop.person("responder"), lat=lat, lng=lng + 0.001)
    earlier = db(
        services.case_intake,
        actor=loop.person("dispatcher"),
        category=category("fight"),
        description="商铺门口有人打架",
        channel=CaseChannel.PHONE_110,
        lat=lat,
        lng=lng,
        address="工人北路12号",
    ).case
    outside: list[str] = []
    desktop.on("request", lambda r: None if r.url.startswith(base) else outside.append(r.url))

    # The responder's phone, signed in, listening before anything is dispatched to them.
    mobile = phone.new_page()
    sign_in(mobile, base, "responder_1")
    mobile.evaluate(LISTEN)
    mobile.add_script_tag(url=f"{base}/static/shouwang/console/room-client.js")

    # The console: the earlier call is listed; "n" opens a new call.
    page = desktop.new_page()
    sign_in(page, base, "dispatcher_1")
    page.goto(f"{base}/console/")
    page.wait_for_selector(f"#case-{earlier.pk}")
    page.wait_for_selector("#map canvas")
    page.wait_for_selector("#live[data-live=on]")
    page.screenshot(path=screens_dir() / "console-list.png")
    page.keyboard.press("j")
    assert page.get_attribute(f"#case-{earlier.pk}", "class") == "case-row selected"
    page.keyboard.press("n")
    page.wait_for_url(f"{base}/console/new/")

    # Intake by keyboard only: the category by pinyin initials, then Tab from field to field.
    page.keyboard.type("djdo")
    page.wait_for_selector("#category-list li[data-code=fight].active")
    page.keyboard.press("Enter")
    assert page.input_value("#id_category") == "fight"
    page.keyboard.press("Tab")  # priority
    page.keyboard.press("Tab")  # channel
    page.keyboard.press("Tab")
    page.keyboard.type("工人北路12号门口")
    page.keyboard.press("Tab")
    page.keyboard.insert_text(f"{lat}, {lng}")  # as pasted: splits into both fields
    assert page.input_value("#id_lat") == str(lat)
    assert page.input_value("#id_lng") == str(lng)
    page.keyboard.press("Tab")
    page.keyboard.type("又有人报警：商铺门口两名男子打架，一人流血")
    page.keyboard.press("Tab")
    page.keyboard.type("13812345678")
    page.keyboard.press("Tab")
    page.keyboard.type("李女士")
    page.wait_for_selector(f"#duplicates .dupe[data-case='{earlier.pk}']")
    assert earlier.number in page.inner_text("#duplicates")
    page.screenshot(path=screens_dir() / "console-intake.png", full_page=True)
    page.keyboard.press("Control+Enter")
    page.wait_for_url(re.compile(r"/console/cases/\d+/$"))

    case = db(Case.objects.exclude(pk=earlier.pk).get)
    assert "138****5678" in page.inner_text("#case-summary")
    assert "已登记" in page.inner_text(".messages")
    assert earlier.number in page.inner_text("#case-duplicates")

    # Dispatch from the suggestions: d focuses them, Space ticks, Enter sends.
    page.keyboard.press("d")
    assert page.evaluate("document.activeElement.value") == "responder_1"
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=已派单：已通知处置人员")
    assert page.inner_text("#case-state") == "已派单"
    assert "稠城街道responder" in page.inner_text("#case-assignees")

    # The phone got the dispatch (five-in-sync: 呼叫) without reloading, and joins the room.
    wait_until(
        mobile,
        f"window.heard.notify.some(f => f.message.type === 'case.dispatched' "
        f"&& f.message.case.id === {case.pk})",
    )
    mobile.evaluate(JOIN_ROOM, case.pk)
    wait_until(mobile, "window.heard.room.some(e => e.kind === 'room_opened')")

    # The dispatcher writes in the room and the phone hears it; the phone answers, the console too.
    page.wait_for_selector("#live[data-live=on]")
    page.keyboard.press("r")
    page.keyboard.type("报警人在商铺门口等候，注意安全")
    page.keyboard.press("Enter")
    wait_until(
        mobile, "window.heard.room.some(e => e.kind === 'message' && e.detail.includes('注意安全'))"
    )
    wait_until(mobile, "window.room.say('收到，三分钟到') !== null")
    page.wait_for_selector("#room-log li:has-text('收到，三分钟到')")

    # The console list and the big screen are open while the phone accepts: both follow.
    page.wait_for_selector("#room-log li:has-text('注意安全')")
    list_page = desktop.new_page()
    list_page.goto(f"{base}/console/")
    list_page.wait_for_selector("#live[data-live=on]")
    screen = desktop.new_page()
    screen.goto(f"{base}/screen/")
    screen.wait_for_selector("#map canvas")
    screen.wait_for_selector("#live[data-live=on]")
    assert screen.inner_text("[data-figure=received]") == "2"
    accepted = mobile.evaluate(
        """async (id) => {
          const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
          const r = await fetch(`/api/v1/cases/${id}/accept`, {method: 'POST',
            headers: {'X-CSRFToken': token}, credentials: 'same-origin'});
          return r.status;
        }""",
        case.pk,
    )
    assert accepted == 200
    list_page.wait_for_selector(f"#case-{case.pk} .badge.accepted")
    page.wait_for_selector("#case-state.accepted")
    screen.wait_for_selector("[data-state=accepted] b:text-is('1')")
    page.screenshot(path=screens_dir() / "console-case.png", full_page=True)

    # Another dispatcher's call comes in: on top of the list, and counted on the big screen.
    newer = db(
        services.case_intake,
        actor=loop.person("dispatcher"),
        category=category("theft"),
        description="电动车被盗",
        channel=CaseChannel.PHONE_110,
        lat=lat + 0.002,
        lng=lng,
    ).case
    list_page.wait_for_selector(f"#case-rows tr:first-child#case-{newer.pk}")
    screen.wait_for_selector("[data-figure=received]:text-is('3')")
    screen.screenshot(path=screens_dir() / "console-screen.png")
    assert outside == []


@pytest.mark.usefixtures("flushable_db")
def test_intake_errors_keep_what_was_typed_in_english(
    loop: Loop, live_server_url: str, desktop: Any
) -> None:
    page = desktop.new_page()
    sign_in(page, live_server_url, "dispatcher_1")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    page.goto(f"{live_server_url}/console/new/")
    page.fill("#id_address", "Gongren North Road 12")
    page.fill("#id_caller_phone", "12345")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("[role=alert]")
    assert page.input_value("#id_address") == "Gongren North Road 12"
    assert page.input_value("#id_caller_phone") == "12345"
    assert page.locator(".field.has-error").count() >= 3
    page.screenshot(path=screens_dir() / "console-intake-errors-en.png", full_page=True)
    assert not db(Case.objects.exists)
