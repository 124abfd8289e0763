"""Training sessions with each person's "一懂三会" record; publicity notices with receipts."""

import pytest
from django.test import Client

from shouwang.inspections.models import NoticeRead, TrainingSession
from shouwang.inspections.tests.conftest import Site
from shouwang.testing.api import ApiClient
from shouwang.testing.city import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_training_records_premises_and_who_passed(site: Site) -> None:
    body = {
        "node": "330782001000",
        "topic": "出租房消防安全“一懂三会”",
        "held_on": "2026-11-20",
        "trainer": "消防站王教员",
        "premises": ["R-A-001"],
        "attendees": {"landlord_1": True, "volunteer_1": False},
    }
    response = ApiClient("inspector_1").post("/api/v1/trainings", body)
    assert response.status_code == 201, response.content
    assert (response.json()["attendees"], response.json()["passed"]) == (2, 1)
    stranger = ApiClient("inspector_1").post(
        "/api/v1/trainings", {**body, "attendees": {"landlord_2": True}}
    )
    assert stranger.status_code == 422
    assert stranger.json()["error"]["extra"]["people"] == ["landlord_2"]
    assert ApiClient("volunteer_1").post("/api/v1/trainings", body).status_code == 403
    assert TrainingSession.objects.count() == 1
    assert ApiClient("leader_2").get("/api/v1/trainings").json()["items"] == []


def test_a_town_notice_reaches_its_landlords_once_read(site: Site) -> None:
    published = ApiClient("leader_1").post(
        "/api/v1/notices",
        {"node": "330782001000", "title": "小炬说事：电动车不进楼", "body": "请勿在楼道充电。"},
    )
    assert published.status_code == 201, published.content
    notice_id = published.json()["id"]
    landlord = ApiClient("landlord_1")
    assert [n["read"] for n in landlord.get("/api/v1/notices").json()["items"]] == [False]
    landlord.post(f"/api/v1/notices/{notice_id}/read")
    read = landlord.post(f"/api/v1/notices/{notice_id}/read").json()
    assert read["read"] is True and read["readers"] == 1
    assert NoticeRead.objects.count() == 1
    assert ApiClient("landlord_2").get("/api/v1/notices").json()["items"] == []
    assert ApiClient("landlord_2").post(f"/api/v1/notices/{notice_id}/read").status_code == 404


def test_the_notices_page_marks_a_notice_read(site: Site) -> None:
    ApiClient("leader_1").post(
        "/api/v1/notices", {"node": "330782001000", "title": "冬季防火", "body": "注意用电安全"}
    )
    browser = Client()
    assert browser.login(username="volunteer_1", password=PASSWORD)
    page = browser.get("/m/notices/").content.decode()
    assert "冬季防火" in page and 'data-read="0"' in page
    notice_id = NoticeRead._meta.get_field("notice").related_model.objects.get().pk
    browser.post(f"/m/notices/{notice_id}/read/")
    assert 'data-read="1"' in browser.get("/m/notices/").content.decode()
