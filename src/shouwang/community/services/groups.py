"""Ten-household group alerts (seed 000: alert in 1 minute, arrive in 3). One tap notifies every
member and the grid's people at once through the outbox; each member's acknowledgement and
arrival (checked by the phone's position) are timed from the alert."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shouwang.cases.feeders import (
    CaseChannel,
    CaseKind,
    case_first_responders_alert,
    case_open,
    case_visible,
)
from shouwang.community import config
from shouwang.community.models import AlertResponse, GroupAlert, GroupMember
from shouwang.core.errors import Conflict, InvalidInput, NotFound
from shouwang.core.geo.coords import distance_m
from shouwang.core.models import Unit, UnitKind, User
from shouwang.core.roles import GRID_WORKER_ROLES
from shouwang.notify.groups import person_group, screen_group
from shouwang.notify.models import Channel
from shouwang.notify.services import (
    notifications_acknowledge_for,
    outbox_enqueue_many,
    outbox_message,
)

ALERT_CATEGORY = "suspicious"


def group_for_member(*, actor: User, code: str) -> Unit:
    group = (
        Unit.objects.select_related("node")
        .filter(code=code, kind=UnitKind.TEN_HOUSEHOLD_GROUP, is_active=True)
        .first()
    )
    if group is None or not GroupMember.objects.filter(group=group, person=actor).exists():
        raise NotFound()
    return group


@transaction.atomic
def alert_raise(
    *,
    actor: User,
    group_code: str,
    lat: float,
    lng: float,
    note: str = "",
    open_case: bool = False,
    category_code: str = ALERT_CATEGORY,
) -> GroupAlert:
    """Raises a one-tap alert. Every other member gets a response row (to time) and a message;
    so do the grid's first responders and the node's screens. With `open_case` the alert also
    goes into the loop as a case at its position."""
    group = group_for_member(actor=actor, code=group_code)
    alert = GroupAlert.objects.create(
        group=group, raised_by=actor, raised_at=timezone.now(), lat=lat, lng=lng, note=note[:500]
    )
    members = list(
        GroupMember.objects.filter(group=group).exclude(person=actor).select_related("person")
    )
    AlertResponse.objects.bulk_create(
        [AlertResponse(alert=alert, person=m.person) for m in members]
    )
    if open_case:
        alert.case = case_open(
            actor=actor,
            category_code=category_code,
            description=note or _("十户联防报警：%(g)s") % {"g": group.name},
            channel=CaseChannel.APP,
            kind=CaseKind.REPORT,
            lat=lat,
            lng=lng,
            source="community.group_alert",
            source_ref=str(alert.pk),
        ).case
        alert.save(update_fields=["case"])
    _notify(alert, group, [m.person for m in members])
    return alert


@transaction.atomic
def case_send_to_nearest_group(*, actor: User, case_id: int) -> GroupAlert:
    """The dispatcher sends a case to the ten-household group nearest it, as first responders:
    the loop records the group's assignment, and the group gets an alert at the case's position
    whose members' acknowledgement and arrival are timed like any other."""
    case = case_visible(user=actor, case_id=case_id)
    if case.lat is None or case.lng is None:
        raise InvalidInput(_("事件没有位置，无法找最近的联防组。"))
    if GroupAlert.objects.filter(case_id=case.pk).exists():
        raise Conflict(_("该事件已发给联防组。"))
    town_path = "/".join(case.node.path.split("/")[:3]) + "/"
    groups = Unit.objects.filter(
        kind=UnitKind.TEN_HOUSEHOLD_GROUP,
        is_active=True,
        lat__isnull=False,
        node__path__startswith=town_path,
    ).select_related("node")
    nearest = min(
        groups,
        key=lambda g: distance_m(case.lng, case.lat, g.lng, g.lat),  # type: ignore[arg-type]
        default=None,
    )
    if nearest is None:
        raise NotFound(_("附近没有十户联防组。"))
    case_first_responders_alert(actor=actor, case=case.pk, units=[nearest])
    alert = GroupAlert.objects.create(
        group=nearest,
        raised_by=actor,
        raised_at=timezone.now(),
        lat=case.lat,
        lng=case.lng,
        note=case.description[:500],
        case=case,
    )
    members = [m.person for m in GroupMember.objects.filter(group=nearest).select_related("person")]
    AlertResponse.objects.bulk_create([AlertResponse(alert=alert, person=p) for p in members])
    _notify(alert, nearest, members)
    return alert


def _notify(alert: GroupAlert, group: Unit, members: list[User]) -> None:
    payload: dict[str, object] = {
        "type": "community.group_alert",
        "alert_id": alert.pk,
        "group": group.code,
        "group_name": group.name,
        "lat": alert.lat,
        "lng": alert.lng,
        "note": alert.note,
        "raised_at": alert.raised_at.isoformat(),
    }
    grid_people = User.objects.filter(node=group.node, role__in=GRID_WORKER_ROLES, is_active=True)
    people = {p.pk: p for p in [*members, *grid_people]}
    ack_within = timedelta(seconds=config.group_ack_target_s())
    messages = [
        outbox_message(
            channel=Channel.WEBSOCKET,
            recipient=person_group(person.pk),
            payload=payload,
            idempotency_key=f"community:alert:{alert.pk}:{person.pk}",
            node=group.node,
            person=person,
            requires_ack=True,
            ack_within=ack_within,
            subject=alert,
        )
        for person in people.values()
    ]
    messages.append(
        outbox_message(
            channel=Channel.WEBSOCKET,
            recipient=screen_group(group.node.code),
            payload=payload,
            idempotency_key=f"community:alert:{alert.pk}:screen",
            node=group.node,
            subject=alert,
        )
    )
    outbox_enqueue_many(messages)


def _response(actor: User, alert_id: int) -> AlertResponse:
    response = (
        AlertResponse.objects.select_for_update()
        .select_related("alert")
        .filter(alert_id=alert_id, person=actor)
        .first()
    )
    if response is None:
        raise NotFound()
    return response


@transaction.atomic
def alert_acknowledge(*, actor: User, alert_id: int) -> AlertResponse:
    """The member has seen the alert and is coming. A second tap keeps the first time."""
    response = _response(actor, alert_id)
    if response.acked_at is None:
        response.acked_at = timezone.now()
        response.save(update_fields=["acked_at"])
    # The alert's message to this member needs no reminder any more.
    notifications_acknowledge_for(person=actor, subject=response.alert)
    return response


@transaction.atomic
def alert_arrive(*, actor: User, alert_id: int, lat: float, lng: float) -> AlertResponse:
    """The member is at the alert: refused (422) when the phone is not near it, so arrival is
    measured, not claimed. Arriving acknowledges too. A second arrival is a Conflict."""
    response = _response(actor, alert_id)
    if response.arrived_at is not None:
        raise Conflict(_("已记录到场。"))
    alert = response.alert
    distance = distance_m(lng, lat, alert.lng, alert.lat)
    radius = config.group_arrive_radius_m()
    if distance > radius:
        raise InvalidInput(
            _("距离报警位置 %(d)d 米，到达 %(r)d 米以内才算到场。") % {"d": distance, "r": radius},
            extra={"distance_m": int(distance), "radius_m": radius},
        )
    now = timezone.now()
    response.arrived_at, response.arrive_distance_m = now, int(distance)
    response.acked_at = response.acked_at or now
    response.save(update_fields=["arrived_at", "arrive_distance_m", "acked_at"])
    notifications_acknowledge_for(person=actor, subject=alert)
    return response
