"""What the MQTT heartbeat reader does with each message, without a broker: the bridge's
heartbeat callback is handed messages as paho hands them. A heartbeat without an id is still a
sign of life; an alarm on the heartbeat topic is raised at once and its redelivery is the same
alarm; heartbeats give way while an alarm is in flight; the counters add up across threads."""

import json
import threading

import paho.mqtt.client as mqtt
import pytest
from django.utils import timezone

from shouwang.devices.ingest import stats
from shouwang.devices.ingest.heartbeats import heartbeats_flush_once
from shouwang.devices.models import Alarm, Device, MaintenanceItem, MaintenanceKind
from shouwang.devices.mqtt.bridge import MqttBridge
from shouwang.devices.mqtt.topics import heartbeat_topic, mqtt_reading
from shouwang.devices.push.errors import Malformed
from shouwang.devices.tests.factories import Building

pytestmark = pytest.mark.django_db

HEARTBEAT = {"Alarm_Status": 0, "Battery_Level": 86, "RSRP": -93, "SNR": 10}
SMOKE = {"Alarm_Status": 1, "AlarmLevel": 2, "Battery_Level": 80}


@pytest.fixture
def bridge() -> MqttBridge:
    """A bridge that is never connected: only its callbacks are used."""
    return MqttBridge("mqtt://127.0.0.1:1")


def deliver(bridge: MqttBridge, serial: str, body: bytes | dict[str, object]) -> None:
    message = mqtt.MQTTMessage(topic=heartbeat_topic(serial).encode())
    message.payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    bridge._on_beat(None, None, message)  # type: ignore[arg-type]


def test_heartbeat_without_an_id_moves_last_seen_and_readings(
    house: Building, bridge: MqttBridge
) -> None:
    device = house.devices[0]
    deliver(bridge, device.serial, HEARTBEAT)
    assert heartbeats_flush_once() == 1
    device.refresh_from_db()
    assert (device.battery_level, device.rsrp, device.snr) == (86, -93, 10)
    assert device.last_seen_at is not None
    assert not Alarm.objects.exists()


def test_heartbeat_in_our_envelope_without_an_id_is_committed(
    house: Building, bridge: MqttBridge
) -> None:
    device = house.devices[0]
    deliver(bridge, device.serial, {"kind": "heartbeat", "values": {"Battery_Level": 55}})
    heartbeats_flush_once()
    assert Device.objects.get(pk=device.pk).battery_level == 55


def test_low_battery_on_the_heartbeat_topic_opens_one_maintenance_item(
    house: Building, bridge: MqttBridge
) -> None:
    device = house.devices[0]
    for _ in range(3):
        deliver(bridge, device.serial, {**HEARTBEAT, "Battery_Level": 9})
    heartbeats_flush_once()
    items = MaintenanceItem.objects.filter(device=device, resolved_at__isnull=True)
    assert list(items.values_list("kind", flat=True)) == [MaintenanceKind.LOW_BATTERY]


def test_alarm_on_the_heartbeat_topic_is_raised_at_once_and_its_redelivery_is_the_same_alarm(
    house: Building, bridge: MqttBridge
) -> None:
    device = house.devices[0]
    body = json.dumps(SMOKE).encode()
    deliver(bridge, device.serial, body)
    alarm = Alarm.objects.get(device=device)  # before any flush: not buffered
    assert (alarm.kind, alarm.level, alarm.source) == ("smoke", 2, "mqtt")
    deliver(bridge, device.serial, body)
    assert Alarm.objects.filter(device=device).count() == 1
    assert stats.totals()["alarms.duplicate"] >= 1


def test_alarms_without_ids_that_differ_are_two_alarms(house: Building, bridge: MqttBridge) -> None:
    device = house.devices[0]
    deliver(bridge, device.serial, SMOKE)
    deliver(bridge, device.serial, {**SMOKE, "Battery_Level": 79})
    assert Alarm.objects.filter(device=device).count() == 2


def test_alarm_with_its_own_id_is_de_duplicated_by_that_id(
    house: Building, bridge: MqttBridge
) -> None:
    device = house.devices[0]
    deliver(bridge, device.serial, {"id": "s-1", "values": SMOKE})
    deliver(bridge, device.serial, {"id": "s-1", "values": {**SMOKE, "Battery_Level": 70}})
    deliver(bridge, device.serial, {"id": "s-2", "values": SMOKE})
    assert Alarm.objects.filter(device=device).count() == 2


def test_heartbeats_give_way_while_an_alarm_is_in_flight(
    house: Building, bridge: MqttBridge
) -> None:
    device = house.devices[0]
    before = stats.totals().get("mqtt.heartbeats_yielded", 0)
    deliver(bridge, device.serial, HEARTBEAT)
    assert stats.totals().get("mqtt.heartbeats_yielded", 0) == before
    bridge.alarms.put(mqtt.MQTTMessage(topic=b"shouwang/devices/x/event"))
    deliver(bridge, device.serial, HEARTBEAT)
    assert stats.totals()["mqtt.heartbeats_yielded"] == before + 1
    bridge.alarms.get()
    bridge.alarms.task_done()  # what a worker does once the event is committed
    deliver(bridge, device.serial, HEARTBEAT)
    assert stats.totals()["mqtt.heartbeats_yielded"] == before + 1


def test_heartbeat_from_an_unknown_device_is_counted_and_dropped(
    house: Building, bridge: MqttBridge
) -> None:
    before = stats.totals().get("unknown_device.mqtt", 0)
    deliver(bridge, "NO-SUCH-DEVICE", HEARTBEAT)
    assert stats.totals()["unknown_device.mqtt"] == before + 1
    assert heartbeats_flush_once() == 0


def test_counts_from_many_threads_add_up_after_the_threads_end() -> None:
    before = stats.totals().get("test.beats", 0)

    def count_many() -> None:
        for _ in range(1000):
            stats.count("test.beats")

    threads = [threading.Thread(target=count_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats.count("test.beats", 5)
    assert stats.totals()["test.beats"] == before + 8005
    assert stats.totals()["test.beats"] == before + 8005  # ended threads are not counted twice


@pytest.mark.parametrize(
    "payload",
    [
        b' {"Battery_Level": 50} ',
        b'\xef\xbb\xbf{"Battery_Level": 50}',  # UTF-8 with a byte-order mark
        '{"Battery_Level": 50}'.encode("utf-16"),
    ],
)
def test_payloads_json_accepts_are_read(payload: bytes) -> None:
    reading = mqtt_reading(
        topic=heartbeat_topic("SD-1"), payload=payload, received_at=timezone.now()
    )
    assert reading.values == {"Battery_Level": 50}


@pytest.mark.parametrize("payload", [b'{"Battery_Level": 50} x', b"\xff\xfe\x00", b"[1]", b""])
def test_payloads_that_are_not_a_json_object_are_malformed(payload: bytes) -> None:
    with pytest.raises(Malformed):
        mqtt_reading(topic=heartbeat_topic("SD-1"), payload=payload, received_at=timezone.now())
