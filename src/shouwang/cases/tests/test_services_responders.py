"""What an assignee does from the phone: accept, arrive (checked against the case's place),
feed back, resolve, return as not ours."""

import pytest

from shouwang.cases import services
from shouwang.cases.models import AssignmentState, TimelineKind
from shouwang.cases.states import CaseState
from shouwang.cases.tests.factories import (
    POINT,
    Loop,
    accepted,
    another_responder,
    dispatched,
    fresh,
    make_case,
    on_scene,
)
from shouwang.core.errors import InvalidInput, PermissionDeniedError

pytestmark = pytest.mark.django_db
LAT, LNG = POINT["a"]


def test_arrival_within_the_radius_is_recorded_as_such(loop: Loop) -> None:
    case = accepted(loop)
    assignment = services.assignment_arrive(
        actor=loop.person("responder"), case=case, lat=LAT + 0.001, lng=LNG
    )
    assert assignment.within_radius is True
    assert assignment.distance_m == pytest.approx(111, abs=2)
    assert fresh(case).state == CaseState.ON_SCENE


def test_arrival_outside_the_radius_is_recorded_not_refused(loop: Loop) -> None:
    case = accepted(loop)
    assignment = services.assignment_arrive(
        actor=loop.person("responder"), case=case, lat=LAT + 0.01, lng=LNG
    )
    assert assignment.within_radius is False
    assert assignment.distance_m == pytest.approx(1112, abs=5)
    case = fresh(case)
    assert case.state == CaseState.ON_SCENE
    event = case.timeline.get(kind=TimelineKind.ARRIVED)
    assert event.data["within_radius"] is False


def test_the_arrival_radius_is_configurable(loop: Loop, settings) -> None:
    settings.SHOUWANG_ARRIVE_RADIUS_M = 50
    case = accepted(loop)
    assignment = services.assignment_arrive(
        actor=loop.person("responder"), case=case, lat=LAT + 0.001, lng=LNG
    )
    assert assignment.within_radius is False


def test_someone_not_assigned_cannot_accept(loop: Loop) -> None:
    case = dispatched(loop)
    with pytest.raises(PermissionDeniedError):
        services.assignment_accept(actor=another_responder(loop), case=case)


def test_feedback_is_stamped_once(loop: Loop) -> None:
    case = accepted(loop)
    services.assignment_feedback(actor=loop.person("responder"), case=case, note="正在赶往现场")
    first = fresh(case).feedback_at
    services.assignment_feedback(actor=loop.person("responder"), case=case, note="已到场")
    assert fresh(case).feedback_at == first
    assert fresh(case).timeline.filter(kind=TimelineKind.FEEDBACK).count() == 2


def test_resolving_needs_a_note(loop: Loop) -> None:
    with pytest.raises(InvalidInput):
        services.assignment_resolve(actor=loop.person("responder"), case=on_scene(loop), note=" ")


def test_resolving_ends_the_other_assignments(loop: Loop) -> None:
    case = on_scene(loop)
    helper, late = another_responder(loop), another_responder(loop, username="late_one")
    case = services.case_dispatch(actor=loop.person("dispatcher"), case=case, people=[helper, late])
    services.assignment_accept(actor=helper, case=case)
    services.assignment_arrive(actor=helper, case=fresh(case), lat=LAT, lng=LNG)
    services.assignment_resolve(actor=loop.person("responder"), case=fresh(case), note="已处理")
    states = dict(fresh(case).assignments.values_list("person__username", "state"))
    assert states == {
        "responder_1": AssignmentState.RESOLVED,
        helper.username: AssignmentState.RESOLVED,  # was there and helped
        late.username: AssignmentState.CANCELLED,  # stood down
    }
    assert fresh(case).resolved_at is not None


def test_the_last_assignee_returning_puts_the_case_back_in_the_queue(loop: Loop) -> None:
    case = dispatched(loop)
    services.assignment_return(actor=loop.person("responder"), case=case, reason="不属于本所")
    case = fresh(case)
    assert case.state == CaseState.RETURNED
    assert case.assignments.get().return_reason == "不属于本所"


def test_a_return_while_others_work_it_keeps_the_case_with_them(loop: Loop) -> None:
    helper = another_responder(loop)
    case = services.case_dispatch(
        actor=loop.person("dispatcher"),
        case=dispatched(loop),
        people=[helper],
    )
    services.assignment_return(actor=loop.person("responder"), case=case, reason="另有警情")
    assert fresh(case).state == CaseState.DISPATCHED


def test_returning_needs_a_reason(loop: Loop) -> None:
    with pytest.raises(InvalidInput):
        services.assignment_return(actor=loop.person("responder"), case=dispatched(loop), reason="")


def test_accepting_acknowledges_the_dispatch_notification_and_no_one_elses(loop: Loop) -> None:
    from shouwang.notify.models import OutboxMessage

    second = another_responder(loop)
    case = make_case(loop)
    services.case_dispatch(
        actor=loop.person("dispatcher"), case=case, people=[loop.person("responder"), second]
    )
    owed = OutboxMessage.objects.filter(subject_id=str(case.pk), requires_ack=True)
    assert owed.filter(person=loop.person("responder"), acked_at__isnull=True).exists()

    services.assignment_accept(actor=loop.person("responder"), case=fresh(case))

    assert not owed.filter(person=loop.person("responder"), acked_at__isnull=True).exists()
    assert owed.filter(person=second, acked_at__isnull=True).exists()
