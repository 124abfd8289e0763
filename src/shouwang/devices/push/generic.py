"""Our generic push format, for devices and gateways that speak HTTP themselves.

    POST /api/v1/devices/push/generic
    X-Shouwang-Device: <device serial>
    X-Shouwang-Timestamp: <unix seconds>
    X-Shouwang-Signature: sha256=<hex HMAC-SHA256(device secret, "<timestamp>.<raw body>")>

    {"id": "<unique per device message>", "at": "2025-06-01T08:00:00+08:00" | epoch s/ms,
     "kind": "heartbeat" | "alarm" | "fault" | "event",
     "alarm": {"type": "smoke" | "gas" | "water_pressure" | "door" | "sos", "level": 1 | 2},
     "values": {"Alarm_Status": 1, "AlarmLevel": 2, "Battery_Level": 80, "RSRP": -95, ...}}

The signature covers the timestamp, which must lie within 5 minutes of our clock
(SHOUWANG_DEVICES_REPLAY_WINDOW_S); within it, a message with an `id` already seen for the
device is answered 200 and changes nothing, so a device may safely re-send after a lost
answer. `kind` "alarm" raises an alarm even without alarm values; otherwise the values decide
(readings.py). The same JSON body, unsigned, is the MQTT payload (mqtt/topics.py)."""

import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from shouwang.devices.ingest.directory import DeviceEntry, directory
from shouwang.devices.ingest.readings import DEFAULT_ALARM, DeviceKey, Reading
from shouwang.devices.models import Device, Platform
from shouwang.devices.push.common import (
    check_fresh,
    json_object,
    parse_time,
    text_field,
    window_seconds,
)
from shouwang.devices.push.errors import Malformed, SignatureInvalid, SignatureMissing
from shouwang.devices.secrets_store import DEVICE_SECRET_AAD, unseal

DEVICE_HEADER = "X-Shouwang-Device"
TIMESTAMP_HEADER = "X-Shouwang-Timestamp"
SIGNATURE_HEADER = "X-Shouwang-Signature"


def generic_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def _secret(entry: DeviceEntry) -> str:
    if entry.secret is None:
        cipher = Device.objects.filter(pk=entry.id).values_list("secret_cipher", flat=True).first()
        entry.secret = unseal(cipher or "", aad=DEVICE_SECRET_AAD)
    return entry.secret


def generic_authenticate(*, headers: Mapping[str, str], body: bytes, now: datetime) -> DeviceEntry:
    """The device that signed the message, or SignatureMissing/Invalid or Replayed."""
    serial, stamp, signature = (
        headers.get(DEVICE_HEADER, ""),
        headers.get(TIMESTAMP_HEADER, ""),
        headers.get(SIGNATURE_HEADER, ""),
    )
    if not (serial and stamp and signature):
        raise SignatureMissing()
    if not stamp.isdigit():
        raise Malformed(_("时间戳格式错误。"), extra={"field": TIMESTAMP_HEADER})
    check_fresh(
        parse_time(int(stamp)),
        now,
        window_seconds("SHOUWANG_DEVICES_REPLAY_WINDOW_S"),
    )
    entry = directory.find(DeviceKey(serial=serial))
    # An unknown device and a wrong secret are answered alike: no probing for serials.
    secret = _secret(entry) if entry is not None else ""
    expected = generic_signature(secret=secret, timestamp=int(stamp), body=body)
    if entry is None or not secret or not hmac.compare_digest(expected, signature):
        raise SignatureInvalid()
    return entry


def generic_reading(*, serial: str, data: dict[str, Any], received_at: datetime) -> Reading:
    """One message of our format (from HTTP after authentication, or from MQTT)."""
    values = data.get("values") or {}
    if not isinstance(values, dict):
        raise Malformed(_("字段格式错误：%(name)s") % {"name": "values"}, extra={"field": "values"})
    kind = text_field(data, "kind", required=False) or "event"
    alarm = data.get("alarm") if isinstance(data.get("alarm"), dict) else {}
    assert isinstance(alarm, dict)
    at = parse_time(data["at"]) if data.get("at") not in (None, "") else received_at
    return Reading(
        device=DeviceKey(serial=serial),
        source=Platform.GENERIC,
        message_id=text_field(data, "id"),
        at=at,
        values=values,
        alarm_hint=str(alarm.get("type") or (DEFAULT_ALARM if kind == "alarm" else "")),
        level_hint=int(alarm.get("level") or 0) if str(alarm.get("level", "")).isdigit() else 0,
        fault=kind == "fault",
    )


def generic_readings(*, headers: Mapping[str, str], body: bytes, now: datetime) -> list[Reading]:
    entry = generic_authenticate(headers=headers, body=body, now=now)
    return [generic_reading(serial=entry.serial, data=json_object(body), received_at=now)]
