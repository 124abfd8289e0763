"""Nothing personal leaves through Open311: not the reporter's name, phone (clear or masked),
e-mail, device or account id, not the free-text description they wrote, not the case's receipt
code; in no document and no format. And what the platform never needs is never kept."""

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from shouwang.cases import services
from shouwang.cases.models import Case, CaseChannel
from shouwang.cases.tests.factories import POINT, Loop, category
from shouwang.open311.models import Open311Request
from shouwang.open311.tests.conftest import BASE

pytestmark = pytest.mark.django_db

DESCRIPTION = "我是王小明，电话13912345678，楼下KTV每天吵到凌晨"


def test_no_output_carries_personal_data(
    loop: Loop, client: Client, post_request: Callable[..., Any]
) -> None:
    outputs = [
        post_request(
            fmt,
            first_name="小明",
            last_name="王",
            phone="13912345678",
            email="wangxm@example.cn",
            device_id="device-5f2c9",
            account_id="acct-88231",
            description=DESCRIPTION,
        ).content
        for fmt in ("json", "xml")
    ]
    lat, lng = POINT["a"]
    web = services.case_intake(
        actor=None,
        category=category("garbage"),
        description="李四家门口垃圾，联系李四13800001111",
        channel=CaseChannel.WEB,
        lat=lat,
        lng=lng,
        reporter_name="李四",
        caller_phone="13800001111",
        external_token="tok-web-1",
    ).case
    cases = list(Case.objects.order_by("id"))
    for fmt in ("json", "xml"):
        outputs.append(client.get(f"{BASE}/requests.{fmt}").content)
        outputs.append(client.get(f"{BASE}/tokens/tok-web-1.{fmt}").content)
        outputs += [client.get(f"{BASE}/requests/{c.pk}.{fmt}").content for c in cases]
    assert all(b"service_request_id" in output for output in outputs)

    personal = [
        "王小明",
        "小明",
        "13912345678",
        "139****5678",
        "wangxm@example.cn",
        "device-5f2c9",
        "acct-88231",
        "KTV",
        "李四",
        "13800001111",
        "138****1111",
        web.receipt_code,
        web.caller_phone_hash,
        *(c.receipt_code for c in cases),
    ]
    for output in outputs:
        text = output.decode()
        assert [p for p in personal if p in text] == []


def test_e_mail_device_and_account_ids_are_not_kept(post_request: Callable[..., Any]) -> None:
    post_request(email="wangxm@example.cn", device_id="device-5f2c9", account_id="acct-88231")
    case = Case.objects.get()
    stored = [str(v) for v in Case.objects.filter(pk=case.pk).values().get().values()]
    stored += [str(v) for v in Open311Request.objects.filter(case=case).values().get().values()]
    assert [v for v in stored if "example.cn" in v or "5f2c9" in v or "88231" in v] == []


def test_police_matters_reported_on_the_web_are_never_listed(loop: Loop, client: Client) -> None:
    lat, lng = POINT["a"]
    violence = services.case_intake(
        actor=None,
        category=category("domestic_violence"),
        description="隔壁有人打老婆",
        channel=CaseChannel.WEB,
        lat=lat,
        lng=lng,
    ).case
    listed = client.get(f"{BASE}/requests.json").json()
    assert str(violence.pk) not in {str(item["service_request_id"]) for item in listed}
    assert client.get(f"{BASE}/requests/{violence.pk}.json").status_code == 404
