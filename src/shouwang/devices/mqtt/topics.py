"""The MQTT topics and payloads.

Uplink (device → us), `<serial>` being the device's serial in our registry:
- `shouwang/devices/<serial>/event`     alarms, faults, restores — QoS 1. Committed before the
                                        PUBACK, so an alarm survives our restart.
- `shouwang/devices/<serial>/heartbeat` heartbeats and readings — QoS 0. Coalesced per device.
Payload: the generic JSON body (devices/push/generic.py) — {"id", "at", "kind", "alarm",
"values"} — or a vendor's bare object of values, e.g. {"Alarm_Status": 1, "AlarmLevel": 2,
"Battery_Level": 80, "RSRP": -95, "SNR": 9} or {"gas_sensor_state": 2, "valve_state": 1,
"battery_value": 90}. An alarm that arrives on the heartbeat topic is still raised. Without an
`id`, an event is identified by its bytes within a five-minute window, so a QoS 1 redelivery is
not a second alarm; send an `id` to make this exact.

Downlink (us → device): `shouwang/devices/<serial>/command`, QoS 1,
{"id": "<command id>", "command": "silence" | "self_test", "at": "<ISO 8601>"}.

The broker authenticates devices (per-device credentials and ACLs limiting each to its own
topics); MQTT payloads carry no signature of their own."""

import hashlib
import json
from datetime import datetime
from functools import partial
from typing import Any

from django.utils.translation import gettext_lazy as _

from shouwang.devices.ingest.readings import DeviceKey, Reading
from shouwang.devices.models import Platform
from shouwang.devices.push.errors import Malformed
from shouwang.devices.push.generic import generic_reading

PREFIX = "shouwang/devices"
EVENT_FILTER = f"{PREFIX}/+/event"
HEARTBEAT_FILTER = f"{PREFIX}/+/heartbeat"
# Between our own processes, not for devices: "an alarm is being handled, give way".
ALARM_PRIORITY_TOPIC = "shouwang/server/alarm-priority"
COMMANDS = ("silence", "self_test")
UNIQUE_WINDOW_SECONDS = 300
_raw_decode = json.JSONDecoder().raw_decode


def event_topic(serial: str) -> str:
    return f"{PREFIX}/{serial}/event"


def heartbeat_topic(serial: str) -> str:
    return f"{PREFIX}/{serial}/heartbeat"


def command_topic(serial: str) -> str:
    return f"{PREFIX}/{serial}/command"


def serial_of(topic: str) -> str:
    parts = topic.split("/")
    if len(parts) != 4 or "/".join(parts[:2]) != PREFIX or not parts[2]:
        raise Malformed(_("MQTT 主题格式错误。"))
    return parts[2]


def mqtt_reading(*, topic: str, payload: bytes | bytearray, received_at: datetime) -> Reading:
    """A reading from an uplink message; Malformed when it cannot be one. A vendor's bare object
    of values takes a short path: at 20,000 heartbeats a second every microsecond counts. A
    message without an `id` gets its de-duplication key from its bytes only if it turns out to
    be an alarm (Reading.dedup_id): a heartbeat has no use for one."""
    serial = serial_of(topic)
    try:
        data: Any = _json(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Malformed(_("消息体不是有效的 JSON。")) from exc
    if not isinstance(data, dict):
        raise Malformed(_("消息体应为 JSON 对象。"))
    message_id = data.get("id")
    derive = None if message_id else partial(_fingerprint, bytes(payload), received_at)
    if "values" not in data:
        own_id = str(message_id or "")
        return Reading(
            DeviceKey(serial), Platform.MQTT, own_id, received_at, data, derive_id=derive
        )
    if derive is not None:
        data["id"] = "-"  # generic_reading wants one; the derived one replaces it below
    reading = generic_reading(serial=serial, data=data, received_at=received_at)
    reading.source = Platform.MQTT
    if derive is not None:
        reading.message_id, reading.derive_id = "", derive
    return reading


def _json(payload: bytes | bytearray) -> Any:
    """json.loads, with a shortcut for what devices send (UTF-8, nothing around the value) that
    skips its encoding detection and whitespace handling: a third of its cost on a heartbeat.
    Anything else takes json.loads itself, errors included."""
    try:
        text = payload.decode()
        data, end = _raw_decode(text)
        if end == len(text):
            return data
    except ValueError:  # UnicodeDecodeError and JSONDecodeError both
        pass
    return json.loads(payload)


def _fingerprint(payload: bytes, received_at: datetime) -> str:
    bucket = int(received_at.timestamp() // UNIQUE_WINDOW_SECONDS)
    return f"{hashlib.sha256(payload).hexdigest()[:24]}:{bucket}"


def command_payload(*, command_id: str, command: str, at: datetime) -> bytes:
    body = {"id": command_id, "command": command, "at": at.isoformat()}
    return json.dumps(body, separators=(",", ":")).encode()
