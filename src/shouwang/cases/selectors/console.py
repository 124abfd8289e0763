"""Reads for the command room's screens: the case room's frames, the dispatcher console's live
list and map, a case's assignees with their acknowledgements, and the big screen's figures.
Every function takes the acting user and sees only what cases.selectors.cases lets them see."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shouwang.cases.models import (
    Assignment,
    Attachment,
    Case,
    ResponderStatus,
    Step,
    TimelineEvent,
    TimelineKind,
)
from shouwang.cases.models.work import OPEN_ASSIGNMENT_STATES
from shouwang.cases.rules.room import ROOM_MESSAGE_KIND, is_room_member
from shouwang.cases.rules.sla import SHANGHAI, pending_steps
from shouwang.cases.selectors.cases import cases_list, timeline_since, visible_cases
from shouwang.cases.states import FINISHED_STATES, OPEN_STATES, QUEUE_STATES, CaseState
from shouwang.core.errors import InvalidInput, NotFound, PermissionDeniedError
from shouwang.core.models import JurisdictionNode, NodeLevel, Role, Unit, User
from shouwang.core.selectors import node_lineage, node_roots, scope_q
from shouwang.notify.groups import person_group, unit_group
from shouwang.notify.models import OutboxMessage

# Who works the console and the big screen: the people of the command room.
CONSOLE_ROLES = frozenset({Role.DISPATCHER, Role.LEADER, Role.ADMIN})
ROOM_MESSAGE_LABEL = _("处置群消息")
ARRIVAL_TARGET = timedelta(minutes=8)  # seed 003: the 8-minute arrival rate


def console_allowed(user: User) -> bool:
    return user.is_active and (user.is_superuser or user.role in CONSOLE_ROLES)


def console_check(user: User) -> None:
    if not console_allowed(user):
        raise PermissionDeniedError(_("只有指挥中心值班员、领导和管理员可以使用指挥台。"))


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


# --- the live case list -----------------------------------------------------------------------

STATE_GROUPS: dict[str, tuple[Any, frozenset[str] | None]] = {
    "open": (_("在办"), frozenset(OPEN_STATES)),
    "queue": (_("待派"), frozenset(QUEUE_STATES)),
    "review": (_("待核查/结案"), frozenset({CaseState.RESOLVED, CaseState.VERIFIED})),
    "finished": (_("已结束"), frozenset(FINISHED_STATES)),
    "all": (_("全部"), None),
}
LIST_LIMIT = 200


@dataclass(frozen=True)
class ConsoleFilters:
    states: str = "open"  # a key of STATE_GROUPS, or one CaseState value
    category: str = ""
    priority: int | None = None
    search: str = ""

    @classmethod
    def from_query(cls, query: Any) -> "ConsoleFilters":
        priority = query.get("priority", "")
        return cls(
            states=query.get("states", "open") or "open",
            category=query.get("category", "").strip(),
            priority=int(priority) if priority.isdigit() else None,
            search=query.get("q", "").strip(),
        )

    def state_list(self) -> list[str] | None:
        if self.states in CaseState.values:
            return [self.states]
        group = STATE_GROUPS.get(self.states, STATE_GROUPS["open"])[1]
        return sorted(group) if group is not None else None


@dataclass(frozen=True)
class StepTimer:
    """The clock of the step a case owes next: its deadline and when it started running, so
    the screen can colour it by the share used (amber from 75%, red when overdue)."""

    step: Step
    started_at: datetime
    deadline: datetime

    @property
    def label(self) -> str:
        return str(Step(self.step).label)

    def fraction(self, now: datetime) -> float:
        whole = (self.deadline - self.started_at).total_seconds()
        return (now - self.started_at).total_seconds() / whole if whole > 0 else 1.0


def case_timer(case: Case) -> StepTimer | None:
    pending = pending_steps(case)
    if not pending:
        return None
    step = min(pending, key=lambda p: p.deadline)
    return StepTimer(Step(step.step), step.deadline - step.allowance, step.deadline)


def _with_timers(cases: QuerySet[Case] | list[Case]) -> list[Case]:
    rows = list(cases)
    for case in rows:
        case.timer = case_timer(case)  # type: ignore[attr-defined]
    return rows


def console_cases(*, user: User, filters: ConsoleFilters, limit: int = LIST_LIMIT) -> list[Case]:
    """The console's list, newest first, each case with its step timer."""
    console_check(user)
    cases = cases_list(
        user=user,
        state=filters.state_list(),
        category=filters.category or None,
        priority=filters.priority,
        search=filters.search or None,
    )
    return _with_timers(cases[:limit])


def console_rows(*, user: User, filters: ConsoleFilters, ids: list[int]) -> list[Case]:
    """Of the cases `ids` (just changed), those the list under `filters` shows, newest first:
    the console replaces these rows and drops the others."""
    console_check(user)
    cases = cases_list(
        user=user,
        state=filters.state_list(),
        category=filters.category or None,
        priority=filters.priority,
        search=filters.search or None,
    ).filter(pk__in=ids[:LIST_LIMIT])
    return _with_timers(cases)


# --- the map ----------------------------------------------------------------------------------

MAP_CASE_LIMIT = 500
MAP_GRID_LIMIT = 3000  # beyond, grids are left out and only the areas are drawn


def console_top_node(user: User) -> JurisdictionNode | None:
    return node_roots(user=user).first()


def _feature(node: JurisdictionNode) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"code": node.code, "name": node.name, "level": node.level},
        "geometry": node.boundary,
    }


def console_map(*, user: User) -> dict[str, Any]:
    """What the console map draws: the areas below the top of the user's jurisdiction (filled),
    its grids (outlined), open and recent cases as points, and responders' live positions."""
    console_check(user)
    top = console_top_node(user)
    if top is None:
        return {"node": None, "areas": _collection([]), "grids": _collection([]), "cases": []}
    nodes = JurisdictionNode.objects.filter(scope_q(user, via=""), boundary__isnull=False)
    areas = list(nodes.filter(parent=top).only("code", "name", "level", "boundary"))
    if not areas:
        areas = [top]
    grids = nodes.filter(path__startswith=top.path, level=NodeLevel.GRID)
    grid_list = list(grids.only("code", "name", "level", "boundary")[: MAP_GRID_LIMIT + 1])
    return {
        "node": {"code": top.code, "name": top.name},
        "areas": _collection([_feature(n) for n in areas]),
        "grids": _collection(
            [_feature(n) for n in grid_list] if len(grid_list) <= MAP_GRID_LIMIT else []
        ),
        "cases": map_cases(user=user),
        "responders": map_responders(user=user),
    }


def _collection(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": features}


def map_cases(*, user: User) -> list[dict[str, Any]]:
    """Open cases with a position, and those finished in the last day."""
    since = timezone.now() - timedelta(days=1)
    recent = Q(state__in=OPEN_STATES) | Q(updated_at__gte=since)
    cases = (
        visible_cases(user)
        .filter(recent, lat__isnull=False)
        .select_related("category")
        .order_by("-received_at")[:MAP_CASE_LIMIT]
    )
    return [
        {
            "id": c.pk,
            "number": c.number,
            "state": c.state,
            "state_label": state_label(c.state),
            "category": c.category.label,
            "priority": c.priority,
            "lat": c.lat,
            "lng": c.lng,
            "url": reverse("console-case", args=[c.pk]),
        }
        for c in cases
    ]


def map_responders(*, user: User) -> list[dict[str, Any]]:
    """Responders and first responders on duty in the user's jurisdiction with a position
    reported in the last hour. Positions are personal data: command-room roles only."""
    console_check(user)
    since = timezone.now() - timedelta(hours=1)
    statuses = (
        ResponderStatus.objects.filter(
            scope_q(user, via="person__node"),
            person__role__in=(Role.RESPONDER, Role.FIRST_RESPONDER),
            person__is_active=True,
            on_duty=True,
            reported_at__gte=since,
        )
        .select_related("person")
        .order_by("person__username")
    )
    return [{**position_json(s), "available": s.available, "role": s.person.role} for s in statuses]


# --- one case ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssigneeRow:
    assignment: Assignment
    requires_ack: bool
    acked_at: datetime | None
    ack_deadline: datetime | None

    @property
    def ack_overdue(self) -> bool:
        return (
            self.requires_ack
            and self.acked_at is None
            and self.ack_deadline is not None
            and self.ack_deadline < timezone.now()
        )


def case_assignees(*, case: Case) -> list[AssigneeRow]:
    """The case's assignments (from `case_get`, already scoped), newest round first, each with
    the acknowledgement of the notification that called them (notify's OutboxMessage.acked_at).
    Unit notifications cannot be acknowledged by a person; their members accept instead."""
    assignments = sorted(case.assignments.all(), key=lambda a: (-a.round, a.pk))
    messages = list(
        OutboxMessage.objects.filter(
            subject_type=Case._meta.label,
            subject_id=str(case.pk),
            requires_ack=True,
            renotify_of__isnull=True,
        ).order_by("created_at", "id")
    )
    rows = []
    for assignment in assignments:
        recipient = (
            person_group(assignment.person_id)
            if assignment.person_id
            else unit_group(assignment.unit.code)
            if assignment.unit
            else ""
        )
        message = next(
            (
                m
                for m in messages
                if m.recipient == recipient
                and m.created_at >= assignment.notified_at - timedelta(seconds=1)
            ),
            None,
        )
        rows.append(
            AssigneeRow(
                assignment=assignment,
                requires_ack=message is not None and assignment.person_id is not None,
                acked_at=message.acked_at if message else None,
                ack_deadline=message.ack_deadline if message else None,
            )
        )
    return rows


def case_by_reference(*, user: User, reference: str, field: str) -> Case:
    """A case named by the dispatcher by number (SW…) or id, in their view; InvalidInput
    otherwise (the request's own case was found, this one is bad input)."""
    text = reference.strip().lstrip("#")
    cases = visible_cases(user).select_related("node")
    found = (
        cases.filter(pk=int(text)).first()
        if text.isdigit()
        else cases.filter(number__iexact=text).first()
        if text
        else None
    )
    if found is None:
        raise InvalidInput(_("目标事件不存在或不在您的辖区内。"), extra={"field": field})
    return found


def transfer_units(*, user: User, case: Case) -> list[Unit]:
    """Units a case may be transferred or diverted to: those of the user's jurisdiction and
    those sitting at the case's higher levels (the city's command centre and departments)."""
    lineage = [n.pk for n in node_lineage(node=case.node)]
    return list(
        Unit.objects.filter(scope_q(user, via="node") | Q(node_id__in=lineage), is_active=True)
        .select_related("node")
        .order_by("node__path", "kind", "code")
    )


# --- the big screen ---------------------------------------------------------------------------


def _today_start() -> datetime:
    now = timezone.now().astimezone(SHANGHAI)
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


def screen_figures(*, user: User) -> dict[str, Any]:
    """Counts by state of the open cases, and today's (Asia/Shanghai) received, dispatched,
    arrived within 8 minutes and closed: two aggregate queries."""
    console_check(user)
    cases = visible_cases(user).exclude(state=CaseState.MERGED)
    by_state = {
        row["state"]: row["n"]
        for row in cases.filter(state__in=OPEN_STATES | {CaseState.RESOLVED, CaseState.VERIFIED})
        .values("state")
        .annotate(n=Count("pk"))
        .order_by()
    }
    start = _today_start()
    today = cases.aggregate(
        received=Count("pk", filter=Q(received_at__gte=start)),
        dispatched=Count("pk", filter=Q(dispatched_at__gte=start)),
        arrived_within_8=Count(
            "pk",
            filter=Q(
                received_at__gte=start,
                arrived_at__isnull=False,
                arrived_at__lte=F("received_at") + ARRIVAL_TARGET,
            ),
        ),
        arrived=Count("pk", filter=Q(received_at__gte=start, arrived_at__isnull=False)),
        closed=Count("pk", filter=Q(closed_at__gte=start)),
    )
    states = [
        CaseState.RECEIVED,
        CaseState.DISPATCHED,
        CaseState.ACCEPTED,
        CaseState.ON_SCENE,
        CaseState.RESOLVED,
        CaseState.RETURNED,
        CaseState.TRANSFERRED,
        CaseState.ESCALATED,
    ]
    return {
        "by_state": [(s.value, s.label, by_state.get(s.value, 0)) for s in states],
        "open_total": sum(by_state.get(s, 0) for s in OPEN_STATES),
        "today": today,
        "arrival_rate": round(today["arrived_within_8"] / today["arrived"], 3)
        if today["arrived"]
        else None,
    }


def screen_newest(*, user: User, limit: int = 12) -> list[Case]:
    console_check(user)
    return _with_timers(
        visible_cases(user)
        .exclude(state=CaseState.MERGED)
        .select_related("category", "node")
        .order_by("-received_at", "-id")[:limit]
    )
