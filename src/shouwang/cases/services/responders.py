"""What an assignee does from the phone: accept, arrive (position checked against the case),
feed back, resolve, or return the case as not theirs; and report where they are, for the
dispatcher's nearest-responder suggestions."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shouwang.cases import clock
from shouwang.cases.models import Assignment, AssignmentState, Case, ResponderStatus, TimelineKind
from shouwang.cases.models.work import OPEN_ASSIGNMENT_STATES
from shouwang.cases.services.access import actor_assignment, require_visible
from shouwang.cases.services.dispatch import assignments_stand_down, people_and_units
from shouwang.cases.services.locking import lock_case, save_case
from shouwang.cases.services.notifications import announce
from shouwang.cases.services.sla import needs_arrival, refresh_next_deadline
from shouwang.cases.services.timeline import timeline_add
from shouwang.cases.states import CaseAction, CaseState, transition_target
from shouwang.core.errors import IllegalTransition, InvalidInput
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
    case = lock_case(case)
    require_visible(actor, case)
    target = transition_target(case.state, CaseAction.ACCEPT)
    assignment = actor_assignment(actor, case, states=(A.NOTIFIED,))
    now, from_state = clock.now(), case.state
    assignment.state, assignment.accepted_at, assignment.person = A.ACCEPTED, now, actor
    assignment.save(update_fields=["state", "accepted_at", "person"])
    case.state, case.accepted_at = target, case.accepted_at or now
    refresh_next_deadline(case)
    save_case(case, "state", "accepted_at")
    event = timeline_add(
        case=case,
        kind=TimelineKind.ACCEPTED,
        actor=actor,
        from_state=from_state,
        to_state=target,
        data={"assignment": assignment.pk},
        public=from_state != target,
    )
    announce(case, event)
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
    case = lock_case(case)
    require_visible(actor, case)
    target = transition_target(case.state, CaseAction.ARRIVE)
    assignment = actor_assignment(actor, case, states=(A.ACCEPTED,))
    lat, lng = _wgs84(lat, lng, coord_system)
    now, from_state = clock.now(), case.state
    distance = (
        distance_m(case.lng, case.lat, lng, lat)
        if case.lat is not None and case.lng is not None
        else None
    )
    assignment.state, assignment.arrived_at = A.ARRIVED, now
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
    case.state, case.arrived_at = target, case.arrived_at or now
    refresh_next_deadline(case)
    save_case(case, "state", "arrived_at")
    event = timeline_add(
        case=case,
        kind=TimelineKind.ARRIVED,
        actor=actor,
        from_state=from_state,
        to_state=target,
        data={
            "assignment": assignment.pk,
            "distance_m": assignment.distance_m,
            "within_radius": assignment.within_radius,
            "radius_m": arrive_radius_m(),
        },
        public=from_state != target,
    )
    announce(case, event)
    return assignment


@transaction.atomic
def assignment_feedback(*, actor: User, case: Case, note: str) -> Assignment:
    """A progress report from the scene (处警反馈) without closing the task; the first one of a
    case meets its feedback deadline."""
    case = lock_case(case)
    require_visible(actor, case)
    transition_target(case.state, CaseAction.FEEDBACK)
    assignment = actor_assignment(actor, case, states=(A.ACCEPTED, A.ARRIVED))
    text = _required_text(note, "note")
    case.feedback_at = case.feedback_at or clock.now()
    refresh_next_deadline(case)
    save_case(case, "feedback_at")
    event = timeline_add(
        case=case,
        kind=TimelineKind.FEEDBACK,
        actor=actor,
        data={"assignment": assignment.pk, "note": text},
    )
    announce(case, event)
    return assignment


@transaction.atomic
def assignment_resolve(*, actor: User, case: Case, note: str) -> Assignment:
    """The assignee reports the matter handled (处置完毕), with what was done; photos go up as
    attachments. Where the SLA wants someone on scene, someone must have arrived first. Other
    open assignments end with it: resolved for those who were there, stood down for the
    rest."""
    case = lock_case(case)
    require_visible(actor, case)
    target = transition_target(case.state, CaseAction.RESOLVE)
    if needs_arrival(case) and case.state != CaseState.ON_SCENE:
        raise IllegalTransition(
            _("该事件须有处置人员到场后才能报告处置完毕。"),
            extra={"state": case.state, "action": CaseAction.RESOLVE.value},
        )
    assignment = actor_assignment(actor, case, states=(A.ACCEPTED, A.ARRIVED))
    text = _required_text(note, "note")
    now, from_state = clock.now(), case.state
    assignment.state, assignment.resolved_at, assignment.note = A.RESOLVED, now, text
    assignment.save(update_fields=["state", "resolved_at", "note"])
    others = assignments_stand_down(case=case, keep=assignment, arrived_resolve=True)
    case.state, case.resolved_at = target, now
    case.feedback_at = case.feedback_at or now
    refresh_next_deadline(case)
    save_case(case, "state", "resolved_at", "feedback_at")
    event = timeline_add(
        case=case,
        kind=TimelineKind.RESOLVED,
        actor=actor,
        from_state=from_state,
        to_state=target,
        data={"assignment": assignment.pk, "note": text, "stood_down": [a.pk for a in others]},
        public=True,
    )
    people, units = people_and_units(others)
    announce(case, event, people=people, units=units)
    return assignment


@transaction.atomic
def assignment_return(*, actor: User, case: Case, reason: str) -> Assignment:
    """Returns the task as not ours (退回), with a reason. When no other assignee is still on
    it, the case goes back to the dispatchers' queue as returned."""
    case = lock_case(case)
    require_visible(actor, case)
    target = transition_target(case.state, CaseAction.RETURN)
    assignment = actor_assignment(actor, case, states=(A.NOTIFIED, A.ACCEPTED, A.ARRIVED))
    text = _required_text(reason, "reason")
    now, from_state = clock.now(), case.state
    assignment.state, assignment.returned_at, assignment.return_reason = A.RETURNED, now, text
    assignment.save(update_fields=["state", "returned_at", "return_reason"])
    still_open = Assignment.objects.filter(
        case=case, round=case.round, state__in=OPEN_ASSIGNMENT_STATES
    ).exists()
    if not still_open:
        case.state = target
    refresh_next_deadline(case)
    save_case(case, "state")
    event = timeline_add(
        case=case,
        kind=TimelineKind.RETURNED,
        actor=actor,
        from_state=from_state,
        to_state=case.state,
        data={"assignment": assignment.pk, "reason": text},
    )
    announce(case, event)
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
