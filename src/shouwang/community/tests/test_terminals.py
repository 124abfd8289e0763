"""Body-worn terminals: GPS becomes the wearer's live position; SOS opens an urgent case."""

import pytest

from shouwang.cases.feeders import Case
from shouwang.cases.tests.factories import POINT, dispatched
from shouwang.community.models import BodyTerminal
from shouwang.community.services.terminals import terminal_bind
from shouwang.community.tests.conftest import Forces
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db

LAT, LNG = POINT["a"]


@pytest.fixture
def terminal(forces: Forces) -> BodyTerminal:
    made = BodyTerminal.objects.create(serial="JBM-001", node=forces.loop.city.a.node)
    return terminal_bind(terminal=made, person=forces.person("responder"))


def test_a_terminals_gps_is_its_wearers_live_position(
    forces: Forces, terminal: BodyTerminal
) -> None:
    gateway = ApiClient(forces.person("dispatcher").username)
    body = {"lat": LAT, "lng": LNG}
    assert gateway.post("/api/v1/terminals/JBM-001/position", body).status_code == 204
    status = forces.person("responder").responder_status
    status.refresh_from_db()
    assert (status.lat, status.lng) == (LAT, LNG)


def test_an_sos_opens_an_urgent_case_at_the_terminals_position(
    forces: Forces, terminal: BodyTerminal
) -> None:
    gateway = ApiClient(forces.person("dispatcher").username)
    response = gateway.post("/api/v1/terminals/JBM-001/sos", {"lat": LAT, "lng": LNG})
    assert response.status_code == 201, response.content
    case = Case.objects.get(pk=response.json()["case_id"])
    assert (case.priority, case.lat, case.lng) == (1, LAT, LNG)
    assert case.created_by == forces.person("responder")


def test_a_terminal_of_another_town_is_not_found(forces: Forces, terminal: BodyTerminal) -> None:
    gateway = ApiClient(forces.person("dispatcher", "b").username)
    body = {"lat": LAT, "lng": LNG}
    assert gateway.post("/api/v1/terminals/JBM-001/sos", body).status_code == 404


def test_intercom_and_video_go_on_the_case_the_wearer_works(
    forces: Forces, terminal: BodyTerminal
) -> None:
    gateway = ApiClient(forces.person("dispatcher").username)
    body = {"kind": "video", "ref": "rtsp://recorder/clip/1"}
    assert gateway.post("/api/v1/terminals/JBM-001/events", body).status_code == 409
    case = dispatched(forces.loop)
    response = gateway.post("/api/v1/terminals/JBM-001/events", body)
    assert response.status_code == 201 and response.json()["case_id"] == case.pk
    event = case.timeline.filter(data__source="community.terminal").get()
    assert event.data["event"] == "video"
    wrong = gateway.post("/api/v1/terminals/JBM-001/events", {"kind": "photo"})
    assert wrong.status_code == 422
