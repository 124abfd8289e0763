"""The MQTT link to door controllers (HOUSING_MQTT_URL, else the devices' SHOUWANG_MQTT_URL).

Topics, under HOUSING_MQTT_PREFIX (default `shouwang/doors`), `<serial>` the controller's:
- `<prefix>/<serial>/cards` (us → controller, QoS 1): the whole list of active cards,
  {"serial", "version", "cards": ["10000001", …]}. Re-sent with back-off until acknowledged.
- `<prefix>/<serial>/ack`   (controller → us, QoS 1): {"version": N}, the list it now holds.
- `<prefix>/<serial>/event` (controller → us, QoS 1): a card at the door,
  {"id": "<event id>", "card": "10000001", "at": "<ISO 8601>", "opened": true}.

The state that matters is in the database (DoorController.list_version/acked_version), so a
restart loses nothing: the next round re-sends every list not yet acknowledged. Received
messages are queued by paho's thread and handled by the worker's round, in its own
connection and transactions."""

import json
import logging
import queue
import threading
import uuid
from datetime import datetime
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from paho.mqtt.enums import CallbackAPIVersion

from shouwang.core.errors import ApplicationError
from shouwang.housing.models import DoorController
from shouwang.housing.services.cards import (
    card_list_acknowledge,
    card_list_payload,
    card_list_pushed,
    door_event_record,
)

logger = logging.getLogger(__name__)
BATCH = 200


def broker_url() -> str:
    """HOUSING_MQTT_URL when set (a broker of its own, or a test's), else the devices' broker
    (SHOUWANG_MQTT_URL)."""
    return str(settings.HOUSING_MQTT_URL or settings.SHOUWANG_MQTT_URL)


def cards_topic(prefix: str, serial: str) -> str:
    return f"{prefix}/{serial}/cards"


class DoorLink:
    """One connection to the broker for all door controllers of this process."""

    def __init__(self, url: str, prefix: str) -> None:
        parsed = urlparse(url)
        self.prefix = prefix.rstrip("/")
        self.inbox: queue.Queue[tuple[str, bytes]] = queue.Queue(maxsize=10000)
        self.connected = threading.Event()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"shouwang-doors-{uuid.uuid4().hex[:8]}"
        )
        if parsed.username:
            self.client.username_pw_set(parsed.username, parsed.password)
        if parsed.scheme in {"mqtts", "ssl"}:
            self.client.tls_set()
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.connect_async(
            parsed.hostname or "127.0.0.1",
            parsed.port or (8883 if parsed.scheme in {"mqtts", "ssl"} else 1883),
        )
        self.client.loop_start()

    def _on_connect(self, client: mqtt.Client, *args: Any) -> None:
        client.subscribe([(f"{self.prefix}/+/ack", 1), (f"{self.prefix}/+/event", 1)])
        self.connected.set()

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        # Blocks paho's thread when the worker falls behind: the broker then holds the rest.
        self.inbox.put((message.topic, bytes(message.payload)))

    def stop(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()

    def tick(self, now: datetime | None = None) -> int:
        """One round: handle what came in, then publish every list that is due."""
        handled = self._drain()
        if not self.connected.is_set():
            return handled
        now = now or timezone.now()
        due = DoorController.objects.filter(next_push_at__lte=now).order_by("next_push_at")[:BATCH]
        for controller in due:
            payload = json.dumps(card_list_payload(controller))
            self.client.publish(cards_topic(self.prefix, controller.serial), payload, qos=1)
            card_list_pushed(controller=controller, now=now)
            handled += 1
        return handled

    def _drain(self) -> int:
        handled = 0
        while True:
            try:
                topic, payload = self.inbox.get_nowait()
            except queue.Empty:
                return handled
            try:
                self._handle(topic, payload)
            except (ValueError, KeyError, TypeError, ApplicationError) as exc:
                logger.warning("door message refused topic=%s error=%s", topic, exc)
            handled += 1

    def _handle(self, topic: str, payload: bytes) -> None:
        serial, kind = topic[len(self.prefix) + 1 :].split("/")
        body = json.loads(payload)
        if kind == "ack":
            card_list_acknowledge(serial=serial, version=int(body["version"]))
        elif kind == "event":
            at = parse_datetime(str(body.get("at", ""))) or timezone.now()
            door_event_record(
                serial=serial,
                card_number=str(body["card"]),
                at=at,
                event_id=str(body["id"])[:64],
                opened=bool(body.get("opened", True)),
            )


_link: DoorLink | None = None
_lock = threading.Lock()


def doors_link() -> DoorLink | None:
    """This process's link, started on first use; None when no broker is configured."""
    global _link
    with _lock:
        url = broker_url()
        if _link is None and url:
            _link = DoorLink(url, settings.HOUSING_MQTT_PREFIX)
        return _link


def doors_link_stop() -> None:
    global _link
    with _lock:
        if _link is not None:
            _link.stop()
            _link = None


def doors_tick() -> int:
    link = doors_link()
    return link.tick() if link is not None else 0
