"""The public surface of the closed loop for the apps that feed it: devices, open311, insight,
inspections, mediation, community, housing. A feeder opens a case from its own source, adds
what happened in its own records to the case's timeline, and closes the case when its own rule
says the matter is done. It imports nothing else of `cases` but this module and
`cases.models` names re-exported here; the loop's internals may change behind it.

Authority is the feeder's: it decides who may inspect, mediate or register, and calls these
verbs for them. The verbs keep the loop's own invariants: the transition table, the timeline
and the announcement in the same transaction."""

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Q

from shouwang.cases.models import (
    Assignment,
    Attachment,
    Case,
    CaseChannel,
    CaseKind,
    TimelineEvent,
    TimelineKind,
)
from shouwang.cases.models.work import OPEN_ASSIGNMENT_STATES
from shouwang.cases.rules.visibility import visible_cases_q
from shouwang.cases.selectors.cases import case_for_action
from shouwang.cases.selectors.categories import category_by_code
from shouwang.cases.selectors.duplicates import CallFacts, same_matter_scorer_set
from shouwang.cases.services.dispatch import assignments_stand_down, case_dispatch
from shouwang.cases.services.intake import case_intake
from shouwang.cases.services.responders import responder_position_report
from shouwang.cases.services.step import case_step
from shouwang.cases.states import FINISHED_STATES, OPEN_STATES, CaseAction, CaseState
from shouwang.core.models import JurisdictionNode, Unit, User

__all__ = [
    "FINISHED_STATES",
    "OPEN_STATES",
    "CallFacts",
    "Case",
    "CaseChannel",
    "CaseKind",
    "CaseState",
    "NearbyCase",
    "OpenedCase",
    "VerifiedCase",
    "case_category_family",
    "case_first_responders_alert",
    "case_is_open",
    "case_join",
    "case_note",
    "case_open",
    "case_reporter_photos",
    "case_settle",
    "case_visible",
    "case_worked_by",
    "cases_closed_verified_since",
    "cases_near",
    "cases_visible_q",
    "position_report",
    "same_matter_scorer_set",
]


@dataclass(frozen=True)
class OpenedCase:
    case: Case
    possible_duplicates: list[int]


def case_open(
    *,
    actor: User | None,
    category_code: str,
    description: str,
    channel: CaseChannel,
    kind: CaseKind,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    node: JurisdictionNode | None = None,
    priority: int | None = None,
    reporter_name: str = "",
    caller_phone: str = "",
    source: str = "",
    source_ref: str = "",
) -> OpenedCase:
    """Opens a case from a feeder's record (a failed check item, a mediation application, a
    tenancy overdue for registration). `source`/`source_ref` name the record ("inspections.
    hazard", "42"); they go on the first timeline event so the case page can link back.
    Raises InvalidInput (422) for an unknown or inactive category."""
    category = category_by_code(category_code)
    with transaction.atomic():
        result = case_intake(
            actor=actor,
            category=category,
            description=description,
            channel=channel,
            kind=kind,
            priority=priority,
            lat=lat,
            lng=lng,
            address=address,
            node=node,
            reporter_name=reporter_name,
            caller_phone=caller_phone,
        )
        if source:
            with case_step(
                result.case, actor=actor, action=None, vouched=True, locked=True
            ) as step:
                step.record(
                    TimelineKind.SOURCE_EVENT,
                    data={"source": source, "ref": source_ref, "text": ""},
                    public=False,
                    transition=False,
                    screens=False,
                    room=False,
                )
    return OpenedCase(case=result.case, possible_duplicates=[d.case.pk for d in result.duplicates])


@transaction.atomic
def case_note(
    *,
    case: Case | int,
    actor: User | None,
    text: str,
    source: str = "",
    data: dict[str, Any] | None = None,
    public: bool = False,
) -> TimelineEvent:
    """Adds what happened in a feeder's record (a re-inspection failed, a session was held, a
    payment arrived) to the case's timeline and announces it. The case's state is unchanged."""
    with case_step(case, actor=actor, action=None, vouched=True) as step:
        return step.record(
            TimelineKind.SOURCE_EVENT,
            data={**(data or {}), "source": source, "text": text.strip()},
            public=public,
        )


@transaction.atomic
def case_join(
    *, case: Case | int, actor: User | None, data: dict[str, Any], announce: bool = True
) -> TimelineEvent:
    """Another report of the matter the case already holds (a second detector of the same
    premises, a device failing again): one more timeline entry, announced unless told not to.
    The case's state is unchanged."""
    with case_step(case, actor=actor, action=None, vouched=True) as step:
        return step.record(
            TimelineKind.DUPLICATE_MERGED,
            data=data,
            public=False,
            screens=announce,
            room=announce,
        )


@transaction.atomic
def case_settle(*, case: Case | int, actor: User | None, note: str, source: str = "") -> Case:
    """Closes a case whose feeder's own rule has finished the matter (办结): a hazard passed its
    re-inspection, an agreement was performed. Anyone still assigned is stood down. Raises
    IllegalTransition (409) when the case is already closed, cancelled or merged."""
    with case_step(case, actor=actor, action=CaseAction.SETTLE, vouched=True) as step:
        stood_down = assignments_stand_down(case=step.case)
        step.move("closed_at")
        step.case.closed_at = step.now
        step.record(
            TimelineKind.SETTLED,
            data={"note": note.strip(), "source": source},
            stood_down=stood_down,
        )
    return step.case


def case_is_open(case_id: int | None) -> bool:
    """Whether the case is still open (in a queue or being worked); True for no case yet."""
    return case_id is None or Case.objects.filter(pk=case_id, state__in=OPEN_STATES).exists()


def case_visible(*, user: User, case_id: int) -> Case:
    """The case if `user` may see it under the loop's visibility rule, else NotFound (404)."""
    return case_for_action(user=user, case_id=case_id)


def cases_visible_q(user: User) -> Q:
    """The loop's visibility rule as a filter on Case, for a feeder's own joins."""
    return visible_cases_q(user)


def case_category_family(case: Case) -> str:
    """The code of the top of the case's category tree (its family): "disputes" for a
    neighbour dispute, "public_order" for a fight; a top-level category is its own family."""
    category, seen = case.category, {case.category_id}
    while category.parent is not None and category.parent.pk not in seen:
        category = category.parent
        seen.add(category.pk)
    return category.code


@dataclass(frozen=True)
class NearbyCase:
    id: int
    received_at: datetime
    category: str
    address: str
    description: str


METRES_PER_DEGREE_LAT = 111_320.0


def cases_near(
    *,
    lat: float | None,
    lng: float | None,
    address: str = "",
    since: datetime,
    radius_m: float = 50.0,
    categories: list[str] | None = None,
    limit: int = 200,
) -> list[NearbyCase]:
    """Cases received since `since` within `radius_m` of a point, or at exactly the same
    address when there is no point, oldest first; optionally only of the given category codes.
    A system read for rules that look at a place's history (repeat calls, a later incident at
    the same place): not scoped to a user, so the caller must not show the rows as they are."""
    near = Q(pk__in=[])
    if lat is not None and lng is not None:
        d_lat = radius_m / METRES_PER_DEGREE_LAT
        d_lng = radius_m / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01))
        near |= Q(
            lat__gte=lat - d_lat, lat__lte=lat + d_lat, lng__gte=lng - d_lng, lng__lte=lng + d_lng
        )
    if address.strip():
        near |= Q(address=address.strip())
    cases = Case.objects.filter(near, received_at__gte=since, merged_into__isnull=True)
    if categories is not None:
        cases = cases.filter(category__code__in=categories)
    rows = cases.order_by("received_at", "pk").values_list(
        "pk", "received_at", "category__code", "address", "description"
    )[:limit]
    return [NearbyCase(*row) for row in rows]


@dataclass(frozen=True)
class VerifiedCase:
    case_id: int
    kind: str
    created_by_id: int
    node_id: int
    lat: float | None
    lng: float | None
    verified_at: datetime
    closed_at: datetime


def cases_closed_verified_since(
    *, closed_after: datetime | None, kinds: list[str], limit: int = 500
) -> list[VerifiedCase]:
    """Closed cases of `kinds` that passed verification (`verified_at` set) and were filed by a
    signed-in person, closed after `closed_after` (all when None), oldest closing first, at
    most `limit`. For feeders that reward what was verified (community points); a reopened
    case drops out (its `closed_at` is cleared) and comes back when it is closed again."""
    rows = Case.objects.filter(
        state=CaseState.CLOSED,
        kind__in=kinds,
        verified_at__isnull=False,
        closed_at__isnull=False,
        created_by__isnull=False,
    )
    if closed_after is not None:
        rows = rows.filter(closed_at__gt=closed_after)
    listed = rows.order_by("closed_at", "id").values_list(
        "pk", "kind", "created_by_id", "node_id", "lat", "lng", "verified_at", "closed_at"
    )[:limit]
    return [
        VerifiedCase(pk, kind, created_by_id, node_id, lat, lng, verified_at, closed_at)
        for pk, kind, created_by_id, node_id, lat, lng, verified_at, closed_at in listed
        if verified_at is not None and closed_at is not None and created_by_id is not None
    ]


def position_report(*, person: User, lat: float, lng: float) -> None:
    """A person's live position from a feeder's device (a body-worn terminal's GPS), kept as
    their phone's would be, for dispatch suggestions (WGS-84)."""
    responder_position_report(actor=person, lat=lat, lng=lng)


def case_first_responders_alert(*, actor: User, case: Case | int, units: list[Unit]) -> Case:
    """Alerts first-responder units (a patrol team, a ten-household group) to a case, in
    parallel with whoever works it — the dispatcher's choice, so the loop's dispatch rules
    apply: only a dispatcher of the case may (PermissionDenied), a case that is not open is an
    IllegalTransition (409)."""
    return case_dispatch(actor=actor, case=case, first_responders=units)


def case_worked_by(*, person: User) -> int | None:
    """The id of the case the person is working now (their latest open assignment, in an open
    case), or None: where a feeder puts what the person's own device recorded."""
    return (
        Assignment.objects.filter(
            person=person, state__in=OPEN_ASSIGNMENT_STATES, case__state__in=OPEN_STATES
        )
        .order_by("-id")
        .values_list("case_id", flat=True)
        .first()
    )


def case_reporter_photos(*, case_ids: list[int]) -> dict[int, list[str]]:
    """The storage names of the photos each case's reporter attached (not the responders'
    resolution photos), for a feeder that fingerprints what it rewards."""
    photos: dict[int, list[str]] = {}
    rows = Attachment.objects.filter(
        case_id__in=case_ids, uploaded_by_id=F("case__created_by_id")
    ).order_by("id")
    for case_id, name in rows.values_list("case_id", "file"):
        photos.setdefault(case_id, []).append(name)
    return photos
