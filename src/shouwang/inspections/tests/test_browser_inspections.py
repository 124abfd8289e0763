"""The inspector's phone page in a real browser: a checklist with one failed item, filled in
while the connection is down (kept on the phone) and sent once it is back, exactly once; the
landlord rectifies on their phone, the inspector re-inspects and the hazard case closes; the
public QR page then shows no open hazard."""

from typing import Any

import pytest

from shouwang.cases.feeders import Case, CaseState
from shouwang.inspections.models import Hazard, Inspection
from shouwang.inspections.seed import RENTAL_ITEMS
from shouwang.inspections.tests.conftest import HOUSE_POINT, Site
from shouwang.testing.browser import PHONE, screens_dir
from shouwang.testing.city import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def phone(chromium: Any) -> Any:
    return chromium.new_context(
        viewport=PHONE,
        locale="zh-CN",
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": HOUSE_POINT[0], "longitude": HOUSE_POINT[1], "accuracy": 20},
        permissions=["geolocation"],
    )


def sign_in(context: Any, base: str, username: str) -> Any:
    page = context.new_page()
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state("networkidle")
    return page


def fits_the_phone(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways ({width} px)"


def test_an_inspection_with_a_failed_item_walks_to_a_closed_hazard(
    live_server_url: str, chromium: Any, site: Site
) -> None:
    base = live_server_url
    inspector_phone = phone(chromium)
    page = sign_in(inspector_phone, base, "inspector_1")
    page.goto(f"{base}/m/inspections/")
    page.click("a[data-premises=R-A-001]")
    page.wait_for_selector("[data-inspection-form]")
    fits_the_phone(page)
    for code, *_rest in RENTAL_ITEMS:
        page.check(f"[data-item={code}] input[value='{0 if code == 'fire_lane' else 1}']")
    page.fill("[data-item=fire_lane] input[type=text]", "楼道堆满纸箱")
    inspector_phone.set_offline(True)  # the basement
    page.click("[data-submit]")
    page.wait_for_function("document.querySelector('[data-status]').textContent.length > 0")
    assert Inspection.objects.count() == 0
    page.screenshot(path=str(screens_dir() / "inspections-offline-draft.png"))
    inspector_phone.set_offline(False)  # back upstairs: the draft goes by itself
    page.wait_for_selector("[data-inspection-form][data-done]", timeout=15_000)
    assert Inspection.objects.count() == 1
    hazard = Hazard.objects.get()
    assert hazard.item is not None and hazard.item.code == "fire_lane"

    landlord_phone = phone(chromium)
    landlord = sign_in(landlord_phone, base, "landlord_1")
    landlord.goto(f"{base}/m/hazards/")
    landlord.fill(f"[data-hazard='{hazard.pk}'] input[name=note]", "纸箱已清走")
    landlord.click(f"[data-hazard='{hazard.pk}'] [data-step=rectify] button")
    landlord.wait_for_selector(f"[data-hazard='{hazard.pk}'][data-status=awaiting_reinspection]")
    fits_the_phone(landlord)

    page.goto(f"{base}/m/hazards/")
    page.click(f"[data-hazard='{hazard.pk}'] button[value='1']")
    page.wait_for_selector(f"[data-hazard='{hazard.pk}'][data-status=closed]")
    assert Case.objects.get(pk=hazard.pk).state == CaseState.CLOSED
    assert Inspection.objects.count() == 1  # the draft was sent once

    site.house.refresh_from_db()
    public = chromium.new_context(viewport=PHONE, locale="zh-CN").new_page()
    public.goto(f"{base}/q/{site.house.qr_token}/")
    assert public.inner_text("[data-open-hazards]") == "0"
    assert public.get_attribute("[data-qr-card]", "class").startswith("qr-card level-")
    fits_the_phone(public)
    public.screenshot(path=str(screens_dir() / "inspections-qr-page.png"))
