"""API shapes of the devices app."""

from datetime import datetime
from typing import Any

from ninja import Field, Schema
from pydantic import ConfigDict

from shouwang.core.schema_related import related


class DeviceOut(Schema):
    serial: str
    imei: str | None
    device_type: str
    vendor: str
    model: str
    platform: str
    premises_code: str
    resolve_premises_code = related("premises.code")
    premises_name: str
    resolve_premises_name = related("premises.name")
    node_code: str
    resolve_node_code = related("premises.node.code")
    room: str | None = None
    resolve_room = related("room.number")
    heartbeat_interval_s: int
    state: str
    last_seen_at: datetime | None
    simulated: bool
    alarm_count: int
    false_alarm_count: int
    fault_count: int
    battery_level: int | None
    rsrp: int | None
    snr: int | None


class NoticeOut(Schema):
    role: str
    person: str | None = None
    resolve_person = related("person.username")
    unit: str | None = None
    resolve_unit = related("unit.code")
    fallback: bool
    notified_at: datetime
    ack_deadline: datetime
    acked_at: datetime | None
    ack_via: str
    reminders: int
    escalated_at: datetime | None


class AlarmOut(Schema):
    # Built from an Alarm, and re-built by name into AlarmDetail.
    model_config = ConfigDict(populate_by_name=True)

    id: int
    kind: str
    level: int
    source: str
    device_serial: str
    resolve_device_serial = related("device.serial")
    premises_code: str
    resolve_premises_code = related("device.premises.code")
    premises_name: str
    resolve_premises_name = related("device.premises.name")
    room: str | None = None
    resolve_room = related("device.room.number")
    occurred_at: datetime
    received_at: datetime
    false_alarm: bool
    case_id: int | None = None
    resolve_case_id = related("incident.case_id")
    incident_open: bool | None = None
    resolve_incident_open = related("incident.is_open")


class AlarmDetail(AlarmOut):
    payload: dict[str, Any]
    station_arrive_deadline: datetime | None = None
    station_arrived_at: datetime | None = None
    station_on_time: bool | None = None
    notices: list[NoticeOut] = []


class StationArriveIn(Schema):
    lat: float = Field(ge=-90, le=90, strict=True)
    lng: float = Field(ge=-180, le=180, strict=True)


class FalseAlarmIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


class CommandIn(Schema):
    command: str = Field(pattern=r"^(silence|self_test)$")


class CommandOut(Schema):
    id: str
    command: str


class SecretOut(Schema):
    serial: str
    secret: str


class ImportOut(Schema):
    rows: int
    devices_created: int
    premises_created: int
