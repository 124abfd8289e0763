"""Thin API handlers of the core app: parse, call a selector or service, return."""

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import HttpBearer

from shouwang.core import selectors
from shouwang.core.errors import NotFound
from shouwang.core.geo.locate import locate_grid_id
from shouwang.core.models import JurisdictionNode, Unit, User
from shouwang.core.schemas import (
    AuditOut,
    CallOut,
    DirectoryPersonOut,
    LocateOut,
    NodeDetail,
    NodeOut,
    PersonOut,
    PhoneIn,
    RevealIn,
    RevealOut,
    TokenIn,
    TokenOut,
    UnitOut,
)
from shouwang.core.services.pii import pii_lookup_hash, pii_reveal
from shouwang.core.services.tokens import token_authenticate, token_issue, token_revoke
from shouwang.core.telephony import call_link

auth_router = Router(tags=["auth"])
geo_router = Router(tags=["geo"])
people_router = Router(tags=["people"])


class OwnBearerToken(HttpBearer):
    """Bearer only (no session): the token to end is the one presented."""

    def authenticate(self, request: HttpRequest, token: str) -> str | None:
        user = token_authenticate(token=token)
        if user is None:
            return None
        request.user = user
        return token


def acting_user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@auth_router.post("/token", response=TokenOut, auth=None)
def issue_token(request: HttpRequest, payload: TokenIn) -> TokenOut:
    issued = token_issue(
        username=payload.username, password=payload.password, otp=payload.otp, request=request
    )
    return TokenOut(
        token=issued.token,
        expires_at=issued.expires_at,
        username=issued.user.username,
        role=issued.user.role,
    )


@auth_router.post("/token/revoke", response={204: None}, auth=OwnBearerToken())
def revoke_token(request: HttpRequest) -> tuple[int, None]:
    """Ends the bearer token this request was made with (sign-out of an API client)."""
    token_revoke(token=str(request.auth), request=request)  # type: ignore[attr-defined]
    return 204, None


@geo_router.get("/locate", response=LocateOut)
def locate(request: HttpRequest, lat: float, lng: float) -> dict[str, object]:
    """Which grid (and village, town, city) the WGS-84 point falls in, within your jurisdiction."""
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise NotFound(_("坐标超出范围。"))
    grid_id = locate_grid_id(lng=lng, lat=lat)
    grid = JurisdictionNode.objects.filter(pk=grid_id).first() if grid_id else None
    if grid is None or not selectors.node_in_scope(acting_user(request), grid):
        raise NotFound(_("该位置不在您辖区内的任何网格中。"))
    by_level = {n.level: n for n in selectors.node_lineage(node=grid)}
    return {
        "lng": lng,
        "lat": lat,
        "grid": grid,
        **{k: by_level.get(k) for k in ("village", "town", "city")},
    }


@geo_router.get("/nodes", response=list[NodeOut])
@paginate(PageNumberPagination, page_size=100)
def list_nodes(
    request: HttpRequest,
    parent: str | None = None,
    level: str | None = None,
    q: str | None = None,
) -> object:
    """A node's children (`parent=CODE`), or every node you may see, filtered by level and text.
    Without `parent` and filters, the top of your jurisdiction."""
    user = acting_user(request)
    if not (parent or level or q):
        return selectors.node_roots(user=user).select_related("parent")
    nodes = selectors.nodes_list(user=user, parent_code=parent, level=level, search=q)
    return nodes.select_related("parent")


@geo_router.get("/nodes/{code}", response=NodeDetail)
def get_node(request: HttpRequest, code: str) -> JurisdictionNode:
    return selectors.node_get(user=acting_user(request), code=code)


@geo_router.get("/nodes/{code}/children.geojson")
def children_geojson(request: HttpRequest, code: str) -> dict[str, object]:
    """The children's boundaries as a GeoJSON FeatureCollection (for ECharts' registerMap)."""
    user = acting_user(request)
    node = selectors.node_get(user=user, code=code)
    children = selectors.nodes_list(user=user, parent_code=node.code)
    features = [
        {
            "type": "Feature",
            "properties": {"code": c.code, "name": c.name, "level": c.level, "kind": c.kind},
            "geometry": c.boundary,
        }
        for c in children.only("code", "name", "level", "kind", "boundary")
        if c.boundary
    ]
    return {"type": "FeatureCollection", "features": features}


@people_router.get("/units", response=list[UnitOut])
@paginate(PageNumberPagination, page_size=100)
def list_units(request: HttpRequest, kind: str | None = None, node: str | None = None) -> object:
    return selectors.units_list(user=acting_user(request), kind=kind, node_code=node)


@people_router.get("/units/{code}", response=UnitOut)
def get_unit(request: HttpRequest, code: str) -> Unit:
    return selectors.unit_get(user=acting_user(request), code=code)


@people_router.get("/people", response=list[DirectoryPersonOut])
@paginate(PageNumberPagination, page_size=50)
def list_people(
    request: HttpRequest,
    role: str | None = None,
    node: str | None = None,
    q: str | None = None,
    case: int | None = None,
) -> object:
    """People in your jurisdiction by name, pinyin initials (``fgl`` for 费桂兰) or username;
    with ``case``, the distance of each reported position to that case, nearest first."""
    user = acting_user(request)
    origin = None
    if case is not None:
        # The loop's public surface; imported here so core's import graph stays acyclic.
        from shouwang.cases.feeders import case_visible

        found = case_visible(user=user, case_id=case)
        if found.lat is not None and found.lng is not None:
            origin = (found.lat, found.lng)
    return selectors.people_directory(user=user, search=q, role=role, node_code=node, origin=origin)


@people_router.post("/people/find-by-phone", response=list[PersonOut])
def find_people_by_phone(request: HttpRequest, payload: PhoneIn) -> object:
    """Exact match on a full phone number through its keyed hash; the number travels in the
    body, never in a URL (URLs end up in logs)."""
    phone_hash = pii_lookup_hash(field="phone", value=payload.phone)
    return list(selectors.people_list(user=acting_user(request), phone_hash=phone_hash))


@people_router.get("/people/{username}", response=PersonOut)
def get_person(request: HttpRequest, username: str) -> User:
    return selectors.person_get(user=acting_user(request), username=username)


@people_router.post("/people/{username}/reveal", response=RevealOut)
def reveal_person_field(request: HttpRequest, username: str, payload: RevealIn) -> RevealOut:
    """The clear phone or ID number. Needs the reveal permission; always audited."""
    user = acting_user(request)
    person = selectors.person_get(user=user, username=username)
    value = pii_reveal(actor=user, instance=person, field=payload.field, request=request)
    return RevealOut(field=payload.field, value=value)


@people_router.post("/people/{username}/call", response=CallOut)
def call_person(request: HttpRequest, username: str) -> CallOut:
    """A `tel:` link to a person of your jurisdiction (console to responder), through the
    privacy-number gateway. The number is revealed through the audited reveal path."""
    user = acting_user(request)
    person = selectors.person_get(user=user, username=username)
    callee = pii_reveal(actor=user, instance=person, field="phone", request=request)
    if not callee:
        raise NotFound(_("该人员没有登记电话。"))
    key = f"call:{user.pk}:person:{person.pk}"
    return CallOut(tel=call_link(caller=user, callee=callee, idempotency_key=key))


@people_router.get("/audit", response=list[AuditOut])
@paginate(PageNumberPagination, page_size=100)
def list_audit(
    request: HttpRequest,
    action: str | None = None,
    result: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> object:
    return selectors.audit_entries_list(
        user=acting_user(request),
        action=action,
        result=result,
        actor=actor,
        since=since,
        until=until,
    )
