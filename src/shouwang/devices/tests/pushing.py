"""Sending pushes as the platforms and devices do, through Django's test client with CSRF
checks on (a machine endpoint must not need a CSRF token)."""

import base64
import json
import time
from typing import Any

from django.test import Client

from shouwang.devices.push.generic import generic_signature
from shouwang.devices.push.onenet import onenet_signature
from shouwang.devices.tests.factories import SECRET

GENERIC_URL = "/api/v1/devices/push/generic"


def machine() -> Client:
    return Client(enforce_csrf_checks=True)


def generic_post(
    serial: str,
    body: dict[str, Any],
    *,
    secret: str = SECRET,
    timestamp: int | None = None,
    signature: str | None = None,
) -> Any:
    raw = json.dumps(body).encode()
    stamp = int(time.time()) if timestamp is None else timestamp
    headers = {
        "X-Shouwang-Device": serial,
        "X-Shouwang-Timestamp": str(stamp),
        "X-Shouwang-Signature": signature
        if signature is not None
        else generic_signature(secret=secret, timestamp=stamp, body=raw),
    }
    return machine().post(GENERIC_URL, raw, content_type="application/json", headers=headers)


def onenet_body(
    msg: Any,
    *,
    token: str,
    nonce: str = "n0nce",
    at_ms: int | None = None,
    push_id: str = "push-1",
    as_string: bool = True,
) -> bytes:
    msg_text = json.dumps(msg, separators=(",", ":"), ensure_ascii=False)
    body = {
        "msg": msg_text if as_string else msg,
        "nonce": nonce,
        "signature": onenet_signature(token=token, nonce=nonce, msg=msg_text),
        "time": int(time.time() * 1000) if at_ms is None else at_ms,
        "id": push_id,
    }
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    if not as_string:
        # The signature covers the exact text of the object as sent.
        text = text.replace(json.dumps(msg, ensure_ascii=False, separators=(",", ":")), msg_text)
    return text.encode()


def ctwing_body(
    imei: str, *, message_type: str = "dataReport", payload: Any = None, sn: int = 1, **extra: Any
) -> bytes:
    body = {
        "messageType": message_type,
        "IMEI": imei,
        "deviceId": f"dev-{imei}",
        "timestamp": int(time.time() * 1000),
        "upPacketSN": sn,
        "tenantId": "10001",
        "productId": "15000000",
        "payload": payload if payload is not None else {},
        **extra,
    }
    return json.dumps(body).encode()


def app_data(values: dict[str, Any]) -> dict[str, str]:
    return {"APPdata": base64.b64encode(json.dumps(values).encode()).decode()}
