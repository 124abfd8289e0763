"""The heartbeat connection reads the broker's stream in large chunks: a burst of heartbeats,
packets split across chunk boundaries, all arrive; a reconnect starts from a clean stream; and
an alarm on the heartbeat topic in the middle of the burst is raised. Against the real local
Mosquitto; skipped without it, failed under SHOUWANG_REQUIRE_SERVICES=1."""

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from shouwang.devices.ingest import stats
from shouwang.devices.ingest.heartbeats import heartbeats_flush_once
from shouwang.devices.models import Alarm, Device
from shouwang.devices.mqtt.bridge import MqttBridge, mqtt_bridge_ensure, mqtt_bridge_stop
from shouwang.devices.mqtt.topics import heartbeat_topic
from shouwang.devices.tests.factories import Building, building
from shouwang.testing.city import build_city
from shouwang.testing.services import need_mqtt

WAIT_SECONDS = 15.0
BURST = 3000  # ≈ 200 KB of heartbeats: several 64 KB reads, packets cut at their edges


def eventually(check: Callable[[], Any]) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError("nothing arrived in time")


@pytest.fixture
def bridge(settings, categories: None) -> Iterator[MqttBridge]:
    url = need_mqtt()
    run = uuid.uuid4().hex[:8]
    settings.SHOUWANG_MQTT_URL = url
    settings.SHOUWANG_MQTT_SHARE_GROUP = f"test{run}"
    settings.SHOUWANG_MQTT_CLIENT_ID = f"shouwang-test-{run}"
    settings.SHOUWANG_MQTT_SESSION_EXPIRY = 0
    started = mqtt_bridge_ensure()
    assert isinstance(started, MqttBridge)
    eventually(lambda: started.connected)
    time.sleep(0.2)  # the subscriptions are in place
    yield started
    mqtt_bridge_stop()


@pytest.fixture
def device_client(bridge: MqttBridge) -> Iterator[mqtt.Client]:
    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    client.max_queued_messages_set(0)
    client.connect(bridge.address.host, bridge.address.port)
    client.loop_start()
    yield client
    client.disconnect()
    client.loop_stop()


@pytest.fixture
def site(bridge: MqttBridge) -> Building:
    return building(build_city().a, code=f"P-{uuid.uuid4().hex[:6]}")


def heard() -> int:
    return stats.totals().get("mqtt.heartbeats", 0)


def test_a_burst_of_heartbeats_all_arrive_and_the_newest_reading_wins(
    site: Building, device_client: mqtt.Client
) -> None:
    devices = site.devices
    before = heard()
    last = None
    for i in range(BURST):
        device = devices[i % len(devices)]
        body = {"Alarm_Status": 0, "Battery_Level": 30 + i % 70, "RSRP": -90 - i % 20, "SNR": 9}
        last = device_client.publish(heartbeat_topic(device.serial), json.dumps(body), qos=1)
    assert last is not None
    last.wait_for_publish(WAIT_SECONDS)
    eventually(lambda: heard() - before >= BURST)
    assert heard() - before == BURST
    heartbeats_flush_once()
    batteries = {d.serial: d.battery_level for d in Device.objects.filter(premises=site.premises)}
    newest = {
        devices[i % len(devices)].serial: 30 + i % 70 for i in range(BURST - len(devices), BURST)
    }
    assert batteries == newest


def test_alarm_in_the_middle_of_a_heartbeat_burst_is_raised(
    site: Building, device_client: mqtt.Client
) -> None:
    quiet, alarming = site.devices[0], site.devices[1]
    beat = json.dumps({"Alarm_Status": 0, "Battery_Level": 80})
    for i in range(BURST):
        if i == BURST // 2:
            smoke = json.dumps({"Alarm_Status": 1, "AlarmLevel": 2})
            device_client.publish(heartbeat_topic(alarming.serial), smoke, qos=1)
        info = device_client.publish(heartbeat_topic(quiet.serial), beat, qos=1)
    info.wait_for_publish(WAIT_SECONDS)
    alarm = eventually(lambda: Alarm.objects.filter(device=alarming).first())
    assert alarm.level == 2
    assert not Alarm.objects.filter(device=quiet).exists()


def test_heartbeats_arrive_again_after_the_connection_is_dropped(
    site: Building, bridge: MqttBridge, device_client: mqtt.Client
) -> None:
    device = site.devices[0]
    before = heard()
    device_client.publish(heartbeat_topic(device.serial), json.dumps({"Battery_Level": 41}), qos=1)
    eventually(lambda: heard() > before)
    bridge.beats._sock_close()  # as a broker restart would: paho reconnects on its own
    eventually(lambda: bridge.beats.is_connected())
    time.sleep(0.3)  # re-subscribed

    def landed() -> bool:
        body = json.dumps({"Battery_Level": 42})
        device_client.publish(heartbeat_topic(device.serial), body, qos=1).wait_for_publish(5)
        heartbeats_flush_once()
        return Device.objects.get(pk=device.pk).battery_level == 42

    eventually(landed)
