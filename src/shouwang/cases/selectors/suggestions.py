"""Whom the dispatcher could send: the nearest available responders by live position, and the
co-governance forces near enough to alert in parallel (seed 004: a village patrol settled a
brawl before the police arrived). A bounding box in SQL narrows the rows, haversine ranks the
few left — enough at city scale without a spatial index (ARCHITECTURE.md: no GIS dependency)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from shouwang.cases.models import Assignment, Case, ResponderStatus
from shouwang.cases.models.work import OPEN_ASSIGNMENT_STATES
from shouwang.cases.rules.authority import is_admin, is_dispatcher_for
from shouwang.cases.selectors.duplicates import bounding_box
from shouwang.core.errors import PermissionDeniedError
from shouwang.core.geo.coords import distance_m
from shouwang.core.models import Role, Unit, UnitKind, User
from shouwang.core.selectors import node_lineage, scope_q

SEARCH_RADII_M = (2_000, 8_000, 32_000)  # widen until enough responders are found
FIRST_RESPONDER_UNIT_KINDS = (
    UnitKind.PATROL_TEAM,
    UnitKind.PROPERTY_SECURITY,
    UnitKind.TEN_HOUSEHOLD_GROUP,
)


def first_responder_radius_m() -> float:
    return float(settings.SHOUWANG_FIRST_RESPONDER_RADIUS_M)


def position_freshness() -> timedelta:
    return timedelta(minutes=float(settings.SHOUWANG_POSITION_FRESH_MINUTES))


def case_origin(case: Case) -> tuple[float, float] | None:
    """(lat, lng) of the case, else the centre of its nearest node that has one."""
    if case.lat is not None and case.lng is not None:
        return case.lat, case.lng
    for node in reversed(node_lineage(node=case.node)):
        if node.centre_lat is not None and node.centre_lng is not None:
            return node.centre_lat, node.centre_lng
    return None


def dispatch_suggestions(*, user: User, case: Case, limit: int = 10) -> dict[str, Any]:
    """For the dispatcher of a case the user already may see. Positions are personal data
    (PIPL), so only dispatchers, leaders and admins get them."""
    if not (is_dispatcher_for(user, case) or is_admin(user) or user.role == Role.LEADER):
        raise PermissionDeniedError()
    radius = first_responder_radius_m()
    origin = case_origin(case)
    if origin is None:
        return {
            "origin": None,
            "responders": [],
            "first_responder_people": [],
            "first_responder_units": [],
            "first_responder_radius_m": radius,
        }
    lat, lng = origin
    assigned = {
        person_id
        for person_id in Assignment.objects.filter(
            case=case, state__in=OPEN_ASSIGNMENT_STATES
        ).values_list("person_id", flat=True)
        if person_id is not None
    }
    responders: list[dict[str, Any]] = []
    for search in SEARCH_RADII_M:
        responders = _people(user, Role.RESPONDER, lat, lng, search, assigned)
        if len(responders) >= limit:
            break
    first_people = _people(user, Role.FIRST_RESPONDER, lat, lng, radius, assigned)
    return {
        "origin": {"lat": lat, "lng": lng},
        "responders": responders[:limit],
        "first_responder_people": first_people[:limit],
        "first_responder_units": _units(user, lat, lng, radius)[:limit],
        "first_responder_radius_m": radius,
    }


def _people(
    user: User, role: Role, lat: float, lng: float, radius: float, assigned: set[int]
) -> list[dict[str, Any]]:
    rows = (
        ResponderStatus.objects.filter(
            scope_q(user, via="person__node"),
            **bounding_box(lat, lng, radius),
            person__role=role,
            person__is_active=True,
            available=True,
            on_duty=True,
            reported_at__gte=timezone.now() - position_freshness(),
        )
        .select_related("person", "person__unit")
        .annotate(
            open_assignments=Count(
                "person__assignments",
                filter=Q(person__assignments__state__in=OPEN_ASSIGNMENT_STATES),
            )
        )
    )
    found = []
    for status in rows:
        distance = distance_m(lng, lat, status.lng, status.lat)
        if distance > radius:
            continue
        person = status.person
        found.append(
            {
                "username": person.username,
                "name": person.display_name,
                "role": person.role,
                "unit": person.unit.code if person.unit else None,
                "distance_m": round(distance, 1),
                "reported_at": status.reported_at,
                "open_assignments": status.open_assignments,
                "already_assigned": person.pk in assigned,
            }
        )
    return sorted(found, key=lambda p: (p["already_assigned"], p["distance_m"]))


def _units(user: User, lat: float, lng: float, radius: float) -> list[dict[str, Any]]:
    rows = Unit.objects.filter(
        scope_q(user, via="node"),
        **bounding_box(lat, lng, radius),
        kind__in=FIRST_RESPONDER_UNIT_KINDS,
        is_active=True,
    )
    found = []
    for unit in rows:
        assert unit.lat is not None and unit.lng is not None  # the bounding box excludes NULLs
        distance = distance_m(lng, lat, unit.lng, unit.lat)
        if distance <= radius:
            found.append(
                {
                    "code": unit.code,
                    "name": unit.name,
                    "kind": unit.kind,
                    "distance_m": round(distance, 1),
                }
            )
    return sorted(found, key=lambda u: u["distance_m"])
