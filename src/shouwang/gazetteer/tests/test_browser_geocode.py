"""In a real browser: the dispatcher types part of an address on the intake form, the standard
gazetteer suggests places, and choosing one fills the coordinates."""

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import expect

from shouwang.gazetteer.selectors import gazetteer_forget
from shouwang.gazetteer.services import addresses_import
from shouwang.testing.browser import DESKTOP
from shouwang.testing.city import PASSWORD, City

WAIT_MS = 15_000  # a bound for failing, not a performance target


@pytest.fixture
def desktop(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN")
    context.set_default_timeout(WAIT_MS)
    yield context
    context.close()


@pytest.mark.usefixtures("flushable_db")
def test_the_intake_address_field_suggests_gazetteer_places_and_fills_the_point(
    city: City, live_server_url: str, desktop: Any
) -> None:
    gazetteer_forget()
    rows = [
        (2, {"address": "稠城街道宾王路5号", "lat": "29.1", "lng": "120.05"}),
        (3, {"address": "稠城街道宾王路7号", "lat": "29.1002", "lng": "120.0502"}),
    ]
    assert not addresses_import(rows=rows).errors
    connections.close_all()
    page = desktop.new_page()
    page.goto(f"{live_server_url}/login/")
    page.fill("input[name=username]", "dispatcher_1")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{live_server_url}/")
    page.goto(f"{live_server_url}/console/new/")
    page.fill("#id_address", "宾王路5")
    option = page.locator("#address-suggestions option").first
    option.wait_for(state="attached")
    first = option.get_attribute("value")
    assert first == "稠城街道宾王路5号"
    page.fill("#id_address", first)
    expect(page.locator("#id_lat")).not_to_have_value("")
    assert float(page.input_value("#id_lat")) == pytest.approx(29.1)
    assert float(page.input_value("#id_lng")) == pytest.approx(120.05)
