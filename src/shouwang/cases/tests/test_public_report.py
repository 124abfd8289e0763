"""The citizen's report page: anyone may report with a category, a photo and the phone's
position, and gets a receipt code; a signed-in volunteer's report is theirs. Bad input is refused
beside the field with everything typed kept and nothing saved; anonymous reports are limited per
address; CSRF protection is on."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from shouwang.cases.models import Attachment, Case, CaseChannel, CaseKind, CaseState
from shouwang.cases.tests.factories import POINT, Loop
from shouwang.core.geo.coords import wgs84_to_gcj02
from shouwang.testing.city import PASSWORD

pytestmark = pytest.mark.django_db

LAT, LNG = POINT["a"]


def jpeg(size: tuple[int, int] = (120, 90)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (220, 180, 40)).save(out, "JPEG")
    return out.getvalue()


def report(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "category": "ebike_charging",
        "description": "三楼楼道有人拉飞线给电动车充电",
        "lat": LAT,
        "lng": LNG,
        "coord_system": "wgs84",
        "address": "稠城一社区5幢",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_report_page_offers_public_categories_with_pictures(loop: Loop) -> None:
    page = Client().get("/report/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="ebike_charging"' in html and "电动车违规充电" in html
    assert 'href="#i-bolt"' in html  # each tile has its picture
    assert 'value="smoke_alarm"' not in html  # device alarms are not for citizens
    assert 'capture="environment"' in html and 'accept="image/*"' in html
    assert "echarts.min.js" not in html.split("data-echarts=")[0]  # loaded only on demand


def test_anyone_reports_and_gets_a_receipt_code(loop: Loop) -> None:
    response = Client().post("/report/", report())
    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/report/received/{case.receipt_code}/"
    assert (case.channel, case.kind, case.state) == (
        CaseChannel.WEB,
        CaseKind.REPORT,
        CaseState.RECEIVED,
    )
    assert case.created_by is None
    assert (case.lat, case.lng) == (pytest.approx(LAT), pytest.approx(LNG))
    assert case.node == loop.city.a.grids[0]
    receipt = Client().get(response["Location"]).content.decode()
    assert case.receipt_code in receipt and f"/track/{case.receipt_code}/" in receipt


def test_a_report_with_a_photo_keeps_it_on_the_case(loop: Loop, media_root: Path) -> None:
    photo = SimpleUploadedFile("x.jpg", jpeg(), content_type="image/jpeg")
    response = Client().post("/report/", report(photo=photo))
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.case == Case.objects.get()
    assert attachment.uploaded_by is None
    assert (attachment.width, attachment.height) == (120, 90)
    assert len(stored_files(media_root)) == 1


def test_a_signed_in_volunteers_report_is_attributed_to_them(loop: Loop) -> None:
    volunteer = loop.person("volunteer")
    client = Client()
    assert client.login(username=volunteer.username, password=PASSWORD)
    assert "可获得平安积分" in client.get("/report/").content.decode()
    client.post("/report/", report())
    case = Case.objects.get()
    assert case.created_by == volunteer and case.channel == CaseChannel.APP


def test_a_gcj02_position_is_stored_as_wgs84(loop: Loop) -> None:
    gcj_lng, gcj_lat = wgs84_to_gcj02(LNG, LAT)
    Client().post("/report/", report(lat=gcj_lat, lng=gcj_lng, coord_system="gcj02"))
    case = Case.objects.get()
    assert case.lat == pytest.approx(LAT, abs=1e-5) and case.lng == pytest.approx(LNG, abs=1e-5)


def test_missing_location_is_refused_and_nothing_typed_is_lost(loop: Loop) -> None:
    response = Client().post("/report/", report(lat=None, lng=None))
    assert response.status_code == 422
    html = response.content.decode()
    assert "请提供事件位置" in html
    assert "三楼楼道有人拉飞线给电动车充电" in html
    assert "稠城一社区5幢" in html
    assert 'value="ebike_charging" checked' in html
    assert not Case.objects.exists()


def test_too_long_a_description_is_refused(loop: Loop) -> None:
    response = Client().post("/report/", report(description="很长" * 600))
    assert response.status_code == 422
    assert "描述不能超过 1000 个字" in response.content.decode()
    assert not Case.objects.exists()


def test_an_empty_description_is_refused(loop: Loop) -> None:
    response = Client().post("/report/", report(description="   "))
    assert response.status_code == 422 and "请描述发生了什么" in response.content.decode()
    assert not Case.objects.exists()


def test_a_file_that_is_not_a_picture_saves_nothing(loop: Loop, media_root: Path) -> None:
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = Client().post("/report/", report(photo=fake))
    assert response.status_code == 422
    html = response.content.decode()
    assert "文件不是有效的图片" in html
    assert "三楼楼道有人拉飞线给电动车充电" in html
    assert not Case.objects.exists()
    assert not Attachment.objects.exists()
    assert stored_files(media_root) == []


def test_a_category_citizens_may_not_use_is_refused(loop: Loop) -> None:
    for code in ("smoke_alarm", "no_such_thing", ""):
        response = Client().post("/report/", report(category=code))
        assert response.status_code == 422
        assert "请选择事件类别" in response.content.decode()
    assert not Case.objects.exists()


def test_a_place_outside_the_city_is_refused(loop: Loop) -> None:
    response = Client().post("/report/", report(lat=31.23, lng=121.47))
    assert response.status_code == 422
    assert "该位置不在本平台服务范围内。" in response.content.decode()
    assert not Case.objects.exists()


def test_a_place_outside_every_grid_but_near_the_city_is_refused(loop: Loop) -> None:
    response = Client().post("/report/", report(lat=29.1, lng=119.99))
    assert response.status_code == 422
    assert "不在本市任何网格内" in response.content.decode()
    assert not Case.objects.exists()


def test_anonymous_reports_are_limited_per_address(loop: Loop, settings) -> None:
    settings.SHOUWANG_REPORT_RATE_LIMIT = 2
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert client.post("/report/", report()).status_code == 302
    assert client.post("/report/", report()).status_code == 302
    refused = client.post("/report/", report())
    assert refused.status_code == 429
    assert refused["Retry-After"] == "3600"
    assert "上报太频繁" in refused.content.decode()
    assert Case.objects.count() == 2
    other_address = Client(REMOTE_ADDR="203.0.113.8")
    assert other_address.post("/report/", report()).status_code == 302


def test_the_limit_follows_the_address_the_server_saw(loop: Loop, settings) -> None:
    """Behind a trusted proxy uvicorn puts the client it names in REMOTE_ADDR
    (core/tests/test_proxy_addresses.py); a forwarded header a client sends itself counts for
    nothing, or anyone could pick a fresh address per report."""
    settings.SHOUWANG_REPORT_RATE_LIMIT = 1
    first = Client(REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="10.9.9.1")
    assert first.post("/report/", report()).status_code == 302
    again = Client(REMOTE_ADDR="198.51.100.1", HTTP_X_FORWARDED_FOR="10.9.9.2")
    assert again.post("/report/", report()).status_code == 429
    other = Client(REMOTE_ADDR="198.51.100.2")
    assert other.post("/report/", report()).status_code == 302


def test_refused_input_does_not_count_against_the_limit(loop: Loop, settings) -> None:
    settings.SHOUWANG_REPORT_RATE_LIMIT = 1
    client = Client()
    for _ in range(3):
        assert client.post("/report/", report(lat=None, lng=None)).status_code == 422
    assert client.post("/report/", report()).status_code == 302


def test_signed_in_volunteers_are_not_limited(loop: Loop, settings) -> None:
    settings.SHOUWANG_REPORT_RATE_LIMIT = 1
    client = Client()
    assert client.login(username=loop.person("volunteer").username, password=PASSWORD)
    for _ in range(3):
        assert client.post("/report/", report()).status_code == 302
    assert Case.objects.count() == 3


def test_a_report_without_the_csrf_token_is_refused(loop: Loop) -> None:
    response = Client(enforce_csrf_checks=True).post("/report/", report())
    assert response.status_code == 403
    assert not Case.objects.exists()


def test_the_pin_map_outline_gives_town_boundaries_only(loop: Loop) -> None:
    response = Client().get("/report/outline.geojson")
    assert response.status_code == 200
    outline = response.json()
    names = sorted(f["properties"]["name"] for f in outline["features"])
    assert names == ["北苑街道", "稠城街道"]
    assert set(outline["features"][0]["properties"]) == {"code", "name"}


def test_the_receipt_of_an_unknown_code_is_404(loop: Loop) -> None:
    assert Client().get("/report/received/NOSUCHCODE00/").status_code == 404


def test_refused_uploads_count_toward_the_address_limit(loop: Loop, settings) -> None:
    settings.SHOUWANG_REPORT_RATE_LIMIT = 2
    client = Client(REMOTE_ADDR="203.0.113.8")
    fake = {"photo": SimpleUploadedFile("x.jpg", b"not a picture", content_type="image/jpeg")}
    assert client.post("/report/", report(**fake)).status_code == 422
    fake = {"photo": SimpleUploadedFile("x.jpg", b"not a picture", content_type="image/jpeg")}
    assert client.post("/report/", report(**fake)).status_code == 422
    assert client.post("/report/", report()).status_code == 429
    assert not Case.objects.exists()
