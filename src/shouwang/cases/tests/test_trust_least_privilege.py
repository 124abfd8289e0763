"""Least privilege inside a jurisdiction (issue 14): volunteers, landlords, inspectors,
mediators and first responders of a town no longer read every case of that town. Each role
reads what its work needs; dispatchers, responders and leaders keep the whole jurisdiction.
A role x route matrix over every GET route of the API that shows a case, and the case pages."""

from dataclasses import dataclass

import pytest
from django.test import Client

from shouwang.cases import services
from shouwang.cases.models import Case, CaseChannel, CaseKind
from shouwang.cases.tests.factories import Loop, equip, make_case
from shouwang.places.models import ContactRole, Premises, PremisesKind
from shouwang.testing.api import ApiClient
from shouwang.testing.city import City


@dataclass
class Town:
    call: Case  # a 110 call, nobody sent yet
    own_report: Case  # the volunteer's own report
    dispute: Case
    hazard: Case
    alarm: Case  # an alarm at the landlord's premises
    sent: Case  # a call the first responder was sent to


def build(loop: Loop) -> Town:
    from shouwang.devices.models import Incident

    town = loop.city.a
    landlord = town.people["landlord"]
    premises = Premises.objects.create(
        code="P-LL-1", name="出租房", kind=PremisesKind.RENTAL_HOUSE, node=town.grids[0]
    )
    premises.alarm_contacts.create(role=ContactRole.LANDLORD, person=landlord)
    alarm = make_case(loop, code="fight", kind=CaseKind.ALARM, channel=CaseChannel.DEVICE)
    Incident.objects.create(premises=premises, kind="alarm", case_id=alarm.pk)
    sent = make_case(loop, description="第二起打架")
    services.case_dispatch(
        actor=loop.person("dispatcher"),
        case=sent,
        people=[],
        units=[],
        first_responders=[loop.person("first_responder")],
    )
    return Town(
        call=make_case(loop),
        own_report=make_case(
            loop,
            actor=loop.person("volunteer"),
            code="noise",
            channel=CaseChannel.APP,
            description="楼下噪音",
        ),
        dispute=make_case(loop, code="noise", kind=CaseKind.DISPUTE, description="邻里纠纷"),
        hazard=make_case(loop, code="noise", kind=CaseKind.HAZARD, description="消防通道堵塞"),
        alarm=alarm,
        sent=sent,
    )


@pytest.fixture
def town(city: City) -> Town:
    return build(equip(city))


EVERYTHING = {"call", "own_report", "dispute", "hazard", "alarm", "sent"}
SEES = {
    "volunteer": {"own_report"},
    "first_responder": {"sent"},
    "landlord": {"alarm"},
    "inspector": {"hazard", "alarm"},
    "mediator": {"dispute"},
    "dispatcher": EVERYTHING,
    "responder": EVERYTHING,
    "leader": EVERYTHING,
}


def ids(town: Town, names: set[str]) -> set[int]:
    return {getattr(town, n).pk for n in names}


@pytest.mark.parametrize("role", sorted(SEES))
def test_each_role_lists_only_the_cases_its_work_needs(town: Town, role: str) -> None:
    response = ApiClient(f"{role}_1").get("/api/v1/cases", page_size=100)
    assert response.status_code == 200
    assert {c["id"] for c in response.json()["items"]} == ids(town, SEES[role])


@pytest.mark.parametrize("role", sorted(SEES))
def test_each_role_reads_each_case_through_every_get_route_only_when_its_work_needs_it(
    town: Town, role: str
) -> None:
    client = ApiClient(f"{role}_1")
    page = Client()
    page.force_login(
        __import__("shouwang.core.models", fromlist=["User"]).User.objects.get(username=f"{role}_1")
    )
    for name in sorted(EVERYTHING):
        case = getattr(town, name)
        allowed = name in SEES[role]
        routes = [f"/api/v1/cases/{case.pk}", f"/api/v1/cases/{case.pk}/suggestions"]
        for route in routes:
            status = client.get(route).status_code
            assert (status != 404) == allowed, (role, name, route, status)
        for route in (f"/console/cases/{case.pk}/", f"/m/cases/{case.pk}/"):
            status = page.get(route).status_code
            assert status in (200, 403, 404, 302), (role, name, route, status)
            if not allowed:
                assert status in (403, 404, 302), (role, name, route, status)


def test_every_get_route_of_the_api_that_names_a_case_is_in_the_matrix() -> None:
    from shouwang.api import api

    case_routes = {
        path
        for path, operations in api.get_openapi_schema()["paths"].items()
        if "get" in operations and "{case_id}" in path
    }
    assert case_routes == {
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/suggestions",
        "/api/v1/cases/{case_id}/attachments/{attachment_id}",  # the case's view, by case_get
    }


def test_a_volunteer_reporting_sees_no_other_report_as_a_likely_duplicate(town: Town) -> None:
    response = ApiClient("volunteer_1").post(
        "/api/v1/cases",
        {
            "category": "fight",
            "description": "两名男子在商铺门口打架，其中一人受伤",
            "channel": "app",
            "lat": town.call.lat,
            "lng": town.call.lng,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["duplicates"] == []
