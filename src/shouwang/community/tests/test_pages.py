"""The phone pages (points, patrol, groups), the figures page, its Excel export and the
post's QR sheet."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from shouwang.cases.tests.factories import POINT
from shouwang.community.models import Checkin, EarningRule, Redemption, RuleCode
from shouwang.community.services.awards import award_grant
from shouwang.community.tests.conftest import Forces
from shouwang.core.models import User
from shouwang.testing.city import PASSWORD

pytestmark = pytest.mark.django_db

LAT, LNG = POINT["a"]


def signed_in(person: User) -> Client:
    client = Client()
    assert client.login(username=person.username, password=PASSWORD)
    return client


def test_a_volunteer_sees_balance_statement_and_exchanges_on_the_phone(forces: Forces) -> None:
    EarningRule.objects.create(code=RuleCode.REPORT_VERIFIED, points=7, daily_cap=100)
    award_grant(source_key="case:9", rule=RuleCode.REPORT_VERIFIED, person=forces.volunteer)
    client = signed_in(forces.volunteer)
    page = client.get("/m/points/").content.decode()
    assert "大米" in page and ">7<" in page
    short = client.post("/m/points/", {"item": "RICE-A", "quantity": "2"})
    assert short.status_code == 422 and "积分不足" in short.content.decode()
    assert client.post("/m/points/", {"item": "RICE-A", "quantity": "1"}).status_code == 302
    assert Redemption.objects.get().points == 5


def test_a_check_in_too_far_is_refused_on_the_page(forces: Forces) -> None:
    client = signed_in(forces.volunteer)
    assert "POST-A1" in client.get("/m/patrol/?post=POST-A1").content.decode()
    far = client.post("/m/patrol/checkin/", {"post": "POST-A1", "lat": LAT + 0.01, "lng": LNG})
    assert far.status_code == 422 and "不能打卡" in far.content.decode()
    assert not Checkin.objects.exists()
    near = client.post("/m/patrol/checkin/", {"post": "POST-A1", "lat": LAT, "lng": LNG})
    assert near.status_code == 302 and Checkin.objects.count() == 1


def test_sign_on_and_off_from_the_phone(forces: Forces) -> None:
    client = signed_in(forces.volunteer)
    assert client.post("/m/patrol/shift/", {"action": "start"}).status_code == 302
    assert "data-shift-id" in client.get("/m/patrol/").content.decode()
    assert client.post("/m/patrol/shift/", {"action": "end"}).status_code == 302


def test_a_member_raises_an_alert_and_a_neighbour_answers_on_the_phone(forces: Forces) -> None:
    raiser = signed_in(forces.volunteer)
    assert "一键报警" in raiser.get("/m/groups/").content.decode()
    raised = raiser.post("/m/groups/SH-A1/alert/", {"lat": LAT, "lng": LNG, "note": "有人撬门"})
    assert raised.status_code == 302
    alert_url = raised["Location"]
    neighbour = signed_in(forces.neighbours[0])
    neighbour.post(f"{alert_url}respond/", {"action": "ack"})
    too_far = neighbour.post(
        f"{alert_url}respond/", {"action": "arrive", "lat": LAT + 0.01, "lng": LNG}
    )
    assert too_far.status_code == 422
    page = neighbour.get(alert_url).content.decode()
    assert forces.neighbours[0].display_name in page and "我已到场" in page


def test_town_staff_read_the_figures_and_export_them(forces: Forces) -> None:
    award_grant(source_key="case:9", rule=RuleCode.REPORT_VERIFIED, person=forces.volunteer)
    leader = signed_in(forces.person("leader"))
    node = forces.loop.city.a.node.code
    page = leader.get(f"/community/figures/?node={node}")
    assert page.status_code == 200 and "积分已发放" in page.content.decode()
    api = leader.get(f"/api/v1/community/figures?node={node}").json()
    assert (api["issued"], api["redeemed"], api["outstanding"]) == (3, 0, 3)
    export = leader.get(f"/community/points.xlsx?node={node}")
    book = load_workbook(io.BytesIO(export.content))
    assert list(book["汇总"].iter_rows(values_only=True))[1][2:] == (3, 0, 3)
    assert {"积分排行", "兑换记录", "巡防时长", "联防响应"} <= set(book.sheetnames)
    assert signed_in(forces.volunteer).get("/community/figures/").status_code == 403


def test_the_post_qr_sheet_is_a_pdf(forces: Forces) -> None:
    response = signed_in(forces.person("dispatcher")).get("/community/posts/POST-A1/qr.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    other = signed_in(forces.person("dispatcher", "b")).get("/community/posts/POST-A1/qr.pdf")
    assert other.status_code == 404


def test_the_phone_pages_speak_english_when_asked(forces: Forces) -> None:
    client = signed_in(forces.volunteer)
    client.cookies["django_language"] = "en"
    page = client.get("/m/patrol/?post=POST-A1").content.decode()
    assert "Check in at a post" in page and "巡防点打卡" not in page


def test_town_staff_approve_and_hand_over_an_exchange_on_the_queue_page(forces: Forces) -> None:
    EarningRule.objects.create(code=RuleCode.REPORT_VERIFIED, points=7, daily_cap=100)
    award_grant(source_key="case:9", rule=RuleCode.REPORT_VERIFIED, person=forces.volunteer)
    signed_in(forces.volunteer).post("/m/points/", {"item": "RICE-A", "quantity": "1"})
    redemption = Redemption.objects.get()
    leader = signed_in(forces.person("leader"))
    assert "大米" in leader.get("/community/redemptions/").content.decode()
    leader.post("/community/redemptions/", {"redemption": redemption.pk, "action": "approve"})
    leader.post("/community/redemptions/", {"redemption": redemption.pk, "action": "fulfil"})
    redemption.refresh_from_db()
    assert redemption.state == "fulfilled"
    other = signed_in(forces.person("leader", "b"))
    assert "大米" not in other.get("/community/redemptions/?state=").content.decode()
    assert signed_in(forces.volunteer).get("/community/redemptions/").status_code == 403


def test_a_patrol_finding_with_a_photo_is_reported_from_the_phone(
    forces: Forces,
    media_root,  # type: ignore[no-untyped-def]
) -> None:
    from shouwang.community.models import PatrolFinding
    from shouwang.community.tests.test_points import photo

    upload = photo(3)
    upload.name = "lamp.jpg"
    client = signed_in(forces.volunteer)
    response = client.post(
        "/m/patrol/finding/",
        {
            "category": "facility_damage",
            "description": "路灯不亮",
            "lat": LAT,
            "lng": LNG,
            "photo": upload,
        },
    )
    assert response.status_code == 302
    finding = PatrolFinding.objects.get()
    assert finding.case.channel == "patrol" and finding.photos.count() == 1
