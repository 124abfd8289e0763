"""Placing a case afterwards (定位更正): a call taken with only an address lands at the
dispatcher's own level; once the place is known — a point picked on the map, or an address the
gazetteer knows — the dispatcher sets it. The case moves to the grid the point lies in and, while
nobody has been dispatched yet, is routed again from there (the unit intake would have chosen).
The old and new place are kept on the timeline."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shouwang.cases.models import Case, TimelineKind
from shouwang.cases.rules.authority import require_dispatcher
from shouwang.cases.rules.unit_routing import responsible_unit_for
from shouwang.cases.services.step import case_step
from shouwang.cases.states import CaseState
from shouwang.core.errors import InvalidInput
from shouwang.core.geo.locate import locate_grid_id
from shouwang.core.models import JurisdictionNode, User
from shouwang.core.selectors import node_by_id, node_in_scope, node_lineage
from shouwang.gazetteer.selectors import geocode

# An address is taken only when the gazetteer is this sure of it; below, the dispatcher picks.
MIN_GEOCODE_SCORE = 0.6
ROUTABLE_STATES = frozenset({CaseState.RECEIVED, CaseState.RETURNED})


def _point(lat: float | None, lng: float | None, address: str) -> tuple[float, float, str]:
    """The point to place the case at, from coordinates or from the gazetteer."""
    if lat is None and lng is None:
        if not address:
            raise InvalidInput(_("请提供坐标或地址。"), extra={"field": "lat"})
        found = geocode(q=address, limit=1)
        if not found or found[0].score < MIN_GEOCODE_SCORE:
            raise InvalidInput(
                _("标准地址库中找不到该地址，请在地图上选点。"), extra={"field": "address"}
            )
        return found[0].lat, found[0].lng, found[0].address
    if lat is None or lng is None:
        raise InvalidInput(_("经度和纬度须同时提供。"), extra={"field": "lat"})
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise InvalidInput(_("坐标超出范围。"), extra={"field": "lat"})
    return lat, lng, address


def _grid(actor: User, lat: float, lng: float) -> JurisdictionNode:
    grid_id = locate_grid_id(lng=lng, lat=lat)
    if grid_id is None:
        raise InvalidInput(_("该位置不在本市任何网格内。"), extra={"field": "lat"})
    node = node_by_id(pk=grid_id)
    if not node_in_scope(actor, node):
        raise InvalidInput(_("该位置不在您的辖区内，请转办。"), extra={"field": "lat"})
    return node


def _place_of(case: Case) -> dict[str, Any]:
    return {
        "lat": case.lat,
        "lng": case.lng,
        "address": case.address,
        "node": case.node.code,
        "responsible_unit": case.responsible_unit.code if case.responsible_unit else None,
    }


@transaction.atomic
def case_locate(
    *,
    actor: User,
    case: Case | int,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
) -> Case:
    """Sets the case's position (WGS-84) from `lat`/`lng`, or from `address` through the
    gazetteer; re-places it in its grid, and routes it again if it is not dispatched yet."""
    with case_step(case, actor=actor, action=None) as step:
        located = step.case
        require_dispatcher(actor, located)
        lat, lng, address = _point(lat, lng, address.strip())
        node = _grid(actor, lat, lng)
        before = _place_of(located)
        located.lat, located.lng, located.node = lat, lng, node
        if address:
            located.address = address
        step.change("lat", "lng", "node", "address")
        rerouted = located.state in ROUTABLE_STATES
        if rerouted:
            located.responsible_unit = responsible_unit_for(
                category=located.category, lineage=node_lineage(node=node)
            )
            step.change("responsible_unit")
        units = [located.responsible_unit] if rerouted and located.responsible_unit else []
        step.record(
            TimelineKind.LOCATED,
            data={"from": before, "to": _place_of(located), "rerouted": rerouted},
            public=False,
            transition=False,
            room=False,
            units=units,
        )
    return step.case
