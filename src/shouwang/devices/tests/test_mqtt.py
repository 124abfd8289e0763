"""MQTT round trip against the real local Mosquitto: an alarm published by a detector becomes
an alarm case, a heartbeat moves last-seen, and a silence command reaches the device's downlink
topic. Skipped without a broker, failed under SHOUWANG_REQUIRE_SERVICES=1."""

import json
import queue
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from shouwang.devices.ingest.heartbeats import heartbeats_flush_once
from shouwang.devices.models import Alarm, Device
from shouwang.devices.mqtt.bridge import (
    BrokerAddress,
    MqttBridge,
    mqtt_bridge_ensure,
    mqtt_bridge_stop,
)
from shouwang.devices.mqtt.topics import command_topic, event_topic, heartbeat_topic
from shouwang.devices.tests.factories import Building, building
from shouwang.testing.api import ApiClient
from shouwang.testing.city import build_city
from shouwang.testing.services import need_mqtt

WAIT_SECONDS = 15.0


def eventually(check: Callable[[], Any]) -> Any:
    """Polls until `check` returns something truthy (the broker and worker threads are real)."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError("nothing arrived in time")


@pytest.fixture
def broker(settings, categories: None) -> Iterator[BrokerAddress]:
    url = need_mqtt()
    run = uuid.uuid4().hex[:8]
    settings.SHOUWANG_MQTT_URL = url
    settings.SHOUWANG_MQTT_SHARE_GROUP = f"test{run}"
    settings.SHOUWANG_MQTT_CLIENT_ID = f"shouwang-test-{run}"
    settings.SHOUWANG_MQTT_SESSION_EXPIRY = 0  # leave no session behind on the broker
    bridge = mqtt_bridge_ensure()
    assert isinstance(bridge, MqttBridge)
    eventually(lambda: bridge.connected)
    yield bridge.address
    mqtt_bridge_stop()


@pytest.fixture
def device_client(broker: BrokerAddress) -> Iterator[mqtt.Client]:
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.connect(broker.host, broker.port)
    client.loop_start()
    yield client
    client.disconnect()
    client.loop_stop()


@pytest.fixture
def site(broker: BrokerAddress) -> Building:
    return building(build_city().a, code=f"P-{uuid.uuid4().hex[:6]}")


def test_detector_alarm_over_mqtt_becomes_an_alarm_case(
    site: Building, device_client: mqtt.Client
) -> None:
    device = site.devices[0]
    payload = {"Alarm_Status": 1, "AlarmLevel": 2, "Battery_Level": 77, "RSRP": -95, "SNR": 9}
    device_client.publish(event_topic(device.serial), json.dumps(payload), qos=1).wait_for_publish()
    alarm = eventually(lambda: Alarm.objects.filter(device=device).first())
    assert alarm.source == "mqtt"
    assert eventually(lambda: Alarm.objects.get(pk=alarm.pk).incident.case_id)


def test_gas_alarm_redelivered_by_the_broker_is_one_alarm(
    site: Building, device_client: mqtt.Client
) -> None:
    device = site.devices[0]
    body = json.dumps({"id": "gas-1", "values": {"gas_sensor_state": 2, "valve_state": 1}})
    for _attempt in range(2):
        device_client.publish(event_topic(device.serial), body, qos=1).wait_for_publish()
    eventually(lambda: Alarm.objects.filter(device=device).exists())
    time.sleep(0.5)  # let a second copy, if any, be processed before counting
    assert Alarm.objects.filter(device=device).count() == 1


def test_heartbeat_over_mqtt_moves_last_seen(site: Building, device_client: mqtt.Client) -> None:
    device = site.devices[0]
    body = json.dumps({"Alarm_Status": 0, "Battery_Level": 66, "RSRP": -97, "SNR": 8})
    device_client.publish(heartbeat_topic(device.serial), body, qos=0)

    def landed() -> bool:
        heartbeats_flush_once()
        return Device.objects.get(pk=device.pk).battery_level == 66

    eventually(landed)
    assert not Alarm.objects.filter(device=device).exists()


def test_silence_command_reaches_the_device_downlink_topic(
    site: Building, device_client: mqtt.Client
) -> None:
    device = site.devices[0]
    received: queue.Queue[dict[str, Any]] = queue.Queue()
    device_client.on_message = lambda _c, _u, m: received.put(json.loads(m.payload))
    device_client.subscribe(command_topic(device.serial), qos=1)
    time.sleep(0.2)  # the subscription is in place before the command goes out
    response = ApiClient(site.fire_officer.username).post(
        f"/api/v1/devices/{device.serial}/commands", {"command": "silence"}
    )
    assert response.status_code == 202, response.content
    command = received.get(timeout=WAIT_SECONDS)
    assert (command["command"], command["id"]) == ("silence", response.json()["id"])


def test_an_alarm_makes_every_process_give_way_not_only_the_one_handling_it(
    site: Building, device_client: mqtt.Client, settings
) -> None:
    handling = mqtt_bridge_ensure()
    assert handling is not None
    # A second process's bridge in the same shared group, under its own client ids.
    settings.SHOUWANG_MQTT_CLIENT_ID = f"{settings.SHOUWANG_MQTT_CLIENT_ID}-other"
    other = MqttBridge(settings.SHOUWANG_MQTT_URL).start()
    try:
        eventually(lambda: other.connected)
        time.sleep(0.5)  # both subscribed: the broker now shares events between them
        device = site.devices[0]
        body = json.dumps({"Alarm_Status": 1, "AlarmLevel": 2})
        device_client.publish(event_topic(device.serial), body, qos=1).wait_for_publish()
        # Only one of them takes the alarm; both hold their heartbeats back while it is handled.
        eventually(lambda: handling._alarm_in_flight() and other._alarm_in_flight())
        eventually(lambda: Alarm.objects.filter(device=device).exists())
    finally:
        other.stop()
