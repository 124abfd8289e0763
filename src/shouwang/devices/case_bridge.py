"""Where devices meet the closed loop (cases), through its public verbs only (cases.feeders,
cases.services, cases.selectors). What contacts are sent on their own channels is
contact_cards.py.

An alarm incident is one case (kind alarm, channel device, priority urgent) at the premises,
received and dispatched at once — five-in-sync: assignments to the premises' five contacts, the
case room, their notifications (acknowledgement required) and the screens of its jurisdiction,
all in the transaction that committed the alarm. Each further alarm of the incident is a
timeline entry of the same case. A maintenance incident is one case (kind maintenance) left for
the dispatchers; it is cancelled when every device is restored.

The loop's services act for a person; for what the system does on its own here the actor is the
city's device gateway, a dispatcher account without a password that cannot sign in."""

import contextlib
import copy
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from shouwang.cases.feeders import Case, CaseChannel, CaseKind, case_is_open, case_join
from shouwang.cases.models import Assignment, AssignmentState, Category, Priority
from shouwang.cases.selectors import category_by_code
from shouwang.cases.services import (
    assignment_accept,
    assignment_arrive,
    case_cancel,
    case_dispatch,
    case_intake,
)
from shouwang.core.errors import ApplicationError, InvalidInput
from shouwang.core.models import JurisdictionNode, Role, Unit, UnitKind, User
from shouwang.core.refcache import ACCESS, forget_key, remembered
from shouwang.core.selectors import node_by_id
from shouwang.core.services.people import person_create
from shouwang.devices.models import Alarm, AlarmKind, ContactNotice, Incident, MaintenanceItem
from shouwang.notify.selectors import notifications_mine_list
from shouwang.notify.services import notification_acknowledge
from shouwang.places.models import Premises

CATEGORY_BY_KIND = {
    AlarmKind.SMOKE: "smoke_alarm",
    AlarmKind.GAS: "gas_leak",
    AlarmKind.WATER_PRESSURE: "fire_rescue",
    AlarmKind.DOOR: "suspicious",
    AlarmKind.SOS: "rescue",
    AlarmKind.OTHER: "fire_rescue",
}
MAINTENANCE_CATEGORY = "device_maintenance"
FALLBACK_CATEGORY = "fire_rescue"
RESPONDED = (AssignmentState.ACCEPTED, AssignmentState.ARRIVED, AssignmentState.RESOLVED)


def device_gateway(node: JurisdictionNode) -> User:
    """The city's device gateway account, created on first use. Every alarm acts as it, so it
    is remembered by the process with its node (core.refcache, "access" space: any save of a
    person forgets it); each caller gets its own copy."""
    city_code = node.path.strip("/").split("/")[0]  # the root of the path: no lineage query
    username = f"devices-gateway-{city_code}"
    key = ("devices.gateway", username)
    found = remembered(key, lambda: _gateway_found(username), space=ACCESS)
    if found is None:
        forget_key(key, space=ACCESS)  # not made yet: not kept
        return _gateway_create(username, city_code)
    return copy.copy(found)


def _gateway_found(username: str) -> User | None:
    return User.objects.filter(username=username).select_related("node").first()


def _gateway_create(username: str, city_code: str) -> User:
    try:
        with transaction.atomic():
            return person_create(
                username=username,
                role=Role.DISPATCHER,
                node=JurisdictionNode.objects.get(code=city_code),
                full_name="设备告警网关",
            )
    except (ApplicationError, IntegrityError):
        return User.objects.get(username=username)  # made by a concurrent alarm


def _category(code: str) -> Category:
    """The active category of that code (from process memory), else fire and rescue. Neither
    (the taxonomy switched off): InvalidInput, and the incident waits for its case."""
    try:
        return category_by_code(code)
    except InvalidInput:
        return category_by_code(FALLBACK_CATEGORY)


def alarm_path_warm() -> None:
    """Reads now what a process's first alarm would otherwise read while people wait for it:
    the categories alarms open (kept in process memory) and the interface catalogue."""
    with translation.override(settings.LANGUAGE_CODE):
        for code in {*CATEGORY_BY_KIND.values(), FALLBACK_CATEGORY}:
            with contextlib.suppress(InvalidInput):
                category_by_code(code)


def where(premises: Premises, alarm: Alarm | None) -> str:
    room = alarm.device.room if alarm is not None else None
    return f"{premises.name} {room.number}" if room is not None else premises.name


def _intake(actor: User, premises: Premises, category: Category, kind: CaseKind, text: str) -> Case:
    with translation.override(settings.LANGUAGE_CODE):
        return case_intake(
            actor=actor,
            category=category,
            description=text,
            channel=CaseChannel.DEVICE,
            kind=kind,
            priority=Priority.URGENT if kind == CaseKind.ALARM else None,
            lat=premises.lat,
            lng=premises.lng,
            address=premises.address or premises.name,
            node=premises.node,
        ).case


def alarm_case_open(*, premises: Premises, alarm: Alarm, notices: Sequence[ContactNotice]) -> Case:
    """Receives the alarm's case and dispatches it at once to the contacts of `notices` (saved
    or still to be saved: only their person and unit are read). The contacts' own channels are
    contact_cards.alarm_contacts_tell's, once the notices have ids. `alarm.device` comes with
    its room."""
    gateway = device_gateway(premises.node)
    with translation.override(settings.LANGUAGE_CODE):
        text = _("%(where)s：%(device)s %(serial)s %(kind)s") % {
            "where": where(premises, alarm),
            "device": alarm.device.get_device_type_display(),
            "serial": alarm.device.serial,
            "kind": alarm.get_kind_display(),
        }
    category = _category(CATEGORY_BY_KIND[AlarmKind(alarm.kind)])
    case = _intake(gateway, premises, category, CaseKind.ALARM, text)
    people = [n.person for n in notices if n.person is not None]
    units = _units_lead_first(n.unit for n in notices if n.person is None and n.unit is not None)
    if people or units:
        case_dispatch(actor=gateway, case=case, people=people, units=units, note=text)
    return case


def _units_lead_first(units: Iterable[Unit]) -> list[Unit]:
    # The first unit leads the case: the micro fire station, who will be on scene first.
    ordered = sorted(units, key=lambda u: u.kind != UnitKind.MICRO_FIRE_STATION)
    for unit in ordered:
        # Their notifications carry the unit's node: from process memory, not a query each.
        if not Unit.node.is_cached(unit):
            unit.node = node_by_id(pk=unit.node_id)
    return ordered


def alarm_case_join(*, incident: Incident, alarm: Alarm) -> None:
    """Another detector of the premises: one more entry on the incident's case."""
    if incident.case_id is None:
        return
    case_join(
        case=incident.case_id,
        actor=device_gateway(incident.premises.node),
        data={
            "alarm": alarm.pk,
            "device": alarm.device.serial,
            "room": alarm.device.room.number if alarm.device.room else None,
            "kind": alarm.kind,
        },
    )


def maintenance_case_open(*, incident: Incident, item: MaintenanceItem) -> int:
    premises = incident.premises
    with translation.override(settings.LANGUAGE_CODE):
        text = _("%(where)s：%(serial)s %(kind)s，请安排维护。") % {
            "where": premises.name,
            "serial": item.device.serial,
            "kind": item.get_kind_display(),
        }
    gateway = device_gateway(premises.node)
    category = _category(MAINTENANCE_CATEGORY)
    return _intake(gateway, premises, category, CaseKind.MAINTENANCE, text).pk


def maintenance_case_note(*, incident: Incident, item: MaintenanceItem) -> None:
    if incident.case_id is None or not case_is_open(incident.case_id):
        return
    case_join(
        case=incident.case_id,
        actor=device_gateway(incident.premises.node),
        data={
            "device": item.device.serial,
            "maintenance": item.kind,
            "item": item.pk,
            "resolved": item.resolved_at is not None,
        },
        announce=False,
    )


def maintenance_case_finish(*, incident: Incident, item: MaintenanceItem) -> None:
    if incident.case_id is None or not case_is_open(incident.case_id):
        return
    with translation.override(settings.LANGUAGE_CODE):
        reason = _("设备已全部恢复（最后恢复：%(serial)s）。") % {"serial": item.device.serial}
    gateway = device_gateway(incident.premises.node)
    case_cancel(actor=gateway, case=Case.objects.get(pk=incident.case_id), reason=reason)


def alarm_case_cancel(*, incident: Incident, actor: User, reason: str) -> None:
    if incident.case_id is None or not case_is_open(incident.case_id):
        return
    with translation.override(settings.LANGUAGE_CODE):
        text = _("误报：%(reason)s（%(who)s）") % {"reason": reason, "who": actor.display_name}
    gateway = device_gateway(incident.premises.node)
    case_cancel(actor=gateway, case=Case.objects.get(pk=incident.case_id), reason=text)


def case_of(notice: ContactNotice) -> Case | None:
    case_id = notice.incident.case_id
    return Case.objects.filter(pk=case_id).first() if case_id else None


def contact_acknowledged(*, notice: ContactNotice, actor: User | None) -> None:
    """The contact's acknowledgement also takes their task on the case (接单) and settles
    their notifications of it, so the loop's own timers stop chasing them."""
    case = case_of(notice)
    if case is None or actor is None:
        return
    # Already taken, or the case has moved on: the acknowledgement stands anyway.
    with contextlib.suppress(ApplicationError):
        assignment_accept(actor=actor, case=case)
    unacked = notifications_mine_list(user=actor, unacked=True).filter(
        subject_type=Case._meta.label, subject_id=str(case.pk)
    )
    for message_id in unacked.values_list("pk", flat=True):
        notification_acknowledge(actor=actor, message_id=message_id)


def contact_has_responded(*, notice: ContactNotice) -> bool:
    """Whether the contact took their task on the case some other way (the phone page)."""
    if notice.incident.case_id is None:
        return False
    who = {"person_id": notice.person_id} if notice.person_id else {"unit_id": notice.unit_id}
    return Assignment.objects.filter(
        case_id=notice.incident.case_id, state__in=RESPONDED, **who
    ).exists()


def station_arrived(*, incident: Incident, actor: User, lat: float, lng: float) -> None:
    case = Case.objects.filter(pk=incident.case_id).first() if incident.case_id else None
    if case is None:
        return
    # Not an assignee of this round, or already arrived: the incident keeps the time anyway.
    with contextlib.suppress(ApplicationError):
        assignment_arrive(actor=actor, case=case, lat=lat, lng=lng)
