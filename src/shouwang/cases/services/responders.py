"""What an assignee does from the phone: accept, arrive (position checked against the case),
feed back, resolve, or return the case as not theirs; and report where they are, for the
dispatcher's nearest-responder suggestions."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shouwang.cases import clock
from shouwang.cases.models import Assignment, AssignmentState, Case, ResponderStatus, TimelineKind
from shouwang.cases.models.work import OPEN_ASSIGNMENT_STATES
from shouwang.cases.services.dispatch import assignments_stand_down
from shouwang.cases.services.step import case_step
from shouwang.cases.states import CaseAction
from shouwang.core.errors import InvalidInput
from shouwang.core.geo.coords import distance_m, gcj02_to_wgs84
from shouwang.core.models import User
from shouwang.notify.services import notifications_acknowledge_for

A = AssignmentState


def arrive_radius_m() -> float:
    return float(settings.SHOUWANG_ARRIVE_RADIUS_M)


def _wgs84(lat: float, lng: float, coord_system: str) -> tuple[float, float]:
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise InvalidInput(_("坐标超出范围。"), extra={"field": "lat"})
    if coord_system == "gcj02":
        w_lng, w_lat = gcj02_to_wgs84(lng, lat)
        return w_lat, w_lng
    if coord_system != "wgs84":
        raise InvalidInput(_("坐标系只能是 wgs84 或 gcj02。"), extra={"field": "coord_system"})
    return lat, lng


def _required_text(value: str, field: str) -> str:
    text = value.strip()
    if not text:
        raise InvalidInput(_("请填写说明。"), extra={"field": field})
    return text


@transaction.atomic
def assignment_accept(*, actor: User, case: Case) -> Assignment:
    """The assignee takes the task (接单). A unit's task is taken by the first member who
    accepts it. The case is accepted with its first acceptance."""
    with case_step(case, actor=actor, action=CaseAction.ACCEPT) as step:
        assignment, case = step.assignment, step.case
        assignment.state, assignment.accepted_at, assignment.person = A.ACCEPTED, step.now, actor
        assignment.save(update_fields=["state", "accepted_at", "person"])
        step.move("accepted_at")
        case.accepted_at = case.accepted_at or step.now
        step.record(
            TimelineKind.ACCEPTED,
            data={"assignment": assignment.pk},
            public=step.from_state != step.target,
        )
        # Taking the task answers its dispatch notification: no reminder should follow.
        notifications_acknowledge_for(person=actor, subject=case)
    return assignment


@transaction.atomic
def assignment_arrive(
    *, actor: User, case: Case, lat: float, lng: float, coord_system: str = "wgs84"
) -> Assignment:
    """The assignee reports arrival with the phone's position. The distance to the case is
    recorded and whether it lies within SHOUWANG_ARRIVE_RADIUS_M; an arrival outside is kept
    as such, not refused (GPS drifts, the caller's pin may be off), and shows on review."""
    with case_step(case, actor=actor, action=CaseAction.ARRIVE) as step:
        assignment, case = step.assignment, step.case
        lat, lng = _wgs84(lat, lng, coord_system)
        distance = (
            distance_m(case.lng, case.lat, lng, lat)
            if case.lat is not None and case.lng is not None
            else None
        )
        assignment.state, assignment.arrived_at = A.ARRIVED, step.now
        assignment.arrival_lat, assignment.arrival_lng = lat, lng
        assignment.distance_m = round(distance, 1) if distance is not None else None
        assignment.within_radius = distance <= arrive_radius_m() if distance is not None else None
        assignment.save(
            update_fields=[
                "state",
                "arrived_at",
                "arrival_lat",
                "arrival_lng",
                "distance_m",
                "within_radius",
            ]
        )
        step.move("arrived_at")
        case.arrived_at = case.arrived_at or step.now
        step.record(
            TimelineKind.ARRIVED,
            data={
                "assignment": assignment.pk,
                "distance_m": assignment.distance_m,
                "within_radius": assignment.within_radius,
                "radius_m": arrive_radius_m(),
            },
            public=step.from_state != step.target,
        )
    return assignment


@transaction.atomic
def assignment_feedback(*, actor: User, case: Case, note: str) -> Assignment:
    """A progress report from the scene (处警反馈) without closing the task; the first one of a
    case meets its feedback deadline."""
    with case_step(case, actor=actor, action=CaseAction.FEEDBACK) as step:
        text = _required_text(note, "note")
        step.case.feedback_at = step.case.feedback_at or step.now
        step.change("feedback_at")
        step.record(
            TimelineKind.FEEDBACK,
            data={"assignment": step.assignment.pk, "note": text},
            public=False,
            transition=False,
        )
    return step.assignment


@transaction.atomic
def assignment_resolve(*, actor: User, case: Case, note: str) -> Assignment:
    """The assignee reports the matter handled (处置完毕), with what was done; photos go up as
    attachments. Where the SLA wants someone on scene, someone must have arrived first
    (rules/actions.py). Other open assignments end with it: resolved for those who were there,
    stood down for the rest."""
    with case_step(case, actor=actor, action=CaseAction.RESOLVE) as step:
        assignment, case = step.assignment, step.case
        text = _required_text(note, "note")
        assignment.state, assignment.resolved_at, assignment.note = A.RESOLVED, step.now, text
        assignment.save(update_fields=["state", "resolved_at", "note"])
        others = assignments_stand_down(case=case, keep=assignment, arrived_resolve=True)
        step.move("resolved_at", "feedback_at")
        case.resolved_at = step.now
        case.feedback_at = case.feedback_at or step.now
        step.record(
            TimelineKind.RESOLVED,
            data={"assignment": assignment.pk, "note": text, "stood_down": [a.pk for a in others]},
            stood_down=others,
        )
    return assignment


@transaction.atomic
def assignment_return(*, actor: User, case: Case, reason: str) -> Assignment:
    """Returns the task as not ours (退回), with a reason. When no other assignee is still on
    it, the case goes back to the dispatchers' queue as returned."""
    with case_step(case, actor=actor, action=CaseAction.RETURN) as step:
        assignment, case = step.assignment, step.case
        text = _required_text(reason, "reason")
        assignment.state, assignment.returned_at, assignment.return_reason = (
            A.RETURNED,
            step.now,
            text,
        )
        assignment.save(update_fields=["state", "returned_at", "return_reason"])
        still_open = Assignment.objects.filter(
            case=case, round=case.round, state__in=OPEN_ASSIGNMENT_STATES
        ).exists()
        if still_open:
            step.change("state")
        else:
            step.move()
        step.record(
            TimelineKind.RETURNED,
            data={"assignment": assignment.pk, "reason": text},
            public=False,
        )
    return assignment


@transaction.atomic
def responder_position_report(
    *,
    actor: User,
    lat: float,
    lng: float,
    coord_system: str = "wgs84",
    available: bool | None = None,
    on_duty: bool | None = None,
) -> ResponderStatus:
    """The phone's latest position (and, when given, availability). One row per person,
    overwritten: the track itself is sensitive (PIPL) and not kept here."""
    lat, lng = _wgs84(lat, lng, coord_system)
    status, _created = ResponderStatus.objects.select_for_update().get_or_create(
        person=actor, defaults={"lat": lat, "lng": lng, "reported_at": clock.now()}
    )
    status.lat, status.lng, status.reported_at = lat, lng, clock.now()
    if available is not None:
        status.available = available
    if on_duty is not None:
        status.on_duty = on_duty
    status.full_clean(exclude=["person"])
    status.save()
    return status
