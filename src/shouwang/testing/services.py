"""Local services in tests: a test that needs one skips with the reason when it is absent, and
fails instead under SHOUWANG_REQUIRE_SERVICES=1 (CI), so a missing service can't pass silently."""

import os
import socket
from urllib.parse import urlparse

import pytest

REDIS_URL = os.environ.get("SHOUWANG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
MQTT_URL = os.environ.get("SHOUWANG_TEST_MQTT_URL", "mqtt://127.0.0.1:1883")


def services_required() -> bool:
    return os.environ.get("SHOUWANG_REQUIRE_SERVICES", "") in {"1", "true", "yes"}


def _reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def need_service(name: str, url: str, default_port: int) -> str:
    if _reachable(url, default_port):
        return url
    reason = f"{name} is not reachable at {url}"
    if services_required():
        pytest.fail(f"{reason} and SHOUWANG_REQUIRE_SERVICES=1")
    pytest.skip(reason)


def need_redis() -> str:
    return need_service("Redis", REDIS_URL, 6379)


def need_mqtt() -> str:
    return need_service("MQTT broker", MQTT_URL, 1883)


def need_postgresql() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    reason = "this test needs PostgreSQL (set DATABASE_URL)"
    if services_required() and os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.fail(reason)
    pytest.skip(reason)
