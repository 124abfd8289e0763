"""What the field pages read: a responder's own tasks (the phone page), one task with what the
person on the scene needs, and for the public report page the categories citizens may pick and
the outline of the city to move a pin on. Tasks are the acting person's assignments, their own
or their unit's still untaken; a case they may not see is NotFound (rules/visibility.py)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from shouwang.cases.models import (
    Assignment,
    AssignmentState,
    Attachment,
    Callback,
    CallbackResult,
    Case,
    Category,
    TimelineEvent,
)
from shouwang.cases.models.work import OPEN_ASSIGNMENT_STATES
from shouwang.cases.rules.actions import actions_for, rating_refusal
from shouwang.cases.rules.room import ROOM_MESSAGE_KIND, is_room_member
from shouwang.cases.selectors.case_room import event_label
from shouwang.cases.selectors.cases import caller_visible, case_get
from shouwang.cases.states import CaseState
from shouwang.core.models import JurisdictionNode, NodeLevel, User

FINISHED_ASSIGNMENT_STATES = (
    AssignmentState.RESOLVED,
    AssignmentState.RETURNED,
    AssignmentState.CANCELLED,
)
RECENT_DONE = 10


@dataclass(frozen=True)
class FieldTasks:
    """Open tasks, most urgent first and newest first within a priority; and the person's last
    few finished ones, newest first, so what they just did does not vanish from sight."""

    open: list[Assignment]
    done: list[Assignment]


@dataclass(frozen=True)
class TaskEvent:
    """A timeline line on the phone: a step, a photo, or a message of the case room."""

    id: int
    kind: str
    label: str
    at: datetime
    actor_name: str
    text: str

    @property
    def is_message(self) -> bool:
        return self.kind == ROOM_MESSAGE_KIND


@dataclass(frozen=True)
class FieldTask:
    case: Case
    assignment: Assignment | None  # the person's in the current round; None: not an assignee
    events: list[TaskEvent]
    photos: list[Attachment]
    show_caller: bool
    room_member: bool
    actions: frozenset[str]  # what the person may do now (rules/actions.py), by action value

    @property
    def last_event_id(self) -> int:
        return self.events[-1].id if self.events else 0


def _mine(user: User) -> Q:
    """The person's own assignments, and their unit's that no member has taken yet."""
    mine = Q(person=user)
    if user.unit_id is not None:
        mine |= Q(unit_id=user.unit_id, person__isnull=True)
    return mine


def _one_per_case(rows: list[Assignment], user: User) -> list[Assignment]:
    """A case assigned to the person and to their unit shows once, as the person's own."""
    chosen: dict[int, Assignment] = {}
    for row in rows:
        held = chosen.get(row.case_id)
        if held is None or (row.person_id == user.pk and held.person_id != user.pk):
            chosen[row.case_id] = row
    return [row for row in rows if chosen[row.case_id] is row]


def _tasks_queryset(user: User) -> QuerySet[Assignment]:
    return Assignment.objects.filter(_mine(user)).select_related(
        "case", "case__category", "case__node"
    )


def field_tasks(*, user: User) -> FieldTasks:
    if not user.is_authenticated or not user.is_active:
        return FieldTasks(open=[], done=[])
    open_rows = list(
        _tasks_queryset(user)
        .filter(state__in=OPEN_ASSIGNMENT_STATES)
        .order_by("case__priority", "-notified_at", "-id")
    )
    # An assignment of an earlier round left open would be a task nobody can act on.
    open_rows = [a for a in open_rows if a.round == a.case.round]
    done_rows = list(
        _tasks_queryset(user)
        .filter(person=user, state__in=FINISHED_ASSIGNMENT_STATES)
        .order_by("-id")[:RECENT_DONE]
    )
    return FieldTasks(open=_one_per_case(open_rows, user), done=done_rows)


def field_task(*, user: User, case_id: int) -> FieldTask:
    """One case as the phone page shows it, or NotFound when the person may not see it. A case
    they see but are not assigned to is shown without actions."""
    case = case_get(user=user, case_id=case_id)
    rows = [
        a
        for a in case.assignments.all()
        if a.round == case.round
        and (
            a.person_id == user.pk
            or (user.unit_id is not None and a.unit_id == user.unit_id and a.person_id is None)
        )
    ]
    own = [a for a in rows if a.person_id == user.pk]
    candidates = own or rows
    live = [a for a in candidates if a.state in OPEN_ASSIGNMENT_STATES]
    chosen = live or candidates
    assignment = chosen[-1] if chosen else None
    return FieldTask(
        case=case,
        assignment=assignment,
        events=[_task_event(e) for e in case.timeline.all()],
        photos=list(case.attachments.all()),
        show_caller=caller_visible(user=user, case=case),
        room_member=is_room_member(user, case),
        actions=frozenset(
            a.value for a in actions_for(user=user, case=case, assignments=case.assignments.all())
        ),
    )


# What a step says in words, by the key its service stores it under.
EVENT_TEXT_KEYS = ("text", "note", "reason")


def _task_event(event: TimelineEvent) -> TaskEvent:
    text = next((str(event.data[k]) for k in EVENT_TEXT_KEYS if event.data.get(k)), "")
    return TaskEvent(
        id=event.pk,
        kind=event.kind,
        label=event_label(event.kind),
        at=event.at,
        actor_name=event.actor.display_name if event.actor else "",
        text=text,
    )


def report_categories() -> list[tuple[Category, list[Category]]]:
    """The categories citizens may report under, as (group, its categories) in taxonomy order.
    A public top-level category without public children is offered on its own."""
    categories = list(
        Category.objects.filter(is_active=True, is_public=True)
        .select_related("parent")
        .order_by("sort", "code")
    )
    children: dict[int, list[Category]] = {}
    for category in categories:
        if category.parent_id is not None:
            children.setdefault(category.parent_id, []).append(category)
    groups: list[tuple[Category, list[Category]]] = []
    for category in categories:
        if category.parent_id is None:
            groups.append((category, children.get(category.pk) or [category]))
    return groups


def report_category(code: str) -> Category | None:
    """A category a citizen may report under, or None."""
    return (
        Category.objects.filter(code=code, is_active=True, is_public=True)
        .select_related("parent")
        .first()
    )


def city_outline() -> dict[str, Any]:
    """The towns of every city in the tree as a GeoJSON FeatureCollection, for moving a report's
    pin. Town names and boundaries are public administrative divisions; nothing below them (and
    no people, units or cases) is given out."""
    towns = (
        JurisdictionNode.objects.filter(level=NodeLevel.TOWN, boundary__isnull=False)
        .only("code", "name", "boundary")
        .order_by("path")
    )
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": town.code, "name": town.name},
                "geometry": town.boundary,
            }
            for town in towns
        ],
    }


@dataclass(frozen=True)
class TrackRating:
    """Whether the citizen may rate the case now, and their latest rating (result only: the
    tracking link may be shared, so their comment is not shown back)."""

    can_rate: bool
    given: Callback | None


def track_rating(*, case: Case) -> TrackRating:
    given = Callback.objects.filter(case=case, by__isnull=True).order_by("-at", "-id").first()
    # The services' own rule (rules/actions.py): a closure is rated once.
    rated = rating_refusal(case, CallbackResult.SATISFIED) is not None
    return TrackRating(can_rate=case.state == CaseState.CLOSED and not rated, given=given)
