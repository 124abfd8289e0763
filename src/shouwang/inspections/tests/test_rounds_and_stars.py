"""Deadlines by level in working days, the overdue escalation (once a round), unit stars and
least privilege on hazards and premises."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from shouwang.cases.feeders import Case, CaseChannel, CaseKind, case_open
from shouwang.inspections import workers
from shouwang.inspections.deadlines import hazard_deadline
from shouwang.inspections.models import Hazard, HazardStep, StarRecord, StepKind
from shouwang.inspections.services.stars import premises_stars_refresh
from shouwang.inspections.tests.conftest import HOUSE_POINT, Site
from shouwang.inspections.tests.test_api_contract import inspect
from shouwang.notify.models import OutboxMessage
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_deadlines_count_working_days_and_skip_the_national_day_holiday(settings) -> None:
    settings.HAZARD_DEADLINE_WORKING_DAYS = {**settings.HAZARD_DEADLINE_WORKING_DAYS, "general": 3}
    found = datetime(2025, 9, 30, 10, 0, tzinfo=SHANGHAI)  # the day before 国庆 (1-8 Oct)
    # 3 working days after 30 Sep: 9, 10 and 11 Oct (11 Oct 2025 is a 调休 Saturday).
    assert hazard_deadline(level="general", start=found) == datetime(2025, 10, 12, tzinfo=SHANGHAI)
    assert hazard_deadline(level="serious", start=found) == datetime(2025, 10, 1, tzinfo=SHANGHAI)


def test_an_overdue_round_is_escalated_once_on_the_case_timeline(site: Site) -> None:
    case_id = inspect(ApiClient("inspector_1"), "extinguisher").json()["hazards"][0]
    Hazard.objects.filter(pk=case_id).update(deadline=timezone.now() - timedelta(minutes=1))
    told = OutboxMessage.objects.filter(idempotency_key__contains=":overdue:").count()
    assert workers.overdue_tick() == 1
    assert workers.overdue_tick() == 0
    case = Case.objects.get(pk=case_id)
    escalation = case.timeline.get(data__source="inspections.overdue")
    assert escalation.data["escalation"] is True
    assert HazardStep.objects.filter(hazard_id=case_id, kind=StepKind.OVERDUE).count() == 1
    assert OutboxMessage.objects.filter(idempotency_key__contains=":overdue:").count() == told + 1


def test_stars_fall_with_open_hazards_and_history_is_kept(site: Site) -> None:
    assert premises_stars_refresh(premises=site.house) == 4  # never inspected: -1
    inspect(ApiClient("inspector_1"), "fire_lane", "ebike_indoor")  # two 重大 open: -4
    site.house.refresh_from_db()
    assert site.house.stars == 1
    assert StarRecord.objects.filter(premises=site.house).count() == 2
    latest = StarRecord.objects.filter(premises=site.house).first()
    assert latest is not None and latest.inputs["open_levels"] == ["serious", "serious"]


def test_a_clean_inspection_gives_five_stars(site: Site) -> None:
    inspect(ApiClient("inspector_1"))
    site.house.refresh_from_db()
    assert site.house.stars == 5


def test_the_nightly_pass_recomputes_stale_stars_only(site: Site) -> None:
    assert workers.stars_tick() == 2  # both premises never computed
    assert workers.stars_tick() == 0


def test_a_landlord_sees_only_their_own_premises_and_hazards(site: Site) -> None:
    inspect(ApiClient("inspector_1"), "fire_lane")
    landlord = ApiClient("landlord_1")
    codes = [p["code"] for p in landlord.get("/api/v1/premises").json()["items"]]
    assert codes == ["R-A-001"]
    assert len(landlord.get("/api/v1/hazards").json()["items"]) == 1
    stranger = ApiClient("landlord_2")
    assert stranger.get("/api/v1/premises").json()["items"] == []
    assert stranger.get("/api/v1/hazards").json()["items"] == []


def test_an_inspector_sees_hazards_of_their_town_only(site: Site) -> None:
    case_id = inspect(ApiClient("inspector_1"), "fire_lane").json()["hazards"][0]
    assert ApiClient("inspector_1").get(f"/api/v1/hazards/{case_id}").status_code == 200
    assert ApiClient("inspector_2").get(f"/api/v1/hazards/{case_id}").status_code == 404
    assert ApiClient("inspector_2").get("/api/v1/hazards").json()["items"] == []


def test_a_citizen_reported_hazard_joins_the_rectification_rounds(site: Site) -> None:
    reported = case_open(
        actor=None,
        category_code="ebike_charging",
        description="楼道里有人给电动车充电",
        channel=CaseChannel.WEB,
        kind=CaseKind.HAZARD,
        lat=HOUSE_POINT[0],
        lng=HOUSE_POINT[1],
    ).case
    client = ApiClient("inspector_1")
    body = {"case": reported.pk, "premises": "R-A-001", "level": "major"}
    assert ApiClient("volunteer_1").post("/api/v1/hazards", body).status_code == 403
    assert client.post("/api/v1/hazards", {**body, "level": "huge"}).status_code == 422
    adopted = client.post("/api/v1/hazards", body)
    assert adopted.status_code == 201, adopted.content
    assert adopted.json()["responsible"] == site.person("landlord").display_name
    assert client.post("/api/v1/hazards", body).status_code == 409
    assert ApiClient("inspector_2").post("/api/v1/hazards", body).status_code == 404
