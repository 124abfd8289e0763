"""Reads for the console's map: the jurisdiction's areas and grids, open cases and responders
on duty, as GeoJSON-ready dicts."""

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from shouwang.cases.models import (
    ResponderStatus,
)
from shouwang.cases.selectors.case_room import position_json, state_label
from shouwang.cases.selectors.cases import visible_cases
from shouwang.cases.selectors.console import console_check
from shouwang.cases.states import OPEN_STATES
from shouwang.core.models import JurisdictionNode, NodeLevel, Role, User
from shouwang.core.selectors import node_roots, scope_q

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
