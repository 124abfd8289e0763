"""Placing a case afterwards (定位更正): a call taken with only an address lands at the
dispatcher's own level; once the place is known — a point picked on the map, or an address the
gazetteer knows — the dispatcher sets it. The case moves to the grid the point lies in and, while
nobody has been dispatched yet, is routed again from there (the unit intake would have chosen).
The old and new place are kept on the timeline."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shouwang.cases.models import Case, TimelineKind
from shouwang.cases.services.access import require_dispatcher, require_visible
from shouwang.cases.services.locking import lock_case, save_case
from shouwang.cases.services.notifications import announce
from shouwang.cases.services.routing import responsible_unit_for
from shouwang.cases.services.timeline import timeline_add
from shouwang.cases.states import CaseState
from shouwang.core.errors import InvalidInput
from shouwang.core.geo.locate import locate_grid_id
from shouwang.core.models import User
from shouwang.core.selectors import node_by_id, node_in_scope, node_lineage
from shouwang.gazetteer.selectors import geocode

# An address is taken only when the gazetteer is this sure of it; below, the dispatcher picks.
MIN_GEOCODE_SCORE = 0.6
ROUTABLE_STATES = frozenset({CaseState.RECEIVED, CaseState.RETURNED})


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
    case = lock_case(case)
    require_visible(actor, case)
    require_dispatcher(actor, case)
    address = address.strip()
    if lat is None and lng is None:
        if not address:
            raise InvalidInput(_("请提供坐标或地址。"), extra={"field": "lat"})
        found = geocode(q=address, limit=1)
        if not found or found[0].score < MIN_GEOCODE_SCORE:
            raise InvalidInput(
                _("标准地址库中找不到该地址，请在地图上选点。"), extra={"field": "address"}
            )
        lat, lng, address = found[0].lat, found[0].lng, found[0].address
    if lat is None or lng is None:
        raise InvalidInput(_("经度和纬度须同时提供。"), extra={"field": "lat"})
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise InvalidInput(_("坐标超出范围。"), extra={"field": "lat"})
    grid_id = locate_grid_id(lng=lng, lat=lat)
    if grid_id is None:
        raise InvalidInput(_("该位置不在本市任何网格内。"), extra={"field": "lat"})
    node = node_by_id(pk=grid_id)
    if not node_in_scope(actor, node):
        raise InvalidInput(_("该位置不在您的辖区内，请转办。"), extra={"field": "lat"})
    before = {
        "lat": case.lat,
        "lng": case.lng,
        "address": case.address,
        "node": case.node.code,
        "responsible_unit": case.responsible_unit.code if case.responsible_unit else None,
    }
    case.lat, case.lng, case.node = lat, lng, node
    if address:
        case.address = address
    fields = ["lat", "lng", "node", "address"]
    lineage = node_lineage(node=node)
    rerouted = case.state in ROUTABLE_STATES
    if rerouted:
        case.responsible_unit = responsible_unit_for(category=case.category, lineage=lineage)
        fields.append("responsible_unit")
    save_case(case, *fields)
    event = timeline_add(
        case=case,
        kind=TimelineKind.LOCATED,
        actor=actor,
        data={
            "from": before,
            "to": {
                "lat": lat,
                "lng": lng,
                "address": case.address,
                "node": node.code,
                "responsible_unit": case.responsible_unit.code if case.responsible_unit else None,
            },
            "rerouted": rerouted,
        },
    )
    units = [case.responsible_unit] if rerouted and case.responsible_unit else []
    announce(case, event, room=False, units=units, lineage=lineage)
    return case
