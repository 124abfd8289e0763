"""The contract other systems and the checks rely on (issue 3, "Contract used by checks"), walked
over HTTP with bearer tokens, as an outside client would."""

import pytest

from shouwang.cases.models import Case
from shouwang.cases.tests.factories import POINT, Loop, make_case
from shouwang.notify.groups import person_group, screen_group
from shouwang.notify.models import OutboxMessage
from shouwang.testing.api import ApiClient
from shouwang.testing.outbox import groups_of

pytestmark = pytest.mark.django_db

LAT, LNG = POINT["a"]


def new_case(client: ApiClient, **extra: object) -> dict:
    body = {
        "category": "fight",
        "lat": LAT,
        "lng": LNG,
        "description": "商城集团门口两人打架",
        "channel": "110",
        "caller_phone": "13912345678",
        **extra,
    }
    response = client.post("/api/v1/cases", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_a_call_goes_round_the_whole_loop_over_the_api(loop: Loop) -> None:
    dispatcher = ApiClient(loop.person("dispatcher").username)
    responder = ApiClient(loop.person("responder").username)
    leader = ApiClient(loop.person("leader").username)

    created = new_case(dispatcher)
    assert created["state"] == "received"
    assert created["number"].startswith("SW")
    assert len(created["receipt_code"]) == 12
    assert created["duplicates"] == []
    assert created["caller_phone_masked"] == "139****5678"
    assert created["responsible_unit"] == loop.city.a.station.code
    case_id = created["id"]
    url = f"/api/v1/cases/{case_id}"

    steps = [
        (dispatcher, "dispatch", {"people": ["responder_1"], "units": []}, "dispatched"),
        (responder, "accept", {}, "accepted"),
        (responder, "arrive", {"lat": LAT, "lng": LNG}, "on_scene"),
        (responder, "resolve", {"note": "双方已被劝离，伤者送医"}, "resolved"),
        (leader, "verify", {}, "verified"),
        (leader, "close", {}, "closed"),
        (leader, "callback", {"result": "satisfied"}, "closed"),
    ]
    for client, action, body, state in steps:
        response = client.post(f"{url}/{action}", body)
        assert response.status_code == 200, (action, response.content)
        assert response.json()["state"] == state, action

    detail = dispatcher.get(url).json()
    kinds = [event["kind"] for event in detail["timeline"]]
    assert kinds == [
        "received",
        "dispatched",
        "room_opened",
        "accepted",
        "arrived",
        "resolved",
        "verified",
        "closed",
        "callback",
    ]
    assert all(event["at"] for event in detail["timeline"])
    assert detail["timeline"][1]["actor"] == "dispatcher_1"
    assert detail["assignments"][0]["within_radius"] is True
    assert detail["callbacks"][0]["result"] == "satisfied"


def test_dispatch_reaches_the_responder_and_every_screen_of_the_jurisdiction(
    loop: Loop,
) -> None:
    dispatcher = ApiClient(loop.person("dispatcher").username)
    case_id = new_case(dispatcher)["id"]
    dispatcher.post(f"/api/v1/cases/{case_id}/dispatch", {"people": ["responder_1"]})
    recipients = groups_of(
        OutboxMessage.objects.filter(payload__type="case.dispatched").values_list(
            "recipient", flat=True
        )
    )
    case = Case.objects.get(pk=case_id)
    assert person_group(loop.person("responder").pk) in recipients
    assert screen_group(loop.city.node.code) in recipients  # the city command centre
    assert screen_group(loop.city.a.node.code) in recipients  # the town
    assert screen_group(case.node.code) in recipients


def test_machine_intake_converts_gcj02_coordinates(loop: Loop) -> None:
    from shouwang.core.geo.coords import wgs84_to_gcj02

    g_lng, g_lat = wgs84_to_gcj02(LNG, LAT)
    created = new_case(
        ApiClient(loop.person("dispatcher").username),
        lat=g_lat,
        lng=g_lng,
        coord_system="gcj02",
        channel="api",
    )
    assert created["lat"] == pytest.approx(LAT, abs=1e-6)
    assert created["lng"] == pytest.approx(LNG, abs=1e-6)
    assert created["node"] == loop.city.a.grids[0].code


@pytest.mark.parametrize(
    "body",
    [
        {"category": "no_such_thing"},
        {"lat": 95},
        {"channel": "telegraph"},
        {"priority": 9},
        {"description": ""},
        {"caller_phone": "12345"},
        {"lat": None, "lng": None},
    ],
)
def test_bad_intake_input_is_422(loop: Loop, body: dict) -> None:
    client = ApiClient(loop.person("dispatcher").username)
    base = {"category": "fight", "lat": LAT, "lng": LNG, "description": "打架", "channel": "110"}
    response = client.post("/api/v1/cases", {**base, **body})
    assert response.status_code == 422, response.content
    assert response.json()["error"]["code"] == "invalid"
    assert not Case.objects.exists()


def test_illegal_transition_is_409_with_a_message_naming_state_and_action(loop: Loop) -> None:
    dispatcher = ApiClient(loop.person("dispatcher").username)
    case_id = new_case(dispatcher)["id"]
    response = ApiClient(loop.person("leader").username).post(f"/api/v1/cases/{case_id}/close")
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "illegal_transition"
    assert "已受理" in error["message"] and "结案" in error["message"]


def test_only_dispatchers_dispatch_and_only_leaders_verify(loop: Loop) -> None:
    dispatcher = ApiClient(loop.person("dispatcher").username)
    case_id = new_case(dispatcher)["id"]
    responder = ApiClient(loop.person("responder").username)
    response = responder.post(f"/api/v1/cases/{case_id}/dispatch", {"people": ["responder_1"]})
    assert response.status_code == 403
    dispatcher.post(f"/api/v1/cases/{case_id}/dispatch", {"people": ["responder_1"]})
    responder.post(f"/api/v1/cases/{case_id}/accept")
    responder.post(f"/api/v1/cases/{case_id}/arrive", {"lat": LAT, "lng": LNG})
    responder.post(f"/api/v1/cases/{case_id}/resolve", {"note": "已处理"})
    assert dispatcher.post(f"/api/v1/cases/{case_id}/verify").status_code == 403
    assert responder.post(f"/api/v1/cases/{case_id}/verify").status_code == 403


def test_dispatch_to_unknown_people_is_422_and_nothing_is_assigned(loop: Loop) -> None:
    dispatcher = ApiClient(loop.person("dispatcher").username)
    case_id = new_case(dispatcher)["id"]
    response = dispatcher.post(
        f"/api/v1/cases/{case_id}/dispatch", {"people": ["responder_1", "nobody"]}
    )
    assert response.status_code == 422
    assert response.json()["error"]["extra"]["missing"] == ["nobody"]
    assert Case.objects.get(pk=case_id).state == "received"


def test_dispatch_to_a_person_of_another_town_is_422(loop: Loop) -> None:
    dispatcher = ApiClient(loop.person("dispatcher").username)
    case_id = new_case(dispatcher)["id"]
    response = dispatcher.post(f"/api/v1/cases/{case_id}/dispatch", {"people": ["responder_2"]})
    assert response.status_code == 422


def test_divert_and_merge_over_the_api(loop: Loop) -> None:
    dispatcher = ApiClient(loop.person("dispatcher").username)
    noise = new_case(dispatcher, category="noise", description="楼上装修噪音", caller_phone="")
    response = dispatcher.post(f"/api/v1/cases/{noise['id']}/divert", {})
    assert response.status_code == 200
    assert response.json()["state"] == "transferred"
    assert response.json()["diverted"] is True
    assert response.json()["responsible_unit"] == "TC-A"

    first = new_case(dispatcher)
    second = new_case(dispatcher)
    assert [d["id"] for d in second["duplicates"]] == [first["id"]]
    response = dispatcher.post(f"/api/v1/cases/{second['id']}/merge", {"into": first["id"]})
    assert response.status_code == 200
    assert response.json()["state"] == "merged"
    assert response.json()["merged_into"] == first["id"]


def test_merge_into_an_unknown_case_is_422(loop: Loop) -> None:
    dispatcher = ApiClient(loop.person("dispatcher").username)
    case_id = new_case(dispatcher)["id"]
    response = dispatcher.post(f"/api/v1/cases/{case_id}/merge", {"into": 999999})
    assert response.status_code == 422


def test_callback_result_must_be_one_of_three(loop: Loop) -> None:
    case = make_case(loop)
    response = ApiClient(loop.person("leader").username).post(
        f"/api/v1/cases/{case.pk}/callback", {"result": "so-so"}
    )
    assert response.status_code == 422


def test_verify_with_approved_false_rejects_and_redispatches(loop: Loop) -> None:
    dispatcher = ApiClient(loop.person("dispatcher").username)
    responder = ApiClient(loop.person("responder").username)
    case_id = new_case(dispatcher)["id"]
    url = f"/api/v1/cases/{case_id}"
    dispatcher.post(f"{url}/dispatch", {"people": ["responder_1"]})
    responder.post(f"{url}/accept")
    responder.post(f"{url}/arrive", {"lat": LAT, "lng": LNG})
    responder.post(f"{url}/resolve", {"note": "已处理"})
    leader = ApiClient(loop.person("leader").username)
    assert leader.post(f"{url}/verify", {"approved": False}).status_code == 422  # no reason
    response = leader.post(f"{url}/verify", {"approved": False, "reason": "未见处置照片"})
    assert response.status_code == 200
    assert response.json()["state"] == "dispatched"
    assert response.json()["round"] == 2


def test_list_filters(loop: Loop) -> None:
    dispatcher = ApiClient(loop.person("dispatcher").username)
    fight = new_case(dispatcher)
    new_case(dispatcher, category="noise", description="广场舞噪音扰民", caller_phone="")
    items = dispatcher.get("/api/v1/cases", category="fight").json()["items"]
    assert [i["id"] for i in items] == [fight["id"]]
    assert dispatcher.get("/api/v1/cases", state="received,dispatched").json()["count"] == 2
    assert dispatcher.get("/api/v1/cases", state="closed").json()["count"] == 0
    assert dispatcher.get("/api/v1/cases", q="广场舞").json()["count"] == 1
    assert dispatcher.get("/api/v1/cases", q=fight["number"]).json()["count"] == 1
    assert dispatcher.get("/api/v1/cases", channel="110", priority=1).json()["count"] == 1
    assert dispatcher.get("/api/v1/cases", node=loop.city.a.village.code).json()["count"] == 2
    assert dispatcher.get("/api/v1/cases", node=loop.city.b.node.code).status_code == 404


def test_categories_are_searchable_by_pinyin_initials(loop: Loop) -> None:
    client = ApiClient(loop.person("dispatcher").username)
    codes = [c["code"] for c in client.get("/api/v1/categories", q="ddc").json()]
    assert "ebike_charging" in codes
    codes = [c["code"] for c in client.get("/api/v1/categories", q="打架").json()]
    assert codes == ["fight"]


def test_citizen_tracks_the_case_by_receipt_code_without_personal_data(loop: Loop) -> None:
    created = new_case(ApiClient(loop.person("dispatcher").username), reporter_name="王先生")
    response = ApiClient().get(f"/api/v1/track/{created['receipt_code']}")
    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "received"
    assert [s["kind"] for s in body["steps"]] == ["received"]
    assert "王先生" not in response.content.decode()
    assert "5678" not in response.content.decode()
    assert ApiClient().get("/api/v1/track/NOTACODE0000").status_code == 404


def test_confidential_caller_is_hidden_from_the_responders(loop: Loop) -> None:
    dispatcher = ApiClient(loop.person("dispatcher").username)
    created = new_case(dispatcher, confidential=True, reporter_name="李女士")
    url = f"/api/v1/cases/{created['id']}"
    dispatcher.post(f"{url}/dispatch", {"people": ["responder_1"]})
    seen = ApiClient(loop.person("responder").username).get(url).json()
    assert seen["reporter_name"] == "" and seen["caller_phone_masked"] == ""
    assert dispatcher.get(url).json()["reporter_name"] == "李*士"  # masked like a phone


def test_an_unauthenticated_client_gets_401(loop: Loop) -> None:
    assert ApiClient().get("/api/v1/cases").status_code == 401
    assert ApiClient().post("/api/v1/cases", {"category": "fight"}).status_code == 401


def test_an_english_client_gets_the_refusal_in_english(loop: Loop) -> None:
    """Needs the compiled catalogue (make messages); Chinese stays the source text."""
    case = make_case(loop)
    client = ApiClient(loop.person("leader").username)
    client.headers["Accept-Language"] = "en"
    error = client.post(f"/api/v1/cases/{case.pk}/close").json()["error"]
    assert error["message"] == 'The case is "Received"; "Close" is not possible now.'


def test_the_dispatcher_reveals_the_callers_number_and_it_is_audited(loop: Loop) -> None:
    from shouwang.core.models import AuditAction, AuditEntry

    created = new_case(ApiClient(loop.person("dispatcher").username))
    url = f"/api/v1/cases/{created['id']}/reveal"
    response = ApiClient(loop.person("dispatcher").username).post(url, {"field": "caller_phone"})
    assert response.json() == {"field": "caller_phone", "value": "13912345678"}
    assert AuditEntry.objects.filter(action=AuditAction.PII_REVEALED, target_id=str(created["id"]))
    responder = ApiClient(loop.person("responder").username)
    assert responder.post(url, {"field": "caller_phone"}).status_code == 403  # no permission
