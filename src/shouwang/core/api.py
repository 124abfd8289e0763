"""Thin API handlers of the core app: parse, call a selector or service, return."""

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import paginate
from ninja.security import HttpBearer

from shouwang.core import selectors
from shouwang.core.errors import InvalidInput, NotFound
from shouwang.core.geo.locate import locate_grid_id
from shouwang.core.models import JurisdictionNode, Unit, User
from shouwang.core.pagination import Pages
from shouwang.core.schemas import (
    AuditOut,
    CallOut,
    DirectoryPersonOut,
    LocateOut,
    NodeDetail,
    NodeOut,
    PeopleListIn,
    PeopleSearchIn,
    PersonOut,
    PersonRevealIn,
    PersonRevealOut,
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
@paginate(Pages, page_size=100)
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
@paginate(Pages, page_size=100)
def list_units(request: HttpRequest, kind: str | None = None, node: str | None = None) -> object:
    return selectors.units_list(user=acting_user(request), kind=kind, node_code=node)


@people_router.get("/units/{code}", response=UnitOut)
def get_unit(request: HttpRequest, code: str) -> Unit:
    return selectors.unit_get(user=acting_user(request), code=code)


@people_router.get("/people", response=list[DirectoryPersonOut])
@paginate(Pages, page_size=50)
def list_people(request: HttpRequest, filters: Query[PeopleListIn]) -> object:
    """People you may see, by name, pinyin initials (``fgl`` for 费桂兰) or username. With
    ``lat``/``lng`` (say, a case's position, which the caller already has), the distance of each
    reported position, nearest first. To find someone by phone or ID number, POST /people/search."""
    lat, lng = filters.lat, filters.lng
    if (lat is None) != (lng is None):
        raise InvalidInput(
            _("请同时提供纬度和经度。"), extra={"field": "lat" if lat is None else "lng"}
        )
    origin = (lat, lng) if lat is not None and lng is not None else None
    return selectors.people_directory(
        user=acting_user(request),
        search=filters.q,
        role=filters.role,
        node_code=filters.node,
        origin=origin,
    )


@people_router.post("/people/search", response=list[PersonOut])
@paginate(Pages, page_size=50)
def search_people(request: HttpRequest, payload: PeopleSearchIn) -> object:
    """People you may see, found by phone or ID number (in the body, out of every URL and log),
    role, jurisdiction or text."""
    return selectors.people_list(
        user=acting_user(request),
        role=payload.role,
        node_code=payload.node,
        search=payload.q,
        phone_hash=pii_lookup_hash(field="phone", value=payload.phone) if payload.phone else None,
        id_number_hash=(
            pii_lookup_hash(field="id_number", value=payload.id_number)
            if payload.id_number
            else None
        ),
    )


@people_router.get("/people/{username}", response=PersonOut)
def get_person(request: HttpRequest, username: str) -> User:
    return selectors.person_get(user=acting_user(request), username=username)


@people_router.post("/people/{username}/reveal", response=PersonRevealOut)
def reveal_person_field(
    request: HttpRequest, username: str, payload: PersonRevealIn
) -> PersonRevealOut:
    """The clear phone or ID number. Needs the reveal permission; always audited."""
    user = acting_user(request)
    person = selectors.person_get(user=user, username=username)
    value = pii_reveal(actor=user, instance=person, field=payload.field, request=request)
    return PersonRevealOut(field=payload.field, value=value)


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
@paginate(Pages, page_size=100)
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
