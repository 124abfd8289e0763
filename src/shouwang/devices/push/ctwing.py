"""China Telecom CTWing (AIoT) subscription push (订阅推送).

CTWing does not sign bodies: the push URL carries a per-subscription secret
(`/api/v1/devices/push/ctwing/<secret>`, of which we keep only the SHA-256), and the
subscription may name the source addresses it pushes from. It re-sends until it gets HTTP 200;
`upPacketSN` (per device) identifies a message across re-sends.

    {"messageType": "dataReport", "IMEI", "deviceId", "timestamp": epoch ms, "upPacketSN",
     "payload": {"serviceData": {...}} | {...} | {"APPdata": "<base64>"}}
    {"messageType": "eventReport", "eventType": 1 info | 2 warning | 3 fault, "IMEI",
     "deviceId", "timestamp", "upPacketSN", "eventContent"|"payload": {...}}
    {"messageType": "deviceOnlineOfflineReport", "eventType": 1 online | 0 offline, ...}

APPdata that is JSON is read as values; other bytes (a vendor's binary frame) are kept as hex
and count as a heartbeat."""

import base64
import binascii
import hashlib
import ipaddress
import json
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _

from shouwang.devices.ingest.readings import DEFAULT_ALARM, DeviceKey, Reading
from shouwang.devices.models import Platform, PushSubscription
from shouwang.devices.push.common import (
    check_fresh,
    epoch_to_datetime,
    json_object,
    window_seconds,
)
from shouwang.devices.push.errors import Malformed, SignatureInvalid, SourceNotAllowed

EVENT_WARNING, EVENT_FAULT = 2, 3


def url_secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def ctwing_subscription(*, secret: str, source_ip: str | None) -> PushSubscription:
    subscription = PushSubscription.objects.filter(
        url_secret_hash=url_secret_hash(secret), platform=Platform.CTWING, is_active=True
    ).first()
    if subscription is None:
        raise SignatureInvalid()
    if subscription.allowed_sources and not source_allowed(source_ip, subscription.allowed_sources):
        raise SourceNotAllowed(extra={"source": source_ip or ""})
    return subscription


def source_allowed(source_ip: str | None, allowed: str) -> bool:
    try:
        address = ipaddress.ip_address(source_ip or "")
    except ValueError:
        return False
    for item in allowed.split(","):
        try:
            if item.strip() and address in ipaddress.ip_network(item.strip(), strict=False):
                return True
        except ValueError:
            continue  # a typo in the list must not open it up; it matches nothing
    return False


def ctwing_readings(*, body: bytes, now: datetime) -> list[Reading]:
    data = json_object(body)
    kind = str(data.get("messageType") or "")
    if kind not in {"dataReport", "eventReport", "deviceOnlineOfflineReport"}:
        raise Malformed(_("不支持的消息类型：%(kind)s") % {"kind": kind or "-"})
    imei, device_id = str(data.get("IMEI") or ""), str(data.get("deviceId") or "")
    if not (imei or device_id):
        raise Malformed(_("缺少字段：%(name)s") % {"name": "IMEI"}, extra={"field": "IMEI"})
    if data.get("timestamp") in (None, ""):
        raise Malformed(_("缺少字段：%(name)s") % {"name": "timestamp"})
    at = epoch_to_datetime(data["timestamp"])
    window = window_seconds("SHOUWANG_DEVICES_PLATFORM_WINDOW_S")
    check_fresh(at, now, window)
    reading = Reading(DeviceKey(imei=imei, platform_id=device_id), Platform.CTWING, _id(data), at)
    if kind == "deviceOnlineOfflineReport":
        reading.presence_only = True
        return [reading]
    reading.values = _values(data.get("eventContent") or data.get("payload"))
    if kind == "eventReport":
        event_type = data.get("eventType")
        reading.fault = event_type == EVENT_FAULT
        reading.alarm_hint = DEFAULT_ALARM if event_type == EVENT_WARNING else ""
    return [reading]


def _id(data: dict[str, Any]) -> str:
    # -1 means the platform assigned no sequence number (e.g. some LwM2M reports).
    sequence = data.get("upPacketSN")
    if isinstance(sequence, int) and sequence >= 0:
        return f"sn:{sequence}"
    return f"{data.get('messageType')}:{data.get('timestamp')}"


def _values(payload: Any) -> dict[str, Any]:
    if not isinstance(payload, dict):
        return {}
    if "APPdata" in payload:
        return _app_data(payload["APPdata"])
    service_data = payload.get("serviceData")
    return dict(service_data) if isinstance(service_data, dict) else dict(payload)


def _app_data(encoded: Any) -> dict[str, Any]:
    try:
        raw = base64.b64decode(str(encoded), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise Malformed(_("APPdata 不是有效的 Base64。"), extra={"field": "APPdata"}) from exc
    try:
        decoded = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {"raw": raw.hex()}
    return decoded if isinstance(decoded, dict) else {"raw": raw.hex()}
