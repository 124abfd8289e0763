"""In a real browser, on a phone: a dispute call taken by the dispatcher goes to a mediation
studio, whose mediator accepts it, records a session, registers the agreement and the payment,
and sees the agreement performed with the money recovered and the case closed."""

from decimal import Decimal
from typing import Any

import pytest

from shouwang.cases import feeders
from shouwang.mediation.models import FileState, MediationFile
from shouwang.mediation.tests.conftest import Mediation, call
from shouwang.testing.browser import PHONE, screens_dir
from shouwang.testing.city import PASSWORD

pytestmark = pytest.mark.usefixtures("flushable_db")


def sign_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(f"{base}/")


def test_a_dispute_goes_from_a_call_to_a_performed_agreement_on_a_mediators_phone(
    mediation: Mediation, live_server_url: str, chromium: Any
) -> None:
    case_id = call(mediation.api("dispatcher"), description="邻居漏水纠纷，要求赔偿维修费")
    context = chromium.new_context(viewport=PHONE, locale="zh-CN", is_mobile=True)
    page = context.new_page()
    base = live_server_url
    sign_in(page, base, mediation.person("mediator").username)

    page.goto(f"{base}/mediation/new/{case_id}/")
    names, phones = page.locator("input[name=name]"), page.locator("input[name=phone]")
    names.nth(0).fill("张三丰")
    phones.nth(0).fill("13900001111")
    names.nth(1).fill("李四")
    phones.nth(1).fill("13900002222")
    page.fill("input[name=amount_in_dispute]", "5000")
    page.click("form[data-form=new-file] button[type=submit]")
    page.wait_for_selector("[data-file-state=accepted]")
    assert "张*丰" in page.content() and "13900001111" not in page.content()

    page.fill("form[data-form=session] input[name=place]", "幸福路社区调解室")
    page.fill("form[data-form=session] textarea[name=record]", "双方同意赔偿维修费")
    page.click("form[data-form=session] button[type=submit]")
    page.wait_for_selector("[data-file-state=mediating]")

    page.fill("form[data-form=agreement] input[name=amount]", "5000")
    page.fill("form[data-form=agreement] input[name=how]", "微信转账")
    page.click("form[data-form=agreement] button[type=submit]")
    page.wait_for_selector("[data-file-state=agreed]")

    page.goto(f"{base}/mediation/today/")
    assert "幸福路社区调解室" in page.content() and "李*" in page.content()
    page.click("a[data-file]")
    page.fill("form[data-form=payment] input[name=amount]", "5000")
    page.fill("form[data-form=payment] input[name=proof]", "微信转账单号 4200001")
    page.click("form[data-form=payment] button[type=submit]")
    page.wait_for_selector("[data-file-state=performed]")
    assert page.inner_text("[data-money-recovered]") == "¥5000.00"
    page.screenshot(path=str(screens_dir() / "mediation-performed-phone.png"), full_page=True)
    context.close()

    file = MediationFile.objects.get(case_id=case_id)
    assert file.state == FileState.PERFORMED
    assert sum(o.paid for o in file.agreement.obligations.all()) == Decimal("5000")
    assert feeders.Case.objects.get(pk=case_id).state == feeders.CaseState.CLOSED
