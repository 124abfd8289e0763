"""A landlord on a phone registers a tenant, the card is issued and pushed to a (simulated) door
controller over MQTT, the tenant moves out and the card leaves the controller's list. The real
server runs its worker loops, the door link among them, on a topic prefix of this run's own.
No page is wider than the phone."""

import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone

from shouwang.housing.doors import doors_link_stop
from shouwang.housing.models import AccessCard, DoorController
from shouwang.housing.simulated_controller import SimulatedController
from shouwang.housing.tests.conftest import Rental, id_number
from shouwang.testing.browser import PHONE
from shouwang.testing.city import PASSWORD
from shouwang.testing.services import need_mqtt

pytestmark = pytest.mark.services
WAIT_SECONDS = 15.0


def eventually(check: Callable[[], Any]) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError("nothing arrived in time")


@pytest.fixture
def door_prefix(settings: Any) -> Iterator[str]:
    settings.HOUSING_MQTT_URL = need_mqtt()
    settings.HOUSING_MQTT_PREFIX = f"test-{uuid.uuid4().hex[:10]}/doors"
    doors_link_stop()  # the worker's link starts anew with this run's prefix
    yield settings.HOUSING_MQTT_PREFIX
    doors_link_stop()


def fits_the_phone(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways ({width} px)"


def test_landlord_registers_a_tenant_whose_card_reaches_the_door_and_leaves_it(
    door_prefix: str, live_server_url: str, chromium: Any, rental: Rental
) -> None:
    door = SimulatedController(need_mqtt(), door_prefix, rental.controller.serial)
    assert door.subscribed.wait(WAIT_SECONDS)
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    page = context.new_page()
    try:
        page.goto(f"{live_server_url}/login/")
        page.fill("input[name=username]", rental.landlord.username)
        page.fill("input[name=password]", PASSWORD)
        page.press("input[name=password]", "Enter")
        page.wait_for_url(f"{live_server_url}/")
        page.goto(f"{live_server_url}/m/housing/")
        fits_the_phone(page)
        page.click(f"[data-premises='{rental.premises.code}']")
        fits_the_phone(page)
        page.click("[data-room='101'] >> text=登记租客")
        page.fill("input[name=name]", "陈小燕")
        page.fill("input[name=id_number]", id_number(111))
        page.fill("input[name=phone]", "13700001234")
        page.fill("input[name=moved_in]", timezone.localdate().isoformat())
        fits_the_phone(page)
        page.click("button[type=submit] >> text=登记并发卡")
        page.wait_for_selector("[data-room='101'] [data-card]")
        card = page.inner_text("[data-room='101'] [data-card]").strip()
        assert card == "10000001"
        assert "陈*燕" in page.inner_text("[data-room='101']")
        fits_the_phone(page)

        eventually(lambda: door.cards == [card])
        eventually(
            lambda: DoorController.objects.filter(pk=rental.controller.pk, acked_version=1).exists()
        )

        page.click("[data-room='101'] button.danger")
        page.wait_for_selector("[data-room='101'] [data-tenancy]", state="detached")
        assert AccessCard.objects.get(number=card).revoked_at is not None
        eventually(lambda: door.version == 2 and door.cards == [])
    finally:
        context.close()
        door.stop()
