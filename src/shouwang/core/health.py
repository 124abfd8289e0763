"""Health probes for /healthz: each answers "ok" or a short reason, never raises."""

import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.db import connection


def database_health() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001  (a probe reports any failure instead of raising)
        return f"error: {type(exc).__name__}"
    return "ok"


def cache_health() -> str:
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=10)
        ok = cache.get(key) == value
        cache.delete(key)
    except Exception as exc:  # noqa: BLE001  (a probe reports any failure instead of raising)
        return f"error: {type(exc).__name__}"
    return "ok" if ok else "error: read-back mismatch"


async def _channel_round_trip() -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "healthz.ping"})
    message = await layer.receive(channel)
    return bool(message.get("type") == "healthz.ping")


def channel_layer_health() -> str:
    try:
        ok = async_to_sync(_channel_round_trip)()
    except Exception as exc:  # noqa: BLE001  (a probe reports any failure instead of raising)
        return f"error: {type(exc).__name__}"
    return "ok" if ok else "error: no channel layer"
