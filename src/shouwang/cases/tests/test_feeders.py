"""The surface feeder apps use: open a case from a source, note what happened, settle it."""

from datetime import timedelta

import pytest

from shouwang.cases import feeders
from shouwang.cases.models import AssignmentState, TimelineKind
from shouwang.cases.tests.factories import POINT, Loop, dispatched, fresh, received
from shouwang.core.errors import IllegalTransition, InvalidInput, NotFound
from shouwang.notify.models import OutboxMessage

pytestmark = pytest.mark.django_db


def test_a_feeder_opens_a_hazard_case_that_names_its_source(loop: Loop) -> None:
    lat, lng = POINT["a"]
    opened = feeders.case_open(
        actor=loop.person("inspector"),
        category_code="fire_lane_blocked",
        description="消防通道堆放杂物",
        channel=feeders.CaseChannel.INSPECTION,
        kind=feeders.CaseKind.HAZARD,
        lat=lat,
        lng=lng,
        source="inspections.hazard",
        source_ref="7",
    )
    case = opened.case
    assert case.kind == "hazard" and case.state == feeders.CaseState.RECEIVED
    assert case.node.path.startswith(loop.town("a").node.path)
    source = case.timeline.get(kind=TimelineKind.SOURCE_EVENT)
    assert source.data == {"source": "inspections.hazard", "ref": "7", "text": ""}


def test_an_unknown_category_opens_nothing(loop: Loop) -> None:
    before = feeders.Case.objects.count()
    with pytest.raises(InvalidInput):
        feeders.case_open(
            actor=loop.person("inspector"),
            category_code="no_such_thing",
            description="x",
            channel=feeders.CaseChannel.INSPECTION,
            kind=feeders.CaseKind.HAZARD,
            lat=POINT["a"][0],
            lng=POINT["a"][1],
        )
    assert feeders.Case.objects.count() == before


def test_a_note_keeps_the_state_and_is_announced(loop: Loop) -> None:
    case = dispatched(loop)
    before = OutboxMessage.objects.count()
    event = feeders.case_note(
        case=case.pk, actor=loop.person("inspector"), text="复查未通过", source="inspections"
    )
    assert event.kind == TimelineKind.SOURCE_EVENT
    assert event.from_state == event.to_state == fresh(case).state
    assert event.data["text"] == "复查未通过"
    assert OutboxMessage.objects.count() > before


def test_settling_closes_the_case_once_and_stands_down_assignees(loop: Loop) -> None:
    case = dispatched(loop)
    settled = feeders.case_settle(case=case, actor=loop.person("inspector"), note="复查通过")
    assert settled.state == feeders.CaseState.CLOSED and settled.closed_at is not None
    assert not case.assignments.exclude(state=AssignmentState.CANCELLED).exists()
    assert fresh(case).timeline.filter(kind=TimelineKind.SETTLED).count() == 1
    with pytest.raises(IllegalTransition):
        feeders.case_settle(case=case, actor=loop.person("inspector"), note="again")
    assert fresh(case).timeline.filter(kind=TimelineKind.SETTLED).count() == 1


def test_a_feeder_learns_the_family_of_a_case_category(loop: Loop) -> None:
    dispute = received(loop, code="neighbour_dispute")
    family_head = received(loop, code="disputes")
    assert feeders.case_category_family(dispute) == "disputes"
    assert feeders.case_category_family(family_head) == "disputes"


def test_cases_near_finds_calls_at_one_place_since_a_time_only(loop: Loop) -> None:
    lat, lng = POINT["a"]
    here = received(loop, code="noise", point=(lat, lng), address="幸福路1号")
    received(loop, code="noise", point=(lat + 0.01, lng), address="幸福路99号")
    near = feeders.cases_near(
        lat=lat, lng=lng, since=here.received_at - timedelta(days=7), categories=["noise"]
    )
    assert [c.id for c in near] == [here.pk]
    by_address = feeders.cases_near(
        lat=None, lng=None, address="幸福路1号", since=here.received_at - timedelta(days=7)
    )
    assert [c.id for c in by_address] == [here.pk]
    assert feeders.cases_near(lat=lat, lng=lng, since=here.received_at + timedelta(days=1)) == []


def test_closed_verified_cases_are_listed_for_rewarding_feeders(loop: Loop) -> None:
    from shouwang.cases.tests.factories import closed, resolved

    volunteer = loop.person("volunteer")
    done = closed(loop, actor=volunteer, channel=feeders.CaseChannel.APP)
    resolved(loop, actor=volunteer, channel=feeders.CaseChannel.APP)  # not closed: not listed
    listed = feeders.cases_closed_verified_since(closed_after=None, kinds=["report"])
    assert [(c.case_id, c.created_by_id) for c in listed] == [(done.pk, volunteer.pk)]
    assert listed[0].verified_at is not None
    later = feeders.cases_closed_verified_since(closed_after=listed[0].closed_at, kinds=["report"])
    assert later == []
    assert feeders.cases_closed_verified_since(closed_after=None, kinds=["hazard"]) == []


def test_a_feeder_alerts_a_first_responder_unit_for_the_dispatcher(loop: Loop) -> None:
    case = received(loop)
    feeders.case_first_responders_alert(
        actor=loop.person("dispatcher"), case=case.pk, units=[loop.patrol]
    )
    assert case.assignments.filter(unit=loop.patrol).exists()
    with pytest.raises(NotFound):  # least privilege: a volunteer does not see the case at all
        feeders.case_first_responders_alert(
            actor=loop.person("volunteer"), case=case.pk, units=[loop.patrol]
        )


def test_the_case_a_person_works_is_their_latest_open_assignment(loop: Loop) -> None:
    responder = loop.person("responder")
    assert feeders.case_worked_by(person=responder) is None
    case = dispatched(loop)
    assert feeders.case_worked_by(person=responder) == case.pk


def test_only_the_reporters_own_photos_are_listed(loop: Loop, media_root) -> None:  # type: ignore[no-untyped-def]
    import io

    from PIL import Image

    from shouwang.cases import services

    def png() -> bytes:
        out = io.BytesIO()
        Image.new("RGB", (40, 30), (200, 10, 10)).save(out, format="PNG")
        return out.getvalue()

    volunteer = loop.person("volunteer")
    case = dispatched(loop, actor=volunteer, channel=feeders.CaseChannel.APP)
    services.attachment_add(actor=volunteer, case=fresh(case), data=png())
    services.attachment_add(actor=loop.person("responder"), case=fresh(case), data=png())
    listed = feeders.case_reporter_photos(case_ids=[case.pk])
    assert len(listed[case.pk]) == 1
