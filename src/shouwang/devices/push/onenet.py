"""China Mobile OneNET data push (数据推送).

URL verification: OneNET calls `GET <url>?msg=<m>&nonce=<n>&signature=<s>` once when the push is
configured; we answer `m` itself, after checking `s = base64(md5(token + nonce + msg))`.
Each push: `POST {"msg": <string or object>, "nonce", "signature" (legacy: "msg_signature"),
"time": epoch ms, "id": <push id>}` with the same signature over the exact text of `msg`.
OneNET re-sends until it gets HTTP 200 (up to 16 times, 5-second answer timeout), so we answer
fast and de-duplicate on the message's own identity (readings' `message_id`).

Two shapes of `msg`, both accepted (a single object or a list):
- legacy: {"type": 1, "dev_id", "ds_id", "at", "value", "imei"?} a data point;
          {"type": 2, "dev_id", "status": 0|1, "at"} online/offline;
- thing model (OneNET Studio): {"messageType": "notify", "notifyType": "property"|"event",
  "productId", "deviceName", "data": {"id", "params": {"<identifier>": {"value", "time"}}}},
  and {"messageType": "lifeCycle", "deviceName", "data": {"status": "online"|"offline"}}.
Encrypted pushes (enc_msg, AES mode) are not supported: configure the push in plain mode."""

import base64
import hashlib
import hmac
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
from shouwang.devices.push.errors import Malformed, SignatureInvalid, SignatureMissing
from shouwang.devices.secrets_store import ONENET_TOKEN_AAD, unseal

ALARM_WORDS = ("alarm", "fire", "smoke", "gas_leak", "sos")
FAULT_WORDS = ("fault", "error", "malfunction")


def onenet_signature(*, token: str, nonce: str, msg: str) -> str:
    digest = hashlib.md5((token + nonce + msg).encode(), usedforsecurity=False).digest()
    return base64.b64encode(digest).decode()


def _token(subscription: PushSubscription) -> str:
    return unseal(subscription.token_cipher, aad=ONENET_TOKEN_AAD)


def onenet_check(*, subscription: PushSubscription, msg: str, nonce: str, signature: str) -> None:
    if not (nonce and signature):
        raise SignatureMissing()
    expected = onenet_signature(token=_token(subscription), nonce=nonce, msg=msg)
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise SignatureInvalid()


def raw_member(text: str, name: str) -> str | None:
    """The exact source text of a top-level member's value: OneNET signs the text as sent, and
    re-serialising a parsed object would not reproduce it byte for byte."""
    decoder, index = json.JSONDecoder(), text.index("{") + 1
    while True:
        index = _skip(text, index, ",")
        if text[index] == "}":
            return None
        key, index = decoder.raw_decode(text, index)
        index = _skip(text, index, ":")
        start = index
        _value, index = decoder.raw_decode(text, index)
        if key == name:
            return text[start:index]


def _skip(text: str, index: int, separator: str) -> int:
    while text[index] in " \t\r\n" + separator:
        index += 1
    return index


def _signed_msg(body: bytes, data: dict[str, Any]) -> str:
    msg = data.get("msg")
    if isinstance(msg, str):
        return msg
    if isinstance(msg, dict | list):
        raw = raw_member(body.decode(), "msg")
        if raw is not None:
            return raw
    raise Malformed(_("缺少字段：%(name)s") % {"name": "msg"}, extra={"field": "msg"})


def onenet_readings(*, subscription: PushSubscription, body: bytes, now: datetime) -> list[Reading]:
    data = json_object(body)
    signature = str(data.get("signature") or data.get("msg_signature") or "")
    msg_text = _signed_msg(body, data)
    onenet_check(
        subscription=subscription,
        msg=msg_text,
        nonce=str(data.get("nonce") or ""),
        signature=signature,
    )
    try:
        msg = json.loads(msg_text)
    except json.JSONDecodeError as exc:
        raise Malformed(_("msg 不是有效的 JSON。"), extra={"field": "msg"}) from exc
    items = msg if isinstance(msg, list) else [msg]
    if not items or not all(isinstance(item, dict) for item in items):
        raise Malformed(_("msg 格式错误。"), extra={"field": "msg"})
    window = window_seconds("SHOUWANG_DEVICES_PLATFORM_WINDOW_S")
    sent = data.get("time") or items[0].get("at") or items[0].get("timestamp")
    check_fresh(epoch_to_datetime(sent) if sent else now, now, window)
    push_id = str(data.get("id") or "")
    return [_reading(item, push_id, index, now) for index, item in enumerate(items)]


def _reading(item: dict[str, Any], push_id: str, index: int, now: datetime) -> Reading:
    if "messageType" in item:
        return _thing_model(item, push_id, index, now)
    return _legacy(item, now)


def _legacy(item: dict[str, Any], now: datetime) -> Reading:
    dev_id, imei = str(item.get("dev_id") or ""), str(item.get("imei") or "")
    if not (dev_id or imei):
        raise Malformed(_("缺少字段：%(name)s") % {"name": "dev_id"}, extra={"field": "dev_id"})
    at = epoch_to_datetime(item["at"]) if item.get("at") else now
    key = DeviceKey(imei=imei, platform_id=dev_id)
    if item.get("type") == 2:
        return Reading(key, Platform.ONENET, f"status:{item.get('at')}", at, presence_only=True)
    ds_id, value = str(item.get("ds_id") or "value"), item.get("value")
    values = value if isinstance(value, dict) else {ds_id: value}
    return Reading(key, Platform.ONENET, f"{ds_id}:{item.get('at')}", at, values=values)


def _thing_model(item: dict[str, Any], push_id: str, index: int, now: datetime) -> Reading:
    device = str(item.get("deviceName") or item.get("deviceId") or "")
    if not device:
        raise Malformed(_("缺少字段：%(name)s") % {"name": "deviceName"})
    data = item.get("data") if isinstance(item.get("data"), dict) else {}
    assert isinstance(data, dict)
    key = DeviceKey(serial=device, imei=device, platform_id=device)
    message_id = str(data.get("id") or f"{push_id}:{index}")
    at = epoch_to_datetime(item["timestamp"]) if item.get("timestamp") else now
    if item.get("messageType") == "lifeCycle":
        return Reading(key, Platform.ONENET, message_id, at, presence_only=True)
    params = data.get("params") if isinstance(data.get("params"), dict) else {}
    assert isinstance(params, dict)
    reading = Reading(key, Platform.ONENET, message_id, at, values=_flatten(params))
    if item.get("notifyType") == "event":
        names = " ".join(params).lower()
        reading.fault = any(word in names for word in FAULT_WORDS)
        if not reading.fault and any(word in names for word in ALARM_WORDS):
            reading.alarm_hint = DEFAULT_ALARM
    return reading


def _flatten(params: dict[str, Any]) -> dict[str, Any]:
    """{"Battery_Level": {"value": 80, "time": ...}} → {"Battery_Level": 80}; an event's value
    object is merged in, so its fields read like properties."""
    values: dict[str, Any] = {}
    for name, entry in params.items():
        value = entry.get("value") if isinstance(entry, dict) and "value" in entry else entry
        if isinstance(value, dict):
            values.update(value)
        else:
            values[name] = value
    return values
