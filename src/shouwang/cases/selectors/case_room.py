"""Reads for the case room (处置群): who may join it, its frames (timeline events, positions,
the case) as the room's socket and pages show them."""

from enum import StrEnum
from typing import Any

from django.urls import reverse

from shouwang.cases.models import (
    Assignment,
    Attachment,
    Case,
    ResponderStatus,
    TimelineEvent,
    TimelineKind,
)
from shouwang.cases.models.work import OPEN_ASSIGNMENT_STATES
from shouwang.cases.rules.room import ROOM_MESSAGE_KIND, is_room_member
from shouwang.cases.selectors.cases import timeline_since, visible_cases
from shouwang.cases.selectors.console import ROOM_MESSAGE_LABEL
from shouwang.cases.states import CaseState
from shouwang.core.errors import NotFound
from shouwang.core.models import User

# --- the case room ----------------------------------------------------------------------------


class RoomAccess(StrEnum):
    MEMBER = "member"
    FORBIDDEN = "forbidden"  # may see the case, but is neither its command nor an assignee
    NOT_FOUND = "not_found"  # no such case in the user's view


def room_access(*, user: User, case_id: int) -> RoomAccess:
    case = visible_cases(user).select_related("node").filter(pk=case_id).first()
    if case is None:
        return RoomAccess.NOT_FOUND
    return RoomAccess.MEMBER if is_room_member(user, case) else RoomAccess.FORBIDDEN


def room_case(*, user: User, case_id: int) -> Case:
    """The case a room socket acts on, or NotFound once it left the user's view."""
    case = visible_cases(user).filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


def event_label(kind: str) -> str:
    if kind == ROOM_MESSAGE_KIND:
        return str(ROOM_MESSAGE_LABEL)
    return str(TimelineKind(kind).label) if kind in TimelineKind.values else kind


def state_label(state: str) -> str:
    return str(CaseState(state).label) if state in CaseState.values else state


def event_detail(data: dict[str, Any]) -> str:
    """The words a person attached to a step: a message, a note, a reason."""
    for key in ("text", "note", "reason"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def attachment_url(attachment: Attachment) -> str:
    return reverse("api:download_attachment", args=[attachment.case_id, attachment.pk])


def event_json(event: TimelineEvent, attachments: list[Attachment] | None = None) -> dict[str, Any]:
    """One timeline event as the case room sends it (labels in the active language)."""
    return {
        "id": event.pk,
        "kind": event.kind,
        "label": event_label(event.kind),
        "at": event.at.isoformat(),
        "actor": event.actor.username if event.actor else None,
        "actor_name": event.actor.display_name if event.actor else None,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "to_state_label": state_label(event.to_state) if event.to_state else "",
        "data": event.data,
        "detail": event_detail(event.data),
        "attachments": [
            {
                "id": a.pk,
                "url": attachment_url(a),
                "width": a.width,
                "height": a.height,
                "note": a.note,
            }
            for a in attachments or []
        ],
    }


def room_events(
    *, user: User, case_id: int, after_id: int = 0, limit: int = 200
) -> list[dict[str, Any]]:
    """The case's timeline after event `after_id`, oldest first, with the photos each event
    added. NotFound when the user may not see the case (any more)."""
    events = timeline_since(user=user, case_id=case_id, after_id=after_id, limit=limit)
    photos: dict[int, list[Attachment]] = {}
    with_photos = [e.pk for e in events if e.kind == TimelineKind.ATTACHMENT_ADDED]
    if with_photos:
        for attachment in Attachment.objects.filter(event_id__in=with_photos).order_by("id"):
            assert attachment.event_id is not None
            photos.setdefault(attachment.event_id, []).append(attachment)
    return [event_json(e, photos.get(e.pk)) for e in events]


def position_json(status: ResponderStatus) -> dict[str, Any]:
    return {
        "username": status.person.username,
        "name": status.person.display_name,
        "lat": status.lat,
        "lng": status.lng,
        "at": status.reported_at.isoformat(),
    }


def room_positions(*, user: User, case_id: int) -> list[dict[str, Any]]:
    """The latest positions of the people working the case (open assignments), for a room
    member. Empty for anyone else."""
    case = visible_cases(user).select_related("node").filter(pk=case_id).first()
    if case is None or not is_room_member(user, case):
        return []
    people = Assignment.objects.filter(
        case=case, state__in=OPEN_ASSIGNMENT_STATES, person__isnull=False
    ).values("person_id")
    statuses = ResponderStatus.objects.filter(person_id__in=people).select_related("person")
    return [position_json(s) for s in statuses.order_by("person__username")]


def room_case_json(*, user: User, case_id: int) -> dict[str, Any]:
    case = visible_cases(user).select_related("category").get(pk=case_id)
    return {
        "id": case.pk,
        "number": case.number,
        "state": case.state,
        "state_label": state_label(case.state),
        "category_name": case.category.label,
        "address": case.address,
        "lat": case.lat,
        "lng": case.lng,
    }
