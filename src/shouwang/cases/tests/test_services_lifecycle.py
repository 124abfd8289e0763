"""Verification, closure, callback, reopening, cancelling — and moving cases elsewhere:
transfer, non-police diversion, escalation, merging duplicates."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from shouwang.cases import services
from shouwang.cases.models import (
    AssignmentState,
    CallbackResult,
    TimelineEvent,
    TimelineKind,
)
from shouwang.cases.services.citizen import citizen_callback_record
from shouwang.cases.states import CaseState
from shouwang.cases.tests.factories import (
    Loop,
    category,
    closed,
    dispatched,
    fresh,
    make_case,
    resolved,
)
from shouwang.core.errors import Conflict, IllegalTransition, InvalidInput, PermissionDeniedError
from shouwang.notify.groups import person_group, unit_group
from shouwang.notify.models import OutboxMessage
from shouwang.testing.api import ApiClient

pytestmark = pytest.mark.django_db


def test_a_rejected_resolution_is_dispatched_again_to_the_same_assignees(loop: Loop) -> None:
    case = resolved(loop)
    responder = loop.person("responder")
    case = services.case_reject(actor=loop.person("leader"), case=case, reason="照片不清楚")
    assert case.state == CaseState.DISPATCHED
    assert case.round == 2
    assert case.resolved_at is None
    again = case.assignments.get(round=2)
    assert again.person == responder and again.state == AssignmentState.NOTIFIED
    event = case.timeline.get(kind=TimelineKind.VERIFICATION_REJECTED)
    assert event.data["reason"] == "照片不清楚"
    assert OutboxMessage.objects.filter(
        recipient=person_group(responder.pk), payload__event__id=event.pk, requires_ack=True
    ).exists()
    # The same people go round again: accept, arrive, resolve.
    services.assignment_accept(actor=responder, case=case)
    assert fresh(case).state == CaseState.ACCEPTED


def test_rejection_needs_a_reason(loop: Loop) -> None:
    with pytest.raises(InvalidInput):
        services.case_reject(actor=loop.person("leader"), case=resolved(loop), reason="")


def test_a_leader_of_another_town_cannot_verify(loop: Loop) -> None:
    from shouwang.core.errors import NotFound

    with pytest.raises(NotFound):
        services.case_verify(actor=loop.person("leader", "b"), case=resolved(loop))


def test_the_city_admin_verifies_anywhere(loop: Loop) -> None:
    case = services.case_verify(actor=loop.city.admin, case=resolved(loop))
    assert case.state == CaseState.VERIFIED


def test_an_unsatisfied_callback_reopens_the_case(loop: Loop) -> None:
    case = closed(loop)
    first_arrival = case.arrived_at
    callback = services.callback_record(
        actor=loop.person("leader"), case=case, result=CallbackResult.UNSATISFIED, note="没解决"
    )
    case = fresh(case)
    assert callback.result == CallbackResult.UNSATISFIED
    assert case.state == CaseState.RECEIVED
    assert case.reopened_count == 1 and case.round == 2
    assert case.closed_at is None and case.verified_at is None and case.resolved_at is None
    assert case.arrived_at == first_arrival  # first-round figures stay as they were
    kinds = list(case.timeline.values_list("kind", flat=True))
    assert kinds[-2:] == [TimelineKind.CALLBACK, TimelineKind.REOPENED]


def test_a_satisfied_callback_leaves_the_case_closed(loop: Loop) -> None:
    case = closed(loop)
    services.callback_record(actor=loop.person("leader"), case=case, result="satisfied")
    services.callback_record(actor=loop.person("leader"), case=case, result="unreachable")
    case = fresh(case)
    assert case.state == CaseState.CLOSED
    assert case.callbacks.count() == 2


def test_only_a_leader_records_the_callback(loop: Loop) -> None:
    with pytest.raises(PermissionDeniedError):
        services.callback_record(
            actor=loop.person("dispatcher"), case=closed(loop), result="satisfied"
        )


def test_cancelling_stands_down_everyone_assigned(loop: Loop) -> None:
    case = dispatched(loop)
    responder = loop.person("responder")
    case = services.case_cancel(actor=loop.person("dispatcher"), case=case, reason="报警人称误报")
    assert case.state == CaseState.CANCELLED
    assert case.assignments.get().state == AssignmentState.CANCELLED
    event = case.timeline.get(kind=TimelineKind.CANCELLED)
    assert OutboxMessage.objects.filter(
        recipient=person_group(responder.pk), payload__event__id=event.pk
    ).exists()
    assert case.next_deadline_at is None


# --- moving a case elsewhere --------------------------------------------------------------------


def test_a_non_police_matter_is_diverted_to_the_town_command_and_counted(loop: Loop) -> None:
    case = make_case(loop, code="noise", description="隔壁装修噪音")
    case = services.case_divert(actor=loop.person("dispatcher"), case=case)
    assert case.state == CaseState.TRANSFERRED
    assert case.diverted and case.diverted_at is not None
    assert case.diverted_to == loop.town_command["a"]
    assert case.responsible_unit == loop.town_command["a"]
    assert OutboxMessage.objects.filter(recipient=unit_group("TC-A")).exists()


def test_diversion_straight_on_to_a_department_dispatches_it_in_the_same_action(
    loop: Loop,
) -> None:
    case = make_case(loop, code="street_vending", description="流动摊贩占道")
    case = services.case_divert(actor=loop.person("dispatcher"), case=case, unit=loop.department)
    assert case.state == CaseState.DISPATCHED
    assert case.diverted_to == loop.town_command["a"]
    assert case.assignments.get().unit == loop.department
    kinds = list(case.timeline.values_list("kind", flat=True))
    assert kinds[1:3] == [TimelineKind.DIVERTED, TimelineKind.DISPATCHED]


def test_a_police_matter_cannot_be_diverted_unless_reclassified(loop: Loop) -> None:
    case = make_case(loop)
    with pytest.raises(InvalidInput):
        services.case_divert(actor=loop.person("dispatcher"), case=case)
    case = services.case_divert(
        actor=loop.person("dispatcher"), case=case, category=category("neighbour_dispute")
    )
    assert case.category.code == "neighbour_dispute"
    assert case.diverted


def test_a_case_diverted_twice_is_counted_once(loop: Loop) -> None:
    case = make_case(loop, code="noise", description="噪音")
    case = services.case_divert(actor=loop.person("dispatcher"), case=case)
    first = case.diverted_at
    case = services.case_divert(actor=loop.person("dispatcher"), case=case, unit=loop.department)
    assert case.diverted_at == first


def test_a_transferred_case_is_seen_by_the_receiving_unit(loop: Loop) -> None:
    case = make_case(loop)
    case = services.case_transfer(
        actor=loop.person("dispatcher"), case=case, unit=loop.city.b.station, reason="案发在北苑"
    )
    assert case.responsible_unit == loop.city.b.station
    client = ApiClient(loop.person("dispatcher", "b").username)  # a member of PS-002
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 200
    response = client.post(f"/api/v1/cases/{case.pk}/dispatch", {"people": ["responder_2"]})
    assert response.status_code == 200


def test_escalation_hands_the_case_to_the_city_command_centre_once(loop: Loop) -> None:
    case = dispatched(loop)
    case = services.case_escalate(actor=loop.person("dispatcher"), case=case, reason="涉众")
    assert case.state == CaseState.ESCALATED
    assert case.responsible_unit == loop.command_centre
    assert case.escalation_level == 1
    assert case.assignments.get().state == AssignmentState.CANCELLED
    with pytest.raises(IllegalTransition):
        services.case_escalate(actor=loop.person("dispatcher"), case=case)


def test_a_case_owned_by_a_city_unit_cannot_go_higher(loop: Loop) -> None:
    case = services.case_transfer(
        actor=loop.person("dispatcher"), case=make_case(loop), unit=loop.department
    )
    with pytest.raises(Conflict):
        services.case_escalate(actor=loop.person("dispatcher"), case=case)


def test_a_merged_duplicate_keeps_its_timeline_and_the_survivor_notes_it(loop: Loop) -> None:
    survivor = dispatched(loop)
    duplicate = make_case(loop, description="又一个人报警说商铺门口打架")
    services.case_merge(actor=loop.person("dispatcher"), case=duplicate, into=survivor)
    duplicate, survivor = fresh(duplicate), fresh(survivor)
    assert duplicate.state == CaseState.MERGED
    assert duplicate.merged_into == survivor
    assert list(duplicate.timeline.values_list("kind", flat=True)) == [
        TimelineKind.RECEIVED,
        TimelineKind.MERGED,
    ]
    note = survivor.timeline.get(kind=TimelineKind.DUPLICATE_MERGED)
    assert note.data["duplicate"] == duplicate.pk
    assert survivor.state == CaseState.DISPATCHED  # the survivor goes on as it was


def test_merging_into_itself_or_into_a_merged_case_is_refused(loop: Loop) -> None:
    case, other, third = make_case(loop), make_case(loop), make_case(loop)
    with pytest.raises(InvalidInput):
        services.case_merge(actor=loop.person("dispatcher"), case=case, into=case)
    services.case_merge(actor=loop.person("dispatcher"), case=other, into=third)
    with pytest.raises(IllegalTransition):
        services.case_merge(actor=loop.person("dispatcher"), case=case, into=fresh(other))


def test_merging_into_another_towns_case_is_refused(loop: Loop) -> None:
    with pytest.raises(InvalidInput):
        services.case_merge(
            actor=loop.person("dispatcher"), case=make_case(loop), into=make_case(loop, town="b")
        )


def test_the_timeline_is_append_only_in_the_database(loop: Loop) -> None:
    event = TimelineEvent.objects.filter(case=make_case(loop)).get()
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        TimelineEvent.objects.filter(pk=event.pk).update(kind="closed")
    assert TimelineEvent.objects.get(pk=event.pk).kind == TimelineKind.RECEIVED


def test_a_timeline_event_within_the_retention_period_cannot_be_deleted(loop: Loop) -> None:
    event = TimelineEvent.objects.filter(case=make_case(loop)).get()
    delete = f"DELETE FROM {TimelineEvent._meta.db_table} WHERE id = %s"  # noqa: S608
    with (
        pytest.raises((DatabaseError, IntegrityError)),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(delete, [event.pk])
    assert TimelineEvent.objects.filter(pk=event.pk).exists()


def test_a_closure_is_rated_once_whether_the_citizen_or_a_leader_rates_first(loop: Loop) -> None:
    leader = loop.person("leader")
    by_leader_first, by_citizen_first = closed(loop), closed(loop)
    services.callback_record(actor=leader, case=by_leader_first, result="satisfied")
    with pytest.raises(Conflict):
        citizen_callback_record(receipt_code=by_leader_first.receipt_code, result="satisfied")
    citizen_callback_record(receipt_code=by_citizen_first.receipt_code, result="satisfied")
    with pytest.raises(Conflict):
        services.callback_record(actor=leader, case=fresh(by_citizen_first), result="satisfied")
    # A call that reached nobody is not a rating: the citizen may still rate.
    unreached = closed(loop)
    services.callback_record(actor=leader, case=unreached, result="unreachable")
    citizen_callback_record(receipt_code=unreached.receipt_code, result="satisfied")
    assert fresh(unreached).callbacks.count() == 2
