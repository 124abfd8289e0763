"""In a real browser, as a town leader: verify a resolved case and close it from the queue with the
keyboard alone, send another back (first without a reason, which is refused), record a callback,
and re-send a dead-letter notification. Screenshots of each queue go to the screens folder."""

import io
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from shouwang.cases import services
from shouwang.cases.demo import seed_demo_cases
from shouwang.cases.models import Callback, CallbackResult, Case
from shouwang.cases.states import CaseState
from shouwang.cases.tests.factories import POINT, Loop, equip, fresh, make_case
from shouwang.notify.delivery import outbox_deliver_batch
from shouwang.notify.models import Channel, OutboxMessage, OutboxState
from shouwang.notify.services import outbox_enqueue
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


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{base}/")


def photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 140, 200)).save(out, "JPEG")
    return out.getvalue()


def resolved(loop: Loop, description: str, address: str, with_photo: bool = False) -> Case:
    dispatcher, responder = loop.person("dispatcher"), loop.person("responder")
    case = make_case(loop, description=description, address=address)
    services.case_dispatch(actor=dispatcher, case=case, people=[responder])
    services.assignment_accept(actor=responder, case=fresh(case))
    lat, lng = POINT["a"]
    services.assignment_arrive(actor=responder, case=fresh(case), lat=lat, lng=lng)
    if with_photo:
        services.attachment_add(actor=responder, case=fresh(case), data=photo(), note="现场")
    services.assignment_resolve(actor=responder, case=fresh(case), note="双方已劝离，现场恢复秩序")
    return fresh(case)


def dead_letter(key: str, loop: Loop, case: Case) -> OutboxMessage:
    message = outbox_enqueue(
        channel=Channel.WEBHOOK,
        recipient="town-a-hotline-12345",
        payload={"type": "case.dispatched", "case": {"number": case.number}},
        idempotency_key=key,
        node=loop.city.a.node,
    )
    outbox_deliver_batch(channels=[Channel.WEBHOOK])  # nowhere to deliver it: dead at once
    message.refresh_from_db()
    assert message.state == OutboxState.DEAD
    return message


@pytest.fixture
def queues(loop: Loop, media_root: Path) -> dict[str, Any]:
    """A fortnight of demo cases for a lifelike queue, plus cases this test works."""
    seed_demo_cases(seed=11, count=60)
    first = resolved(loop, "商铺门口两人打架，一人轻伤", "工人北路88号", with_photo=True)
    second = resolved(loop, "小区楼道内电动车飞线充电", "宾王路9号")
    return {"first": first, "second": second, "dead": dead_letter("dl-1", loop, first)}


def selected_case(page: Any) -> int:
    return int(page.get_attribute(".queue-item.selected", "data-case"))


def test_a_leader_works_the_verification_and_callback_queues_with_the_keyboard(
    loop: Loop, queues: dict[str, Any], live_server_url: str, chromium: Any
) -> None:
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    page = context.new_page()
    sign_in(page, live_server_url, loop.person("leader").username)

    # --- verification: approve and close the first case without the mouse -------------
    page.goto(f"{live_server_url}/supervise/verify/?q=工人北路")
    page.wait_for_selector(".queue-item")
    page.keyboard.press("j")
    first = selected_case(page)
    page.keyboard.press("Enter")
    page.wait_for_selector("#case-panel .case-panel .timeline")
    assert "处置完毕" in page.inner_text("#case-panel")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#case-panel img')].every(i => i.naturalWidth > 0)"
    )
    page.goto(f"{live_server_url}/supervise/verify/")  # the whole queue, for the screenshot
    page.wait_for_selector(".queue-item")
    page.click(f"#case-{first} .item-main")
    page.wait_for_selector(f"#case-panel [data-case='{first}']")
    page.screenshot(path=screens_dir() / "supervisor-verify.png")

    page.keyboard.press("a")
    page.wait_for_selector(f"#case-{first} [data-key=c]")
    page.wait_for_selector("#supervise-status:has-text('核查通过')")
    assert Case.objects.get(pk=first).state == CaseState.VERIFIED
    page.keyboard.press("c")
    page.wait_for_selector(f"#case-{first}", state="detached")
    assert Case.objects.get(pk=first).state == CaseState.CLOSED
    page.wait_for_selector("#supervise-status:has-text('已结案')")  # swapped out of band

    # --- send the second case back: a rejection needs a reason ---------------------------
    second = queues["second"].pk
    page.goto(f"{live_server_url}/supervise/verify/?q=宾王路")
    page.wait_for_selector(f"#case-{second}")
    page.keyboard.press("j")
    page.keyboard.press("r")
    page.wait_for_selector(f"#case-{second} input[name=reason]", state="visible")
    page.keyboard.press("Enter")  # no reason yet
    page.wait_for_selector(f"#case-{second} .error")
    assert "请填写退回原因" in page.inner_text(f"#case-{second}")
    assert Case.objects.get(pk=second).state == CaseState.RESOLVED
    page.keyboard.type("楼道内仍有充电线，请再次清理")  # the refused form keeps the focus
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#case-{second}", state="detached")
    sent_back = Case.objects.get(pk=second)
    assert (sent_back.state, sent_back.round) == (CaseState.DISPATCHED, 2)

    # --- callback: the case just closed waits for its call -------------------------------
    page.goto(f"{live_server_url}/supervise/callbacks/")
    page.wait_for_selector(f"#case-{first}")
    assert "回访满意率" in page.inner_text("main")
    page.click(f"#case-{first} .item-main")
    page.wait_for_selector(f"#case-panel [data-case='{first}']")
    page.screenshot(path=screens_dir() / "supervisor-callbacks.png")
    page.keyboard.press("n")
    page.keyboard.type("群众对处置结果表示满意")
    page.keyboard.press("Enter")  # back to the case, then one key records it
    page.keyboard.press("1")
    page.wait_for_selector(f"#case-{first}", state="detached")
    callback = Callback.objects.get(case_id=first)
    assert (callback.result, callback.note) == (CallbackResult.SATISFIED, "群众对处置结果表示满意")

    # --- dead letters: read the error, re-send ------------------------------------------
    dead = queues["dead"]
    page.goto(f"{live_server_url}/notify/dead-letters/")
    row = f"#dead-letter-{dead.pk}"
    page.wait_for_selector(row)
    assert "town-a-hotline-12345" in page.inner_text(row)
    page.screenshot(path=screens_dir() / "notify-dead-letters.png", full_page=True)
    page.click(f"{row} button")
    page.wait_for_selector(f"{row}.resent")
    assert "已重新排队" in page.inner_text(row)
    context.close()
