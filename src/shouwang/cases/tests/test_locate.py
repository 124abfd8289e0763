"""The dispatcher places a case afterwards (POST /cases/{id}/locate): from a point or from an
address in the standard gazetteer; a case not yet dispatched is routed again from its grid."""

import pytest

from shouwang.cases import services
from shouwang.cases.models import Case, CaseChannel, TimelineKind
from shouwang.cases.services.locate import case_locate
from shouwang.cases.tests.factories import POINT, Loop, category, dispatched, fresh, received
from shouwang.core.errors import InvalidInput, NotFound, PermissionDeniedError
from shouwang.core.models import User
from shouwang.gazetteer.selectors import gazetteer_forget
from shouwang.gazetteer.services import addresses_import
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _gazetteer(loop: Loop) -> None:
    gazetteer_forget()
    rows = [
        (2, {"address": "稠城街道福田路100号", "lat": "29.1", "lng": "120.15"}),
        (3, {"address": "北苑街道春华路8号", "lat": "29.1", "lng": "120.25"}),
    ]
    assert not addresses_import(rows=rows).errors


def address_only(loop: Loop, actor: User) -> Case:
    return services.case_intake(
        actor=actor,
        category=category("fight"),
        description="有人在店门口打架",
        channel=CaseChannel.PHONE_110,
        address="福田路100号",
    ).case


def test_a_call_with_only_an_address_is_placed_by_it_and_routed_to_its_town(
    loop: Loop,
) -> None:
    admin = User.objects.get(username="admin_city")
    case = address_only(loop, admin)
    assert case.node.level == "city"
    case_locate(actor=admin, case=case, address="福田路100")
    case = fresh(case)
    assert case.node == loop.city.a.grids[1]
    assert (case.lat, case.lng) == (29.1, 120.15)
    assert case.address == "稠城街道福田路100号"
    assert case.responsible_unit == loop.city.a.station
    event = case.timeline.get(kind=TimelineKind.LOCATED)
    assert event.actor == admin
    assert event.data["rerouted"] is True
    assert event.data["from"]["node"] == "330782"


def test_the_dispatcher_corrects_a_point_through_the_api(loop: Loop) -> None:
    case = received(loop)
    response = ApiClient("dispatcher_1").post(
        f"/api/v1/cases/{case.pk}/locate", {"lat": 29.1, "lng": 120.15}
    )
    assert response.status_code == 200, response.content
    assert fresh(case).node == loop.city.a.grids[1]
    assert fresh(case).timeline.filter(kind=TimelineKind.LOCATED).count() == 1


def test_a_dispatched_case_moves_but_keeps_its_unit(loop: Loop) -> None:
    case = dispatched(loop)
    unit = case.responsible_unit
    case_locate(actor=loop.person("dispatcher"), case=case, lat=29.1, lng=120.15)
    case = fresh(case)
    assert case.node == loop.city.a.grids[1]
    assert case.responsible_unit == unit
    assert case.timeline.get(kind=TimelineKind.LOCATED).data["rerouted"] is False


def test_an_address_the_gazetteer_does_not_know_is_refused(loop: Loop) -> None:
    case = received(loop)
    with pytest.raises(InvalidInput):
        case_locate(actor=loop.person("dispatcher"), case=case, address="火星基地")
    response = ApiClient("dispatcher_1").post(f"/api/v1/cases/{case.pk}/locate", {})
    assert response.status_code == 422


def test_a_dispatcher_cannot_move_a_case_out_of_their_town(loop: Loop) -> None:
    case = received(loop)
    lat, lng = POINT["b"]
    with pytest.raises(InvalidInput):
        case_locate(actor=loop.person("dispatcher"), case=case, lat=lat, lng=lng)


def test_a_volunteer_or_another_towns_dispatcher_cannot_locate_a_case(loop: Loop) -> None:
    case = received(loop)
    with pytest.raises(NotFound):  # least privilege: a volunteer sees only their own reports
        case_locate(actor=loop.person("volunteer"), case=case, lat=29.1, lng=120.15)
    with pytest.raises(PermissionDeniedError):  # the responder sees it, but may not place it
        case_locate(actor=loop.person("responder"), case=dispatched(loop), lat=29.1, lng=120.15)
    with pytest.raises(NotFound):
        case_locate(actor=loop.person("dispatcher", "b"), case=case, lat=29.1, lng=120.15)
    body = {"lat": 29.1, "lng": 120.15}
    assert (
        ApiClient("dispatcher_2").post(f"/api/v1/cases/{case.pk}/locate", body).status_code == 404
    )
    assert ApiClient("volunteer_1").post(f"/api/v1/cases/{case.pk}/locate", body).status_code in {
        403,
        404,
    }
    assert fresh(case).timeline.filter(kind=TimelineKind.LOCATED).count() == 0
