"""A volunteer's verified report earns points once, through the worker loop over the loop's
closed-and-verified cases."""

import pytest

from shouwang.cases import services as loop_services
from shouwang.cases.feeders import CaseChannel
from shouwang.cases.tests.factories import POINT, closed, fresh, resolved
from shouwang.community.models import AwardState, PointAward, PointEntry
from shouwang.community.selectors import statement_of
from shouwang.community.services.report_awards import report_awards_tick
from shouwang.community.tests.conftest import Forces
from shouwang.core.workers import WORKER_LOOPS
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db

REPORT_POINTS = 3  # settings.SHOUWANG_POINTS_RULES["report_verified"][0]


def close_again(forces: Forces, case_id: int) -> None:
    """Reopened, worked again, verified again and closed again: the award must not repeat."""
    loop = forces.loop
    case = loop_services.case_reopen(
        actor=loop.person("leader"), case=fresh_case(case_id), reason="复核"
    )
    case = loop_services.case_dispatch(
        actor=loop.person("dispatcher"), case=case, people=[loop.person("responder")]
    )
    loop_services.assignment_accept(actor=loop.person("responder"), case=case)
    lat, lng = POINT["a"]
    loop_services.assignment_arrive(
        actor=loop.person("responder"), case=fresh_case(case_id), lat=lat, lng=lng
    )
    loop_services.assignment_resolve(
        actor=loop.person("responder"), case=fresh_case(case_id), note="再次处置"
    )
    case = loop_services.case_verify(actor=loop.person("leader"), case=fresh_case(case_id))
    loop_services.case_close(actor=loop.person("leader"), case=case)


def fresh_case(case_id: int):  # type: ignore[no-untyped-def]
    from shouwang.cases.feeders import Case

    return fresh(Case.objects.get(pk=case_id))


def test_the_award_loop_is_registered_as_a_worker() -> None:
    assert "community.report_awards" in {loop.name for loop in WORKER_LOOPS}


def test_a_volunteers_verified_report_earns_points_once(forces: Forces) -> None:
    case = closed(forces.loop, actor=forces.volunteer, channel=CaseChannel.APP)
    assert report_awards_tick() == 1
    assert report_awards_tick() == 0
    close_again(forces, case.pk)
    report_awards_tick()
    report_awards_tick()
    award = PointAward.objects.get(source_key=f"case:{case.pk}")
    assert award.state == AwardState.CREDITED and award.points == REPORT_POINTS
    assert statement_of(user=forces.volunteer).balance == REPORT_POINTS
    assert PointEntry.objects.filter(award=award).count() == 1


def test_a_report_filed_through_the_api_earns_once_it_is_closed(forces: Forces) -> None:
    lat, lng = POINT["a"]
    client = ApiClient(forces.volunteer.username)
    response = client.post(
        "/api/v1/cases",
        {"category": "facility_damage", "description": "路口监控探头损坏", "lat": lat, "lng": lng},
    )
    assert response.status_code == 201, response.content
    case_id = response.json()["id"]
    report_awards_tick()
    assert client.get("/api/v1/points/me").json()["balance"] == 0  # not verified yet
    loop = forces.loop
    case = loop_services.case_dispatch(
        actor=loop.person("dispatcher"), case=fresh_case(case_id), people=[loop.person("responder")]
    )
    loop_services.assignment_accept(actor=loop.person("responder"), case=case)
    loop_services.assignment_arrive(
        actor=loop.person("responder"), case=fresh_case(case_id), lat=lat, lng=lng
    )
    loop_services.assignment_resolve(
        actor=loop.person("responder"), case=fresh_case(case_id), note="已报修"
    )
    case = loop_services.case_verify(actor=loop.person("leader"), case=fresh_case(case_id))
    loop_services.case_close(actor=loop.person("leader"), case=case)
    report_awards_tick()
    body = client.get("/api/v1/points/me").json()
    assert body["balance"] == REPORT_POINTS
    assert [e["amount"] for e in body["entries"]] == [REPORT_POINTS]


def test_an_unverified_or_staff_filed_case_earns_nothing(forces: Forces) -> None:
    resolved(forces.loop, actor=forces.volunteer, channel=CaseChannel.APP)
    closed(forces.loop)  # filed by a dispatcher
    report_awards_tick()
    assert not PointAward.objects.exists()
    assert not PointEntry.objects.filter(kind="award").exists()


def test_a_burst_of_reports_from_one_place_is_held_for_review(forces: Forces, settings) -> None:
    settings.SHOUWANG_POINTS_BURST_COUNT = 3
    for n in range(3):
        closed(forces.loop, actor=forces.volunteer, channel=CaseChannel.APP, description=f"第{n}起")
    report_awards_tick()
    states = list(PointAward.objects.order_by("id").values_list("state", flat=True))
    assert states == [AwardState.CREDITED, AwardState.CREDITED, AwardState.HELD]
    assert statement_of(user=forces.volunteer).balance == 2 * REPORT_POINTS


def test_a_window_fuller_than_one_page_still_moves_on(forces: Forces, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from shouwang.community.services import report_awards

    monkeypatch.setattr(report_awards, "BATCH", 2)
    cases = [
        closed(forces.loop, actor=forces.volunteer, channel=CaseChannel.APP, description=f"第{n}起")
        for n in range(5)
    ]
    assert report_awards_tick() == 5
    assert PointAward.objects.filter(source_key__in=[f"case:{c.pk}" for c in cases]).count() == 5


def test_the_same_photo_on_a_second_report_earns_nothing(
    forces: Forces,
    media_root,  # type: ignore[no-untyped-def]
) -> None:
    from shouwang.community.tests.test_points import photo

    first = closed(forces.loop, actor=forces.volunteer, channel=CaseChannel.APP)
    second = closed(
        forces.loop, actor=forces.neighbours[0], channel=CaseChannel.APP, description="又一起"
    )
    for case, person in ((first, forces.volunteer), (second, forces.neighbours[0])):
        loop_services.attachment_add(actor=person, case=fresh(case), data=photo(5).getvalue())
    report_awards_tick()
    awards = {a.person_id: a for a in PointAward.objects.all()}
    assert awards[forces.volunteer.pk].state == AwardState.CREDITED
    assert awards[forces.neighbours[0].pk].state == AwardState.REFUSED
    assert statement_of(user=forces.neighbours[0]).balance == 0
