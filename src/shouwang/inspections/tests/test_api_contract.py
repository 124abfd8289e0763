"""The contract of issue #16, over HTTP: templates, an inspection that opens one hazard case
per failed item, rectification and re-inspection to a closed case, enforcement, and the KPI."""

import base64
import io
from typing import Any

import pytest
from PIL import Image

from shouwang.cases.feeders import Case, CaseState
from shouwang.inspections.models import Hazard, HazardStatus, Inspection
from shouwang.inspections.seed import RENTAL_ITEMS
from shouwang.inspections.tests.conftest import HOUSE_POINT, Site
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def answers(failed: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return [
        {"item": code, "ok": code not in failed, "note": "楼道充电" if code in failed else ""}
        for code, *_rest in RENTAL_ITEMS
    ]


def inspect(client: ApiClient, *failed: str, **extra: Any) -> Any:
    body = {
        "premises": "R-A-001",
        "template": "rental_fire",
        "answers": answers(failed),
        "lat": HOUSE_POINT[0],
        "lng": HOUSE_POINT[1],
        **extra,
    }
    return client.post("/api/v1/inspections", body)


def test_templates_for_a_rental_house_list_its_items_and_the_gas_checklist(site: Site) -> None:
    response = ApiClient("inspector_1").get("/api/v1/inspections/templates", kind="rental_house")
    assert response.status_code == 200
    by_code = {t["code"]: t for t in response.json()}
    assert set(by_code) == {"rental_fire", "gas_user"}
    item = by_code["rental_fire"]["items"][0]
    assert {"code", "text", "severity"} <= set(item)
    assert item["code"] == "smoke_alarm" and item["severity"] == "major"


def test_an_inspection_opens_one_hazard_case_per_failed_item(site: Site) -> None:
    response = inspect(ApiClient("inspector_1"), "ebike_indoor", "fire_lane")
    assert response.status_code == 201, response.content
    body = response.json()
    assert len(body["hazards"]) == 2 and body["distance_m"] == 0.0
    cases = Case.objects.filter(pk__in=body["hazards"])
    assert {c.kind for c in cases} == {"hazard"} and {c.channel for c in cases} == {"inspection"}
    assert {c.category.code for c in cases} == {"ebike_charging", "fire_lane_blocked"}
    hazard = Hazard.objects.get(case_id=body["hazards"][0])
    assert hazard.level == "serious" and hazard.responsible == site.person("landlord")
    assert hazard.deadline > hazard.found_at


def test_the_same_draft_sent_twice_is_one_inspection(site: Site) -> None:
    client = ApiClient("inspector_1")
    first = inspect(client, "fire_lane", draft="draft-1")
    again = inspect(client, "fire_lane", draft="draft-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["hazards"] == first.json()["hazards"]
    assert Inspection.objects.count() == 1 and Hazard.objects.count() == 1


def test_an_inspection_far_from_the_premises_is_recorded_and_flagged(site: Site) -> None:
    response = inspect(ApiClient("inspector_1"), lat=HOUSE_POINT[0] + 0.05)
    assert response.status_code == 201
    assert response.json()["far_from_premises"] is True
    assert response.json()["distance_m"] > 5000


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"template": "no_such_list"}, "template"),
        ({"template": "nine_small_fire"}, "template"),
        ({"answers": [*answers(), {"item": "bogus", "ok": True, "note": ""}]}, "answers"),
        ({"answers": answers()[1:]}, "answers"),
        ({"answers": [*answers(), answers()[0]]}, "answers"),
        ({"answers": [{**answers()[0], "photo": "bm90IGFuIGltYWdl"}, *answers()[1:]]}, "photo"),
        ({"lat": 29.0, "lng": None}, "lat"),
    ],
)
def test_bad_inspections_are_refused_and_nothing_is_written(
    site: Site, change: dict[str, Any], field: str
) -> None:
    body = {
        "premises": "R-A-001",
        "template": "rental_fire",
        "answers": answers(("fire_lane",)),
        "lat": HOUSE_POINT[0],
        "lng": HOUSE_POINT[1],
        **change,
    }
    cases_before = Case.objects.count()
    response = ApiClient("inspector_1").post("/api/v1/inspections", body)
    assert response.status_code == 422, response.content
    assert response.json()["error"]["extra"]["field"] == field
    assert response.json()["error"]["message"]
    assert Inspection.objects.count() == 0 and Case.objects.count() == cases_before


def test_refusals_are_in_english_for_an_english_client(site: Site) -> None:
    client = ApiClient("inspector_1")
    client.headers["Accept-Language"] = "en"
    response = inspect(client, template="no_such_list")
    assert response.status_code == 422
    assert response.json()["error"]["message"].isascii()


def test_a_volunteer_cannot_inspect_and_another_towns_premises_is_not_found(site: Site) -> None:
    assert inspect(ApiClient("volunteer_1")).status_code == 403
    response = inspect(ApiClient("inspector_2"))
    assert response.status_code == 404
    assert Inspection.objects.count() == 0


def test_rectify_then_reinspect_passed_closes_the_case(site: Site) -> None:
    case_id = inspect(ApiClient("inspector_1"), "fire_lane").json()["hazards"][0]
    landlord, inspector = ApiClient("landlord_1"), ApiClient("inspector_1")
    early = inspector.post(f"/api/v1/hazards/{case_id}/reinspect", {"passed": True, "note": ""})
    assert early.status_code == 409
    rectified = landlord.post(f"/api/v1/hazards/{case_id}/rectify", {"note": "杂物已清理"})
    assert rectified.status_code == 200, rectified.content
    assert rectified.json()["status"] == HazardStatus.AWAITING_REINSPECTION
    twice = landlord.post(f"/api/v1/hazards/{case_id}/rectify", {"note": "again"})
    assert twice.status_code == 409
    passed = inspector.post(f"/api/v1/hazards/{case_id}/reinspect", {"passed": True, "note": "ok"})
    assert passed.status_code == 200, passed.content
    assert passed.json()["status"] == HazardStatus.CLOSED
    assert Case.objects.get(pk=case_id).state == CaseState.CLOSED
    assert [s["kind"] for s in passed.json()["steps"]] == ["rectify", "passed"]


def test_a_failed_reinspection_starts_another_round_with_a_new_deadline(site: Site) -> None:
    case_id = inspect(ApiClient("inspector_1"), "extinguisher").json()["hazards"][0]
    ApiClient("landlord_1").post(f"/api/v1/hazards/{case_id}/rectify", {"note": "已配"})
    failed = ApiClient("inspector_1").post(
        f"/api/v1/hazards/{case_id}/reinspect", {"passed": False, "note": "灭火器过期"}
    )
    assert failed.status_code == 200
    assert failed.json()["rounds"] == 2
    assert failed.json()["status"] == HazardStatus.AWAITING_RECTIFICATION
    assert Case.objects.get(pk=case_id).state != CaseState.CLOSED


def test_the_person_who_rectified_cannot_reinspect(site: Site) -> None:
    case_id = inspect(ApiClient("inspector_1"), "fire_lane").json()["hazards"][0]
    dispatcher_then_inspector = ApiClient("admin_city")
    dispatcher_then_inspector.post(f"/api/v1/hazards/{case_id}/rectify", {"note": "代为提交"})
    response = dispatcher_then_inspector.post(
        f"/api/v1/hazards/{case_id}/reinspect", {"passed": True, "note": ""}
    )
    assert response.status_code == 403
    assert Hazard.objects.get(case_id=case_id).status == HazardStatus.AWAITING_REINSPECTION


def test_only_the_responsible_person_or_a_dispatcher_rectifies(site: Site) -> None:
    case_id = inspect(ApiClient("inspector_1"), "fire_lane").json()["hazards"][0]
    refused = ApiClient("volunteer_1").post(f"/api/v1/hazards/{case_id}/rectify", {"note": "x"})
    assert refused.status_code == 403
    other_town = ApiClient("dispatcher_2").post(f"/api/v1/hazards/{case_id}/rectify", {"note": "x"})
    assert other_town.status_code == 404
    ok = ApiClient("dispatcher_1").post(f"/api/v1/hazards/{case_id}/rectify", {"note": "代报"})
    assert ok.status_code == 200


def test_enforcement_checks_the_fine_against_the_provision(site: Site) -> None:
    case_id = inspect(ApiClient("inspector_1"), "gas_kitchen_only").json()["hazards"][0]
    client = ApiClient("inspector_1")
    url = f"/api/v1/hazards/{case_id}/enforce"
    too_much = client.post(url, {"kind": "fine", "provision": "ZJ-GAS-HOUSEHOLD", "amount": 600})
    assert too_much.status_code == 422
    assert too_much.json()["error"]["extra"] == {"field": "amount", "min": "50.00", "max": "500.00"}
    no_basis = client.post(url, {"kind": "fine", "amount": 100})
    assert no_basis.status_code == 422
    assert no_basis.json()["error"]["extra"]["field"] == "provision"
    fined = client.post(url, {"kind": "fine", "provision": "ZJ-GAS-HOUSEHOLD", "amount": 200})
    assert fined.status_code == 201, fined.content
    document = client.get(fined.json()["document"])
    assert document.status_code == 200 and document["Content-Type"] == "application/pdf"
    assert document.content.startswith(b"%PDF")
    case = Case.objects.get(pk=case_id)
    assert case.timeline.filter(data__source="inspections.enforcement").count() == 1


def test_hazard_kpi_counts_found_rectified_and_children(site: Site) -> None:
    client = ApiClient("inspector_1")
    first, _second = inspect(client, "fire_lane", "extinguisher").json()["hazards"]
    ApiClient("landlord_1").post(f"/api/v1/hazards/{first}/rectify", {"note": "清理"})
    client.post(f"/api/v1/hazards/{first}/reinspect", {"passed": True, "note": ""})
    response = ApiClient("leader_1").get("/api/v1/kpi/hazards", node="330782001000")
    assert response.status_code == 200
    body = response.json()
    assert (body["found"], body["rectified"]) == (2, 1)
    assert body["closure_rate"] == 0.5 and body["on_time_rate"] == 1.0
    assert body["by_child"] == [
        {
            "node": "330782001001",
            "name": site.city.a.village.name,
            "found": 2,
            "rectified": 1,
            "closure_rate": 0.5,
            "on_time_rate": 1.0,
        }
    ]
    assert ApiClient("leader_2").get("/api/v1/kpi/hazards", node="330782001000").status_code == 404


def test_a_photo_of_a_failed_item_is_kept_with_the_answer(site: Site, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 40, 40)).save(buffer, format="PNG")
    photo = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    body = answers(("fire_lane",))
    body[-1]["photo"] = photo
    response = ApiClient("inspector_1").post(
        "/api/v1/inspections", {"premises": "R-A-001", "template": "rental_fire", "answers": body}
    )
    assert response.status_code == 201, response.content
    answer = Inspection.objects.get().answers.get(item__code="fire_lane")
    assert answer.photo.name.endswith(".png") and answer.photo.size == len(buffer.getvalue())


def test_a_joint_team_signs_one_inspection_record(site: Site) -> None:
    inspection_id = inspect(ApiClient("inspector_1")).json()["id"]
    police = ApiClient("responder_1")  # the station's officer on the joint visit
    signed = police.post(f"/api/v1/inspections/{inspection_id}/sign")
    assert signed.status_code == 200, signed.content
    police.post(f"/api/v1/inspections/{inspection_id}/sign")
    units = [s["unit"] for s in signed.json()["signatures"]]
    assert len(units) == 2 and units[1] == site.city.a.station.name
    detail = ApiClient("inspector_1").get(f"/api/v1/inspections/{inspection_id}").json()
    assert len(detail["signatures"]) == 2 and len(detail["answers"]) == len(RENTAL_ITEMS)
    assert (
        ApiClient("volunteer_1").post(f"/api/v1/inspections/{inspection_id}/sign").status_code
        == 403
    )
    assert (
        ApiClient("responder_2").post(f"/api/v1/inspections/{inspection_id}/sign").status_code
        == 404
    )
