"""`shouwang simulate devices` registers a simulated fleet in the demo city and drives it
against a running server: heartbeats land, alarms become cases."""

import io
import os
import subprocess
import sys
import time

from django.core.management import call_command

from shouwang.cases.models import Case
from shouwang.devices.models import Alarm, Device
from shouwang.testing.city import build_city
from shouwang.testing.services import need_mqtt


def eventually(check, seconds: float = 15.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_simulated_fleet_over_http_heartbeats_and_alarms(
    categories: None, live_server_url: str
) -> None:
    build_city()
    out = io.StringIO()
    call_command(
        "simulate",
        "devices",
        "--count",
        "40",
        "--heartbeat",
        "10",
        "--alarm-rate",
        "4",
        "--via",
        "http",
        "--duration",
        "2",
        "--url",
        live_server_url,
        stdout=out,
    )
    assert "registered 40 simulated devices" in out.getvalue()
    assert Device.objects.filter(simulated=True).count() == 40
    assert eventually(
        lambda: Device.objects.filter(simulated=True, last_seen_at__isnull=False).exists()
    )
    assert eventually(lambda: Alarm.objects.exists())
    assert Case.objects.filter(kind="alarm").exists()
    assert "errors=0" in out.getvalue().splitlines()[-1]


def test_simulated_fleet_over_mqtt_reaches_the_server(
    categories: None, live_server_url: str, settings
) -> None:
    settings.SHOUWANG_MQTT_URL = need_mqtt()
    settings.SHOUWANG_MQTT_SHARE_GROUP = f"sim{time.time_ns()}"
    build_city()
    from shouwang.devices.mqtt.bridge import mqtt_bridge_ensure, mqtt_bridge_stop

    bridge = mqtt_bridge_ensure()
    assert bridge is not None and eventually(lambda: bridge.connected)
    try:
        call_command(
            "simulate",
            "devices",
            "--count",
            "20",
            "--heartbeat",
            "10",
            "--alarm-rate",
            "3",
            "--via",
            "mqtt",
            "--duration",
            "2",
            stdout=io.StringIO(),
        )
        assert eventually(lambda: Alarm.objects.filter(source="mqtt").exists())
        assert eventually(
            lambda: Device.objects.filter(simulated=True, last_seen_at__isnull=False).exists()
        )
    finally:
        mqtt_bridge_stop()


def test_the_simulator_drives_the_served_port_by_default() -> None:
    env = {k: v for k, v in os.environ.items() if k != "SHOUWANG_URL"}
    env |= {"PORT": "8112", "SHOUWANG_ENV_FILE": os.devnull}
    code = "from django.conf import settings; print(settings.SHOUWANG_URL)"
    shown = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()

    assert shown == "http://127.0.0.1:8112"
