"""Thin API handlers: parse, call a selector or service, return. The push endpoints (machine to
machine, signed) live in devices/push/api.py and the CAP feed in devices/cap/api.py."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Status, UploadedFile
from ninja.pagination import paginate

from shouwang.core.api import acting_user
from shouwang.core.errors import InvalidInput, PermissionDeniedError
from shouwang.core.pagination import Pages
from shouwang.core.roles import COMMAND_ROLES
from shouwang.devices import selectors
from shouwang.devices.cap.api import cap_router
from shouwang.devices.ingest import stats
from shouwang.devices.models import Alarm
from shouwang.devices.push.api import push_router
from shouwang.devices.schemas import (
    AlarmDetail,
    AlarmOut,
    CommandIn,
    CommandOut,
    DeviceOut,
    FalseAlarmIn,
    ImportOut,
    NoticeOut,
    SecretOut,
    StationArriveIn,
)
from shouwang.devices.services import commands, device_import, registry, responses

router = Router(tags=["devices"])


@router.get("/devices/alarms", response=list[AlarmOut])
@paginate(Pages, page_size=50)
def list_alarms(request: HttpRequest, open: bool = False, premises: str | None = None) -> object:
    """Alarms in your jurisdiction or addressed to you, newest first."""
    return selectors.alarms_list(user=acting_user(request), open_only=open, premises_code=premises)


def _alarm_detail(alarm: Alarm) -> AlarmDetail:
    incident = alarm.incident
    notices = selectors.incident_notices(incident=incident) if incident else []
    return AlarmDetail(
        **AlarmOut.from_orm(alarm).dict(),
        payload=alarm.payload,
        station_arrive_deadline=incident.arrive_deadline if incident else None,
        station_arrived_at=incident.station_arrived_at if incident else None,
        station_on_time=incident.station_on_time if incident else None,
        notices=[NoticeOut.from_orm(n) for n in notices],
    )


@router.get("/devices/alarms/{alarm_id}", response=AlarmDetail)
def get_alarm(request: HttpRequest, alarm_id: int) -> AlarmDetail:
    """One alarm with its five contacts and who has acknowledged."""
    return _alarm_detail(selectors.alarm_get(user=acting_user(request), alarm_id=alarm_id))


@router.post("/devices/alarms/{alarm_id}/ack", response=AlarmDetail)
def acknowledge_alarm(request: HttpRequest, alarm_id: int) -> AlarmDetail:
    """You (or your unit) acknowledge the alarm. Repeating it changes nothing."""
    user = acting_user(request)
    responses.alarm_acknowledge(actor=user, alarm_id=alarm_id)
    return _alarm_detail(selectors.alarm_get(user=user, alarm_id=alarm_id))


@router.post("/devices/alarms/{alarm_id}/arrive", response=AlarmDetail)
def station_arrive(request: HttpRequest, alarm_id: int, payload: StationArriveIn) -> AlarmDetail:
    """The micro fire station reports arrival (timed against one minute)."""
    user = acting_user(request)
    responses.station_arrive(actor=user, alarm_id=alarm_id, lat=payload.lat, lng=payload.lng)
    return _alarm_detail(selectors.alarm_get(user=user, alarm_id=alarm_id))


@router.post("/devices/alarms/{alarm_id}/false-alarm", response=AlarmDetail)
def mark_false_alarm(request: HttpRequest, alarm_id: int, payload: FalseAlarmIn) -> AlarmDetail:
    """Marks a false alarm, counted against the device; ends the incident when all are false."""
    user = acting_user(request)
    responses.alarm_mark_false(actor=user, alarm_id=alarm_id, reason=payload.reason)
    return _alarm_detail(selectors.alarm_get(user=user, alarm_id=alarm_id))


@router.post("/devices/import", response=ImportOut)
def import_devices(request: HttpRequest, file: File[UploadedFile]) -> ImportOut:
    """Devices from an Excel (.xlsx) or CSV file, all rows or none. Problems come back as 422
    with `extra.errors`: row, column and the message in Chinese and English."""
    report = device_import.devices_import(
        actor=acting_user(request), filename=file.name or "", content=file.read(), request=request
    )
    if not report.ok:
        raise InvalidInput(
            _("导入文件有 %(count)d 处错误，未导入任何设备。") % {"count": len(report.problems)},
            extra={"errors": report.problems_json()},
        )
    return ImportOut(
        rows=report.rows,
        devices_created=report.devices_created,
        premises_created=report.premises_created,
    )


@router.get("/devices/ingest/stats")
def ingest_stats(request: HttpRequest) -> dict[str, Any]:
    """This process's ingestion counters (received, refused by reason, heartbeat buffer) and,
    under `cluster`, those of every live process summed (shared through Redis)."""
    user = acting_user(request)
    if not (user.is_superuser or user.role in COMMAND_ROLES):
        raise PermissionDeniedError()
    return {**stats.snapshot(), "cluster": stats.cluster_snapshot()}


@router.get("/devices", response=list[DeviceOut])
@paginate(Pages, page_size=100)
def list_devices(
    request: HttpRequest,
    premises: str | None = None,
    state: str | None = None,
    type: str | None = None,
    simulated: bool | None = None,
    q: str | None = None,
) -> object:
    """Devices in your jurisdiction, by premises, state (new/online/offline), type and text."""
    return selectors.devices_list(
        user=acting_user(request),
        premises_code=premises,
        state=state,
        device_type=type,
        simulated=simulated,
        search=q,
    )


@router.get("/devices/{serial}", response=DeviceOut)
def get_device(request: HttpRequest, serial: str) -> object:
    return selectors.device_get(user=acting_user(request), serial=serial)


@router.post("/devices/{serial}/commands", response={202: CommandOut})
def send_command(request: HttpRequest, serial: str, payload: CommandIn) -> Status[CommandOut]:
    """Silence or self-test a device over MQTT (audited)."""
    user = acting_user(request)
    device = selectors.device_get(user=user, serial=serial)
    command_id = commands.device_command_send(actor=user, device=device, command=payload.command)
    return Status(202, CommandOut(id=command_id, command=payload.command))


@router.post("/devices/{serial}/secret", response=SecretOut)
def rotate_secret(request: HttpRequest, serial: str) -> SecretOut:
    """A new secret for the generic push, shown once; the old one stops working."""
    user = acting_user(request)
    if not (user.is_superuser or user.role in COMMAND_ROLES):
        raise PermissionDeniedError()
    device = selectors.device_get(user=user, serial=serial)
    return SecretOut(serial=serial, secret=registry.device_secret_rotate(device=device))


router.add_router("/devices/push", push_router)
router.add_router("/cap", cap_router)
