"""One window for every channel (一窗受理): a dispatcher's 110 or 12345 call, a citizen's or
volunteer's report, a device alarm, another system over the API or Open311 all become a case
here, in one transaction: placed in the jurisdiction tree, routed to a unit, given its
deadlines, put on the screens. The caller answers 2xx only after this returns, i.e. after
commit (durability rule 1)."""

import secrets
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from shouwang.cases import clock
from shouwang.cases.models import (
    Case,
    CaseChannel,
    CaseKind,
    Category,
    TimelineEvent,
    TimelineKind,
)
from shouwang.cases.rules.authority import is_admin
from shouwang.cases.rules.sla import SHANGHAI, apply_intake_deadlines, refresh_next_deadline
from shouwang.cases.rules.sla import sla_for as sla_policy_for
from shouwang.cases.rules.unit_routing import node_of_level, responsible_unit_for
from shouwang.cases.selectors.duplicates import DuplicateCandidate, case_duplicates_of
from shouwang.cases.services.notifications import announce
from shouwang.cases.services.receipt_sms import receipt_sms_enqueue
from shouwang.cases.services.step import timeline_event, timeline_save
from shouwang.cases.services.validation import full_clean_or_invalid
from shouwang.core.errors import InvalidInput, PermissionDeniedError
from shouwang.core.geo.coords import gcj02_to_wgs84
from shouwang.core.geo.locate import in_service_area, locate_grid_id
from shouwang.core.models import JurisdictionNode, NodeLevel, Role, User
from shouwang.core.selectors import node_by_id, node_in_scope, node_lineage
from shouwang.core.services.pii import pii_assign

# Crockford base32 without I, L, O, U: read out over the phone without confusion.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RECEIPT_LENGTH = 12  # 60 bits: not guessable, and short enough to type

KIND_BY_CHANNEL = {
    CaseChannel.PHONE_110: CaseKind.CALL,
    CaseChannel.HOTLINE_12345: CaseKind.HOTLINE,
    CaseChannel.DEVICE: CaseKind.ALARM,
    CaseChannel.INSPECTION: CaseKind.HAZARD,
    CaseChannel.PATROL: CaseKind.PATROL_FINDING,
}
# Channels only the command centre takes: a 110 or 12345 call is answered by a person there.
STAFFED_CHANNELS = frozenset({CaseChannel.PHONE_110, CaseChannel.HOTLINE_12345})
ANONYMOUS_CHANNELS = frozenset({CaseChannel.OPEN311, CaseChannel.WEB})


@dataclass(frozen=True)
class IntakeResult:
    case: Case
    duplicates: list[DuplicateCandidate]
    # The case's one timeline event so far (RECEIVED), for answering without reading it back.
    event: TimelineEvent | None = None


def new_receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


@transaction.atomic
def case_intake(
    *,
    actor: User | None,
    category: Category,
    description: str,
    channel: CaseChannel,
    kind: CaseKind | None = None,
    priority: int | None = None,
    lat: float | None = None,
    lng: float | None = None,
    coord_system: str = "wgs84",
    address: str = "",
    node: JurisdictionNode | None = None,
    reporter_name: str = "",
    caller_phone: str = "",
    confidential: bool = False,
    external_token: str | None = None,
) -> IntakeResult:
    """Receives a matter and returns the committed case with the likely duplicates the actor
    may see. `actor` is None only for anonymous public channels (Open311, web). Coordinates
    are WGS-84 unless `coord_system` is "gcj02" (WeChat, Amap), converted here."""
    _check_channel(actor, channel)
    if not category.is_active:
        raise InvalidInput(_("该事件类别已停用。"), extra={"field": "category"})
    point = _point(lat, lng, coord_system)
    if point is None and not address.strip():
        raise InvalidInput(_("请提供事件位置（坐标）或地址。"), extra={"field": "lat"})
    case = Case(
        receipt_code=new_receipt_code(),
        kind=kind or KIND_BY_CHANNEL.get(channel, CaseKind.REPORT),
        channel=channel,
        category=category,
        priority=priority or category.default_priority,
        lat=point[1] if point else None,
        lng=point[0] if point else None,
        address=address.strip(),
        node=_place(actor, point, node),
        confidential=confidential,
        description=description.strip(),
        created_by=actor if actor is not None and actor.is_authenticated else None,
        received_at=clock.now(),
        external_token=external_token or None,
    )
    pii_assign(case, field="caller_phone", value=caller_phone)
    pii_assign(case, field="reporter_name", value=reporter_name[:50])
    lineage = node_lineage(node=case.node)
    _route_and_time(case, lineage)
    # The foreign keys were just read from the database; validating them again costs a query
    # each on the hottest write path. The number is set below, from the id. The check
    # constraints (priority 1–4, coordinates in range) are checked here and in _point rather
    # than by a savepoint and a SELECT each; the receipt code is 60 random bits and the
    # database's unique index stands behind it, as behind the external token.
    if not 1 <= case.priority <= 4:
        raise InvalidInput(_("优先级须在1到4之间。"), extra={"field": "priority"})
    full_clean_or_invalid(
        case,
        exclude=["number", "category", "node", "responsible_unit", "created_by"],
        validate_unique=False,
        validate_constraints=False,
    )
    if external_token and Case.objects.filter(external_token=external_token).exists():
        raise InvalidInput(_("外部令牌已被使用。"), extra={"field": "external_token"})
    _save_numbered(case)
    duplicates = _likely_duplicates(case, actor)
    event = timeline_event(
        case=case,
        kind=TimelineKind.RECEIVED,
        actor=actor,
        to_state=case.state,
        data={
            "channel": case.channel,
            "kind": case.kind,
            "responsible_unit": case.responsible_unit.code if case.responsible_unit else None,
            "possible_duplicates": [d.case.pk for d in duplicates],
        },
        public=True,
    )
    event.at = case.received_at  # the receipt is when it was received
    timeline_save([event])
    announce(case, event, room=False, lineage=lineage)
    receipt_sms_enqueue(case)
    return IntakeResult(case=case, duplicates=duplicates, event=event)


def _save_numbered(case: Case) -> None:
    """Inserts the case with its number, which is made from its id. On PostgreSQL the id is
    drawn from the table's sequence first, so the row goes in once, numbered; elsewhere it is
    numbered by an UPDATE after the INSERT (on PostgreSQL that UPDATE rewrote every index of
    the new row)."""
    pk = _next_case_id()
    if pk is None:
        case.save()
        case.number = _case_number(case)
        case.save(update_fields=["number"])
        return
    case.pk = pk
    case.number = _case_number(case)
    case.save(force_insert=True)


def _case_number(case: Case) -> str:
    return f"SW{case.received_at.astimezone(SHANGHAI):%Y%m%d}{case.pk:06d}"


def _next_case_id() -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Case._meta.db_table])
        row = cursor.fetchone()
    return int(row[0]) if row else None


def _likely_duplicates(case: Case, actor: User | None) -> list[DuplicateCandidate]:
    """None for device alarms: their own premises' alarms are already one incident
    (devices/services/incidents.py), another premises' alarm is another incident, and their
    templated text would score every neighbour's alarm alike (ARCHITECTURE.md, "Known traps")."""
    if case.channel == CaseChannel.DEVICE:
        return []
    return case_duplicates_of(user=actor, case=case)


def _check_channel(actor: User | None, channel: CaseChannel) -> None:
    if actor is None or not actor.is_authenticated:
        if channel not in ANONYMOUS_CHANNELS:
            raise PermissionDeniedError(_("匿名上报只能通过网页或 Open311 渠道。"))
        return
    staffed = is_admin(actor) or actor.role == Role.DISPATCHER
    if channel in STAFFED_CHANNELS and not staffed:
        raise PermissionDeniedError(_("只有指挥中心值班员可以登记110和12345来电。"))


def _point(lat: float | None, lng: float | None, coord_system: str) -> tuple[float, float] | None:
    if lat is None and lng is None:
        return None
    if lat is None or lng is None:
        raise InvalidInput(_("经度和纬度须同时提供。"), extra={"field": "lat"})
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        if -90 <= lng <= 90 and -180 <= lat <= 180:
            point_check_service_area(lat=lat, lng=lng)  # says so when they are swapped
        raise InvalidInput(_("坐标超出范围。"), extra={"field": "lat"})
    if coord_system == "gcj02":
        lng, lat = gcj02_to_wgs84(lng, lat)
    elif coord_system != "wgs84":
        raise InvalidInput(_("坐标系只能是 wgs84 或 gcj02。"), extra={"field": "coord_system"})
    point_check_service_area(lat=lat, lng=lng)
    return lng, lat


def point_check_service_area(*, lat: float, lng: float) -> None:
    """Refuses a WGS-84 point outside the service area, the same way for every intake path;
    when the point would be inside with latitude and longitude swapped, says so."""
    if in_service_area(lng=lng, lat=lat):
        return
    if -90 <= lng <= 90 and in_service_area(lng=lat, lat=lng):
        raise InvalidInput(
            _("该位置不在本平台服务范围内：纬度和经度似乎填反了。"),
            extra={"field": "lat", "hint": "swapped"},
        )
    raise InvalidInput(_("该位置不在本平台服务范围内。"), extra={"field": "lat"})


def _place(
    actor: User | None, point: tuple[float, float] | None, node: JurisdictionNode | None
) -> JurisdictionNode:
    """The deepest node that holds the case: the grid the point falls in; else the node the
    dispatcher picked; else the actor's own node. An anonymous report outside every grid has
    nowhere to go and is refused."""
    if point is not None:
        grid_id = locate_grid_id(lng=point[0], lat=point[1])
        if grid_id is not None:
            return node_by_id(pk=grid_id)
    if node is not None:
        if actor is None or not node_in_scope(actor, node):
            raise InvalidInput(_("所选辖区不在您的辖区内。"), extra={"field": "node"})
        return node
    if actor is not None and actor.is_authenticated and actor.node is not None:
        return actor.node
    raise InvalidInput(_("该位置不在本市任何网格内。"), extra={"field": "lat"})


def _route_and_time(case: Case, lineage: list[JurisdictionNode]) -> None:
    case.responsible_unit = responsible_unit_for(category=case.category, lineage=lineage)
    town = node_of_level(lineage, NodeLevel.TOWN)
    sla = sla_policy_for(
        category=case.category, priority=case.priority, town_kind=town.kind if town else ""
    )
    apply_intake_deadlines(case, sla)
    refresh_next_deadline(case)
