"""Five-in-sync dispatch: one action, one commit — assignments, the case room, a notification to
every assignee, the screens — and the dispatcher's suggestions of whom to send."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from shouwang.cases import services
from shouwang.cases.models import Assignment, AssignmentRole, AssignmentState, TimelineKind
from shouwang.cases.selectors.suggestions import dispatch_suggestions
from shouwang.cases.states import CaseState
from shouwang.cases.tests.factories import POINT, Loop, another_responder, fresh, make_case
from shouwang.core.db_insert import insert_rows
from shouwang.core.errors import InvalidInput, PermissionDeniedError
from shouwang.notify.groups import case_group, person_group, screen_group, unit_group
from shouwang.notify.models import OutboxMessage
from shouwang.testing.outbox import groups_of

pytestmark = pytest.mark.django_db


def dispatch(loop: Loop, case, **kw):
    return services.case_dispatch(actor=loop.person("dispatcher"), case=case, **kw)


def test_one_dispatch_assigns_opens_the_room_notifies_and_screens_in_one_commit(
    loop: Loop, django_capture_on_commit_callbacks
) -> None:
    case = make_case(loop)
    responder = loop.person("responder")
    before = set(OutboxMessage.objects.values_list("pk", flat=True))
    with django_capture_on_commit_callbacks() as callbacks:
        case = dispatch(loop, case, people=[responder], units=[loop.patrol])
        sent = OutboxMessage.objects.exclude(pk__in=before)
        # Inside the transaction the outbox rows exist and nothing has been woken yet.
        assert sent.exists()
        assert callbacks == []
    assert callbacks, "delivery is woken only after commit"

    assert case.state == CaseState.DISPATCHED
    assignments = list(case.assignments.order_by("id"))
    assert [(a.unit, a.person, a.role) for a in assignments] == [
        (loop.patrol, None, AssignmentRole.LEAD),
        (None, responder, AssignmentRole.SUPPORT),
    ]
    assert case.timeline.filter(kind=TimelineKind.ROOM_OPENED).count() == 1
    by_recipient = {m.recipient: m for m in sent}
    to_responder = by_recipient[person_group(responder.pk)]
    assert to_responder.person == responder
    assert to_responder.requires_ack
    assert to_responder.ack_deadline is not None
    assert unit_group(loop.patrol.code) in by_recipient
    assert case_group(case.pk) in groups_of(by_recipient)
    assert screen_group(loop.city.node.code) in groups_of(by_recipient)
    assert screen_group(loop.city.a.node.code) in groups_of(by_recipient)
    assert case.accept_deadline == case.dispatched_at + timedelta(seconds=180)
    assert case.responsible_unit == loop.patrol  # the leading unit answers for it now


def test_a_failed_request_after_dispatch_leaves_no_assignment_and_no_notification(
    loop: Loop,
) -> None:
    case = make_case(loop)
    before = OutboxMessage.objects.count()

    @transaction.atomic
    def request_that_crashes_before_commit() -> None:
        dispatch(loop, case, people=[loop.person("responder")])
        raise RuntimeError("crash before commit")

    with pytest.raises(RuntimeError):
        request_that_crashes_before_commit()
    assert fresh(case).state == CaseState.RECEIVED
    assert not Assignment.objects.exists()
    assert OutboxMessage.objects.count() == before


def test_reinforcements_keep_the_state_and_the_one_room(loop: Loop) -> None:
    case = dispatch(loop, make_case(loop), people=[loop.person("responder")])
    services.assignment_accept(actor=loop.person("responder"), case=case)
    helper = another_responder(loop)
    case = dispatch(loop, fresh(case), people=[helper])
    assert case.state == CaseState.ACCEPTED
    assert case.timeline.filter(kind=TimelineKind.ROOM_OPENED).count() == 1
    assert case.assignments.get(person=helper).role == AssignmentRole.SUPPORT


def test_someone_already_on_the_case_is_not_assigned_twice(loop: Loop) -> None:
    case = dispatch(loop, make_case(loop), people=[loop.person("responder")])
    with pytest.raises(InvalidInput):
        dispatch(loop, case, people=[loop.person("responder")])
    assert case.assignments.count() == 1


def test_dispatch_needs_someone_to_send(loop: Loop) -> None:
    with pytest.raises(InvalidInput):
        dispatch(loop, make_case(loop))


def test_a_responder_cannot_dispatch(loop: Loop) -> None:
    with pytest.raises(PermissionDeniedError):
        services.case_dispatch(
            actor=loop.person("responder"), case=make_case(loop), people=[loop.person("responder")]
        )


def test_first_responders_are_alerted_in_parallel(loop: Loop) -> None:
    case = dispatch(
        loop, make_case(loop), people=[loop.person("responder")], first_responders=[loop.patrol]
    )
    roles = dict(case.assignments.values_list("unit__code", "role").filter(unit__isnull=False))
    assert roles == {"PT-A": AssignmentRole.FIRST_RESPONDER}


def test_a_units_task_is_taken_by_the_first_member_who_accepts(loop: Loop) -> None:
    station = loop.city.a.station
    colleague = another_responder(loop)
    case = dispatch(loop, make_case(loop), units=[station])
    assignment = services.assignment_accept(actor=loop.person("responder"), case=case)
    assert assignment.unit == station and assignment.person == loop.person("responder")
    with pytest.raises(PermissionDeniedError):
        services.assignment_accept(actor=colleague, case=fresh(case))


# --- suggestions -----------------------------------------------------------------------------


def place(loop: Loop, person, d_lat: float, **kw) -> None:
    lat, lng = POINT["a"]
    services.responder_position_report(actor=person, lat=lat + d_lat, lng=lng, **kw)


def test_nearest_available_responders_come_first(loop: Loop) -> None:
    near, far = loop.person("responder"), another_responder(loop)
    busy = another_responder(loop, username="busy_responder")
    place(loop, far, 0.01)
    place(loop, near, 0.001)
    place(loop, busy, 0.0005, available=False)
    b_responder = loop.person("responder", "b")
    place(loop, b_responder, 0.0002)  # near, but another town's: not the dispatcher's to send
    case = make_case(loop)
    found = dispatch_suggestions(user=loop.person("dispatcher"), case=case, limit=5)
    assert [p["username"] for p in found["responders"]] == [near.username, far.username]
    assert found["responders"][0]["distance_m"] == pytest.approx(111, abs=2)


def test_stale_positions_are_not_suggested(loop: Loop) -> None:
    from shouwang.cases.models import ResponderStatus

    place(loop, loop.person("responder"), 0.001)
    ResponderStatus.objects.update(reported_at=timezone.now() - timedelta(hours=1))
    found = dispatch_suggestions(user=loop.person("dispatcher"), case=make_case(loop))
    assert found["responders"] == []


def test_first_responders_within_the_configured_radius(loop: Loop, settings) -> None:
    place(loop, loop.person("first_responder"), 0.005)  # ~560 m
    case = make_case(loop)
    found = dispatch_suggestions(user=loop.person("dispatcher"), case=case)
    assert [u["code"] for u in found["first_responder_units"]] == ["PT-A"]
    assert [p["username"] for p in found["first_responder_people"]] == ["first_responder_1"]
    settings.SHOUWANG_FIRST_RESPONDER_RADIUS_M = 200
    found = dispatch_suggestions(user=loop.person("dispatcher"), case=case)
    assert found["first_responder_units"] == [] and found["first_responder_people"] == []


def test_positions_are_not_shown_to_responders(loop: Loop) -> None:
    case = dispatch(loop, make_case(loop), people=[loop.person("responder")])
    with pytest.raises(PermissionDeniedError):
        dispatch_suggestions(user=loop.person("responder"), case=case)


def test_gcj02_positions_are_converted(loop: Loop) -> None:
    from shouwang.core.geo.coords import wgs84_to_gcj02

    lat, lng = POINT["a"]
    g_lng, g_lat = wgs84_to_gcj02(lng, lat)
    status = services.responder_position_report(
        actor=loop.person("responder"), lat=g_lat, lng=g_lng, coord_system="gcj02"
    )
    assert status.lat == pytest.approx(lat, abs=1e-6)


def test_a_person_notified_of_a_dispatch_has_an_open_assignment(loop: Loop) -> None:
    case = dispatch(loop, make_case(loop), people=[loop.person("responder")])
    assert case.assignments.get().state == AssignmentState.NOTIFIED


def test_the_database_refuses_an_assignment_with_neither_a_person_nor_a_unit(loop: Loop) -> None:
    case = make_case(loop)
    orphan = Assignment(
        case=case,
        role=AssignmentRole.LEAD,
        round=case.round,
        dispatched_by=loop.person("dispatcher"),
        notified_at=timezone.now(),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows([orphan])
    assert not Assignment.objects.filter(case=case).exists()
