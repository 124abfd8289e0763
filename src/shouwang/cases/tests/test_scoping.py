"""A person sees and touches only cases of their jurisdiction's subtree (or ones they registered
or are assigned to): a town-A user gets 404 on a town-B case for every detail and action route,
and lists and figures show nothing of town B. The last test fails when a GET route is added to
the cases router without a case here. core/tests/test_scoping.py counts COVERED_GET_ROUTES as
covered."""

import pytest

from shouwang.api import api
from shouwang.cases import services
from shouwang.cases.models import Case
from shouwang.cases.states import CaseState
from shouwang.cases.tests.factories import Loop, case_in_state, make_case
from shouwang.cases.tests.test_attachments import photo
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db

DETAIL_ROUTES = {
    "/api/v1/cases/{case_id}",
    "/api/v1/cases/{case_id}/suggestions",
    "/api/v1/cases/{case_id}/attachments/{attachment_id}",
}
LIST_ROUTES = {"/api/v1/cases"}
# Not scoped by jurisdiction, on purpose: the public taxonomy; the citizen's tracking page,
# reached only with the unguessable receipt code; the KPI figures (scoped, tested below).
OTHER_GET_ROUTES = {"/api/v1/categories", "/api/v1/track/{receipt_code}", "/api/v1/kpi/loop"}
COVERED_GET_ROUTES = DETAIL_ROUTES | LIST_ROUTES | OTHER_GET_ROUTES

ACTIONS = {
    "dispatch": {"people": ["responder_1"]},
    "accept": {},
    "arrive": {"lat": 29.1, "lng": 120.25},
    "feedback": {"note": "到了"},
    "resolve": {"note": "处理完毕"},
    "return": {"reason": "不是我们的"},
    "verify": {},
    "close": {},
    "callback": {"result": "satisfied"},
    "divert": {},
    "merge": {"into": 0},  # filled in with a town-A case
    "transfer": {"unit": "PS-001"},
    "cancel": {"reason": "误报"},
    "escalate": {"reason": "升级"},
    "reopen": {"reason": "再查"},
    "reveal": {"field": "caller_phone"},
}
TOWN_A_ROLES = ("dispatcher", "leader", "responder")


@pytest.fixture
def town_b_case(loop: Loop, media_root) -> Case:
    case = make_case(loop, town="b")
    services.attachment_add(actor=loop.person("dispatcher", "b"), case=case, data=photo())
    return case


def fill(route: str, case: Case) -> str:
    """A route's path filled in with a town-B case and its photo."""
    return route.format(case_id=case.pk, attachment_id=case.attachments.get().pk)


@pytest.mark.parametrize("route", sorted(DETAIL_ROUTES))
@pytest.mark.parametrize("role", TOWN_A_ROLES)
def test_town_a_user_cannot_open_a_town_b_case(
    loop: Loop, town_b_case: Case, route: str, role: str
) -> None:
    client = ApiClient(loop.person(role).username)
    response = client.get(fill(route, town_b_case))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("route", sorted(DETAIL_ROUTES))
def test_town_b_dispatcher_can_open_the_same_case(
    loop: Loop, town_b_case: Case, route: str
) -> None:
    client = ApiClient(loop.person("dispatcher", "b").username)
    assert client.get(fill(route, town_b_case)).status_code == 200


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("role", TOWN_A_ROLES)
def test_town_a_user_gets_404_on_every_action_on_a_town_b_case(
    loop: Loop, town_b_case: Case, action: str, role: str
) -> None:
    body = dict(ACTIONS[action])
    if action == "merge":
        body["into"] = make_case(loop).pk
    response = ApiClient(loop.person(role).username).post(
        f"/api/v1/cases/{town_b_case.pk}/{action}", body
    )
    assert response.status_code == 404, response.content
    assert Case.objects.get(pk=town_b_case.pk).state == CaseState.RECEIVED


def test_town_a_user_cannot_upload_to_a_town_b_case(
    loop: Loop, town_b_case: Case, media_root
) -> None:
    client = ApiClient(loop.person("dispatcher").username)
    response = client.client.post(
        f"/api/v1/cases/{town_b_case.pk}/attachments", {"file": b""}, headers=client.headers
    )
    assert response.status_code in (404, 422)  # never 2xx, never a hint that it exists
    assert town_b_case.attachments.count() == 1


def test_town_a_lists_show_nothing_of_town_b(loop: Loop, town_b_case: Case) -> None:
    own = make_case(loop)
    items = ApiClient(loop.person("leader").username).get("/api/v1/cases").json()["items"]
    assert [item["id"] for item in items] == [own.pk]


def test_city_admin_lists_both_towns(loop: Loop, town_b_case: Case) -> None:
    own = make_case(loop)
    items = ApiClient(loop.city.admin.username).get("/api/v1/cases").json()["items"]
    assert {item["id"] for item in items} == {own.pk, town_b_case.pk}


def test_town_a_figures_count_nothing_of_town_b(loop: Loop, town_b_case: Case) -> None:
    make_case(loop)
    client = ApiClient(loop.person("leader").username)
    body = client.get("/api/v1/kpi/loop").json()
    assert body["node"] == loop.city.a.node.code
    assert body["totals"]["cases"] == 1
    assert client.get("/api/v1/kpi/loop", node=loop.city.b.node.code).status_code == 404


def test_an_assignee_from_another_town_sees_the_case_they_were_sent_to(loop: Loop) -> None:
    """Cross-town reinforcement: the city dispatcher sends a town-B responder to town A."""
    case = make_case(loop)
    client = ApiClient(loop.city.admin.username)
    response = client.post(f"/api/v1/cases/{case.pk}/dispatch", {"people": ["responder_2"]})
    assert response.status_code == 200
    responder_b = ApiClient(loop.person("responder", "b").username)
    assert responder_b.get(f"/api/v1/cases/{case.pk}").status_code == 200
    assert responder_b.post(f"/api/v1/cases/{case.pk}/accept").status_code == 200


def test_the_reporter_sees_their_own_report_wherever_it_landed(loop: Loop) -> None:
    volunteer = loop.person("volunteer")
    case = make_case(loop, town="b", actor=volunteer, channel="app", code="garbage")
    client = ApiClient(volunteer.username)
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 200
    other = case_in_state(loop, CaseState.RECEIVED, town="b")
    assert client.get(f"/api/v1/cases/{other.pk}").status_code == 404


def test_every_cases_get_route_is_covered_here() -> None:
    schema = api.get_openapi_schema()
    ours = {
        path
        for path, operations in schema["paths"].items()
        if "get" in operations and "cases" in operations["get"].get("tags", [])
    }
    assert ours - COVERED_GET_ROUTES == set(), "add the new GET route to these scoping tests"
