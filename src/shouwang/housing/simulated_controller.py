"""A door controller in software, for tests, the demo and trying the link: it holds the card
list it was last sent, acknowledges each list, and can present a card at the door."""

import json
import threading
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion


class SimulatedController:
    def __init__(self, url: str, prefix: str, serial: str, *, ack: bool = True) -> None:
        parsed = urlparse(url)
        self.prefix, self.serial, self.ack = prefix.rstrip("/"), serial, ack
        self.cards: list[str] = []
        self.version = 0
        self.lists_received = 0
        self.changed = threading.Condition()
        self.subscribed = threading.Event()
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"sim-door-{uuid.uuid4().hex[:8]}"
        )
        if parsed.username:
            self.client.username_pw_set(parsed.username, parsed.password)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = lambda *args: self.subscribed.set()
        self.client.on_message = self._on_message
        self.client.connect(parsed.hostname or "127.0.0.1", parsed.port or 1883)
        self.client.loop_start()

    def _topic(self, kind: str) -> str:
        return f"{self.prefix}/{self.serial}/{kind}"

    def _on_connect(self, client: mqtt.Client, *args: Any) -> None:
        client.subscribe(self._topic("cards"), qos=1)

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        body = json.loads(message.payload)
        with self.changed:
            self.cards, self.version = list(body["cards"]), int(body["version"])
            self.lists_received += 1
            self.changed.notify_all()
        if self.ack:
            client.publish(self._topic("ack"), json.dumps({"version": self.version}), qos=1)

    def present(self, card: str, *, opened: bool | None = None) -> str:
        """A card held to the reader. A controller opens for a card on its list; a stale list
        (`opened=True`) is how a revoked card gets in. Returns the event id."""
        event_id = uuid.uuid4().hex
        payload = {
            "id": event_id,
            "card": card,
            "at": datetime.now(UTC).isoformat(),
            "opened": card in self.cards if opened is None else opened,
        }
        self.client.publish(self._topic("event"), json.dumps(payload), qos=1)
        return event_id

    def stop(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()
