"""Driving a simulated fleet against a running server, over MQTT or our signed HTTP push: each
device heartbeats every `heartbeat_s` seconds (spread evenly over the period), and alarms fire
at `alarm_rate` per second from random devices. Used by `shouwang simulate devices` and by
bench/alarms.py. A loop paced in 50 ms steps; it stops at the deadline or when `stop` is set."""

import json
import random
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from shouwang.devices.mqtt.bridge import BrokerAddress
from shouwang.devices.mqtt.topics import event_topic, heartbeat_topic
from shouwang.devices.push.generic import generic_signature
from shouwang.devices.services.fleet_register import SimulatedDevice

STEP_SECONDS = 0.05
HEARTBEAT_VALUES = {"Alarm_Status": 0, "Battery_Level": 86, "RSRP": -93, "SNR": 10}
ALARM_VALUES = {"Alarm_Status": 1, "AlarmLevel": 2, "Battery_Level": 86, "RSRP": -93, "SNR": 10}


def alarm_body(message_id: str | None = None) -> dict[str, Any]:
    return {
        "id": message_id or f"sim-{uuid.uuid4().hex}",
        "kind": "event",
        "at": datetime.now(UTC).isoformat(),
        "values": ALARM_VALUES,
    }


class Publisher(Protocol):
    def heartbeat(self, device: SimulatedDevice) -> None: ...
    def alarm(self, device: SimulatedDevice, body: dict[str, Any]) -> None: ...
    def close(self) -> None: ...


@dataclass
class Tally:
    heartbeats: int = 0
    alarms: int = 0
    errors: int = 0
    refused: int = 0  # HTTP 503: the server pushed back
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts: int) -> None:
        with self.lock:
            for name, n in counts.items():
                setattr(self, name, getattr(self, name) + n)


class MqttPublisher:
    def __init__(self, url: str, tally: Tally, *, client_id: str = "") -> None:
        address = BrokerAddress.parse(url)
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id or f"shouwang-sim-{uuid.uuid4().hex[:8]}",
            protocol=mqtt.MQTTv5,
        )
        if address.username:
            self.client.username_pw_set(address.username, address.password)
        self.client.max_queued_messages_set(100_000)  # bounded on the simulator's side too
        self.client.connect(address.host, address.port, keepalive=30)
        self.client.loop_start()
        self.tally = tally

    def heartbeat(self, device: SimulatedDevice) -> None:
        info = self.client.publish(heartbeat_topic(device.serial), json.dumps(HEARTBEAT_VALUES))
        self.tally.add(heartbeats=1, errors=int(info.rc != mqtt.MQTT_ERR_SUCCESS))

    def alarm(self, device: SimulatedDevice, body: dict[str, Any]) -> None:
        info = self.client.publish(event_topic(device.serial), json.dumps(body), qos=1)
        self.tally.add(alarms=1, errors=int(info.rc != mqtt.MQTT_ERR_SUCCESS))

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class HttpPublisher:
    """Our generic signed push, from a pool of threads sharing keep-alive connections."""

    def __init__(self, base_url: str, tally: Tally, *, workers: int = 32) -> None:
        self.url = base_url.rstrip("/") + "/api/v1/devices/push/generic"
        self.http = httpx.Client(timeout=10.0, limits=httpx.Limits(max_connections=workers))
        self.pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sim-http")
        self.tally = tally

    def _post(self, device: SimulatedDevice, body: dict[str, Any], kind: str) -> None:
        raw, stamp = json.dumps(body).encode(), int(time.time())
        headers = {
            "Content-Type": "application/json",
            "X-Shouwang-Device": device.serial,
            "X-Shouwang-Timestamp": str(stamp),
            "X-Shouwang-Signature": generic_signature(
                secret=device.secret, timestamp=stamp, body=raw
            ),
        }
        try:
            status = self.http.post(self.url, content=raw, headers=headers).status_code
        except httpx.HTTPError:
            status = 0
        self.tally.add(
            **{kind: 1}, refused=int(status == 503), errors=int(status not in (200, 503))
        )

    def heartbeat(self, device: SimulatedDevice) -> None:
        body = {
            "id": f"hb-{uuid.uuid4().hex[:12]}",
            "kind": "heartbeat",
            "values": HEARTBEAT_VALUES,
        }
        self.pool.submit(self._post, device, body, "heartbeats")

    def alarm(self, device: SimulatedDevice, body: dict[str, Any]) -> None:
        self.pool.submit(self._post, device, body, "alarms")

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.http.close()


def drive(
    *,
    fleet: Sequence[SimulatedDevice],
    publisher: Publisher,
    heartbeat_s: float,
    alarm_rate: float,
    duration: float | None,
    stop: threading.Event,
    on_alarm: Callable[[SimulatedDevice, dict[str, Any]], None] | None = None,
) -> None:
    """Paces heartbeats and alarms until the duration runs out or `stop` is set."""
    rng, started = random.Random(), time.monotonic()  # noqa: S311  (which device, not a secret)
    per_second = len(fleet) / heartbeat_s
    beat_due = alarm_due = 0.0
    cursor, last = 0, started
    while not stop.is_set() and (duration is None or time.monotonic() - started < duration):
        now = time.monotonic()
        beat_due += per_second * (now - last)
        alarm_due += alarm_rate * (now - last)
        last = now
        while beat_due >= 1:
            publisher.heartbeat(fleet[cursor])
            cursor, beat_due = (cursor + 1) % len(fleet), beat_due - 1
        while alarm_due >= 1:
            device, body = rng.choice(fleet), alarm_body()
            publisher.alarm(device, body)
            if on_alarm is not None:
                on_alarm(device, body)
            alarm_due -= 1
        stop.wait(max(0.0, STEP_SECONDS - (time.monotonic() - now)))
