"""The MQTT bridge of one process: two subscriber connections and a pool of alarm workers.

- Events (QoS 1, manual acknowledgement): each message is handed to a bounded queue and taken
  by an alarm worker, which commits it and only then sends the PUBACK. When the queue is full
  the network thread waits for room, so the broker holds the messages (it stops sending past
  its in-flight window): nothing is dropped and memory stays bounded.
- Heartbeats (QoS 0): read straight into the coalescing buffer; when the buffer is full the
  network thread waits (offer_wait), we stop reading the socket, and the broker holds or drops
  heartbeats for us. Alarms found here are still raised on the spot.

Shared subscriptions (`$share/<group>/…`) split the traffic between processes. paho reconnects
on its own (1 s to 30 s back-off) and re-subscribes on every connect."""

import logging
import os
import queue
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode, MQTTProtocolVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from shouwang.devices.ingest import stats
from shouwang.devices.ingest.directory import directory
from shouwang.devices.ingest.pipeline import ingest
from shouwang.devices.models import Platform
from shouwang.devices.mqtt.topics import (
    ALARM_PRIORITY_TOPIC,
    EVENT_FILTER,
    HEARTBEAT_FILTER,
    mqtt_reading,
)
from shouwang.devices.push.errors import PushRefused
from shouwang.notify.delivery.now import sends_left_to_workers

logger = logging.getLogger(__name__)
ALARM_QUEUE_SIZE = 1000
HEARTBEAT_WAIT_SECONDS = 30.0
RETRY_SECONDS = 1.0
# After an alarm, heartbeats give way for this long: the alarm's case and notifications are
# being written and sent by other threads of this process, which share one interpreter lock
# with the heartbeat reader. A heartbeat late by a second changes nothing; an alarm does.
ALARM_PRIORITY_SECONDS = 1.0
YIELD_SECONDS = 0.002
MAX_EVENT_FAILURES = 10
READ_CHUNK = 65536  # bytes the heartbeat connection reads at once (≈ 1,000 heartbeats)


def mqtt_url() -> str:
    return settings.SHOUWANG_MQTT_URL


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None
    password: str | None
    tls: bool

    @classmethod
    def parse(cls, url: str) -> "BrokerAddress":
        parsed = urlparse(url)
        tls = parsed.scheme in {"mqtts", "ssl"}
        return cls(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or (8883 if tls else 1883),
            username=parsed.username,
            password=parsed.password,
            tls=tls,
        )


class _BufferedReads(mqtt.Client):
    """A paho client that reads its socket in large chunks. Stock paho makes a select() and
    three recv() calls per message (the type byte, the length byte, the rest); a heartbeat
    subscriber receiving tens of thousands of small messages a second spends more time in
    those system calls than in the messages. Here one recv() fills a buffer and the packets in
    it are handled in one go.

    - One chunk per round of paho's loop: a packet cut at the chunk's end waits (paho keeps
      its partial state) for the next round, so between chunks paho still sends keep-alives
      and notices loop_stop(), however long a flood lasts.
    - Back-pressure holds: while the heartbeat callback waits, nothing is read, and at most
      READ_CHUNK bytes sit in this buffer.
    - The buffer belongs to one socket: after a reconnect it starts empty."""

    _chunk: bytes = b""
    _chunk_at = 0
    _chunk_socket: object = None
    _chunk_read = False  # this round has read its chunk

    def _sock_recv(self, bufsize: int) -> bytes:
        chunk, at = self._chunk, self._chunk_at
        if at >= len(chunk) or self._chunk_socket is not self._sock:
            if self._chunk_read:
                raise BlockingIOError  # paho keeps the partial packet for the next round
            chunk, at = super()._sock_recv(READ_CHUNK), 0  # BlockingIOError when nothing came
            if not chunk:
                return chunk  # the broker closed the connection
            self._chunk, self._chunk_socket, self._chunk_read = chunk, self._sock, True
        self._chunk_at = at + bufsize
        return chunk[at : at + bufsize]

    def _buffered(self) -> bool:
        return self._chunk_at < len(self._chunk) and self._chunk_socket is self._sock

    def loop_read(self, max_packets: int = 1) -> MQTTErrorCode:
        # paho handles one packet per call; the rest of the chunk is already here.
        self._chunk_read = False
        rc = super().loop_read(max_packets)
        while rc == MQTTErrorCode.MQTT_ERR_SUCCESS and self._sock is not None and self._buffered():
            rc = super().loop_read(max_packets)
        return rc


def _client(
    name: str,
    address: BrokerAddress,
    *,
    kind: type[mqtt.Client] = mqtt.Client,
    protocol: MQTTProtocolVersion = MQTTProtocolVersion.MQTTv5,
    manual_ack: bool = False,
) -> mqtt.Client:
    client = kind(
        CallbackAPIVersion.VERSION2, client_id=name, protocol=protocol, manual_ack=manual_ack
    )
    if address.username:
        client.username_pw_set(address.username, address.password)
    if address.tls:
        client.tls_set(cert_reqs=ssl.CERT_REQUIRED)
    client.reconnect_delay_set(min_delay=1, max_delay=30)
    return client


class MqttBridge:
    def __init__(self, url: str) -> None:
        self.address = BrokerAddress.parse(url)
        # A persistent session (unacknowledged alarms kept by the broker across our restart)
        # only makes sense under a client id that survives the restart: the operator names
        # one per process. Without it each start would leave a session behind in the shared
        # group, and the broker would keep handing that dead session its share of alarms.
        stable = settings.SHOUWANG_MQTT_CLIENT_ID
        base = stable or f"shouwang-{socket.gethostname()}-{os.getpid()}"
        self.session_expiry = settings.SHOUWANG_MQTT_SESSION_EXPIRY if stable else 0
        self.group = settings.SHOUWANG_MQTT_SHARE_GROUP
        self.events = _client(f"{base}-events", self.address, manual_ack=True)
        # Heartbeats use MQTT 3.1.1: they need nothing of 5 (clean session, QoS 0; shared
        # subscriptions work with 3.1.1 on Mosquitto, EMQX and HiveMQ), and under 5 paho decodes
        # a properties block for every message, a third of the cost of a heartbeat.
        self.beats = _client(
            f"{base}-beats",
            self.address,
            kind=_BufferedReads,
            protocol=MQTTProtocolVersion.MQTTv311,
        )
        self.alarms: queue.Queue[mqtt.MQTTMessage] = queue.Queue(maxsize=ALARM_QUEUE_SIZE)
        self.stopping = threading.Event()
        self.priority_until = 0.0
        # Two: a burst's alarms share one interpreter, so more threads only interleave them
        # (every alarm then finishes near the end of the burst) while the database round trips
        # of two still overlap (bench/alarms.py: p99 595 ms with two, 641-804 with four).
        workers = settings.SHOUWANG_MQTT_ALARM_WORKERS
        self.threads = [
            threading.Thread(
                target=self._alarm_worker, name=f"devices.mqtt.alarms.{i}", daemon=True
            )
            for i in range(workers)
        ]

    def start(self) -> "MqttBridge":
        _warm()
        self._wire(self.events, EVENT_FILTER, 1, self._on_event, also=ALARM_PRIORITY_TOPIC)
        self.events.message_callback_add(ALARM_PRIORITY_TOPIC, self._on_alarm_elsewhere)
        self._wire(self.beats, HEARTBEAT_FILTER, 0, self._on_beat)
        self.beats.on_disconnect = self._on_beats_disconnect
        for thread in self.threads:
            thread.start()
        for client in (self.events, self.beats):
            client.connect_async(
                self.address.host, self.address.port, keepalive=30, **self._session(client)
            )
            client.loop_start()
        return self

    def _session(self, client: mqtt.Client) -> dict[str, Any]:
        if client is not self.events or not self.session_expiry:
            return {"clean_start": True}
        # Keep the event session (and its unacknowledged alarms) across a reconnect.
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = self.session_expiry
        return {"clean_start": False, "properties": properties}

    def stop(self) -> None:
        self.stopping.set()
        for client in (self.events, self.beats):
            client.disconnect()
            client.loop_stop()
        for thread in self.threads:
            thread.join(timeout=5)

    @property
    def connected(self) -> bool:
        return bool(self.events.is_connected() and self.beats.is_connected())

    def _wire(
        self, client: mqtt.Client, topic: str, qos: int, handler: Any, also: str = ""
    ) -> None:
        """`topic` shared with the other processes; `also` (QoS 0) to every process."""
        shared = f"$share/{self.group}/{topic}"

        def on_connect(c: mqtt.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
            if not reason.is_failure:
                c.subscribe(shared, qos=qos)
                if also:
                    c.subscribe(also, qos=0)
                stats.count("mqtt.connects")

        client.on_connect = on_connect
        client.on_message = handler

    def _on_event(self, client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        stats.count("mqtt.events")
        self.priority_until = time.monotonic() + ALARM_PRIORITY_SECONDS
        # Every other process gives way too: the broker shares heartbeats out to all of them,
        # and their flushes compete with this alarm for the database (bench/alarms.py's
        # overload minute on two processes: alarm p99 0.7-1.0 s against 0.4-0.7 s on one).
        client.publish(ALARM_PRIORITY_TOPIC, b"", qos=0)
        while not self.stopping.is_set():
            try:
                self.alarms.put(message, timeout=1.0)
                return
            except queue.Full:
                stats.count("mqtt.alarm_queue_full")

    def _on_alarm_elsewhere(self, *_args: Any) -> None:
        stats.count("mqtt.alarm_priority_signals")
        self.priority_until = time.monotonic() + ALARM_PRIORITY_SECONDS

    def _alarm_worker(self) -> None:
        try:
            while not self.stopping.is_set():
                try:
                    message = self.alarms.get(timeout=1.0)
                except queue.Empty:
                    continue
                try:
                    self._commit_event(message)
                finally:
                    self.alarms.task_done()
        finally:
            connection.close()  # this thread's own connection, not left to the garbage collector

    def _commit_event(self, message: mqtt.MQTTMessage) -> None:
        """Commits one event, retrying while the database is away; acknowledges it only after
        the commit, or when it can never be read, so the broker stops re-sending it."""
        failures = 0
        while not self.stopping.is_set():
            close_old_connections()
            try:
                reading = mqtt_reading(
                    topic=message.topic, payload=message.payload, received_at=timezone.now()
                )
                reading.source = Platform.MQTT
                # The rest of a burst waits behind this alarm: the realtime worker sends its
                # notifications in parallel instead of this thread waiting on the sockets.
                with sends_left_to_workers():
                    ingest([reading])
            except PushRefused as exc:
                stats.count(f"refused.mqtt.{exc.code}")
                logger.warning("mqtt event refused", extra={"topic": message.topic})
            except DatabaseError:
                logger.exception("mqtt event not committed; retrying")
                self.stopping.wait(RETRY_SECONDS)
                continue
            except Exception:
                # A bug must not kill the worker thread. The event is tried again a few times
                # (unacknowledged, the broker keeps it), then given up loudly.
                failures += 1
                logger.exception("mqtt event failed", extra={"attempt": failures})
                if failures < MAX_EVENT_FAILURES:
                    self.stopping.wait(RETRY_SECONDS)
                    continue
                stats.count("mqtt.events_failed")
            self.events.ack(message.mid, message.qos)
            self.priority_until = time.monotonic() + ALARM_PRIORITY_SECONDS
            return

    def _on_beats_disconnect(self, *_args: Any) -> None:
        # On the heartbeat connection's own thread: the database connection an alarm on the
        # heartbeat topic opened there is closed, not left to the garbage collector.
        connection.close()

    def _alarm_in_flight(self) -> bool:
        """An event is queued or being committed (put() counts it, the worker's task_done()
        uncounts it; reading the count needs no lock), or one was within the last second."""
        return self.alarms.unfinished_tasks > 0 or time.monotonic() < self.priority_until

    def _on_beat(self, _client: mqtt.Client, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        stats.count("mqtt.heartbeats")
        if self._alarm_in_flight():
            stats.count("mqtt.heartbeats_yielded")
            time.sleep(YIELD_SECONDS)  # frees the interpreter lock for the alarm's threads
        try:
            reading = mqtt_reading(
                topic=message.topic, payload=message.payload, received_at=datetime.now(UTC)
            )
            outcome = ingest([reading], wait_seconds=HEARTBEAT_WAIT_SECONDS)
        except PushRefused as exc:
            stats.count(f"refused.mqtt.{exc.code}")
            return
        except DatabaseError:
            # Only an alarm on the heartbeat topic touches the database here. A connection the
            # database dropped is replaced, or every later alarm here would fail the same way.
            logger.exception(
                "mqtt heartbeat-topic alarm not committed", extra={"topic": message.topic}
            )
            close_old_connections()
            return
        if outcome.heartbeats_refused:
            stats.count("mqtt.heartbeats_dropped")


def _warm() -> None:
    """Before subscribing: a process's first alarm would otherwise also pay for loading the
    device directory (100,000 devices: about 0.3 s), the alarm path's modules and what they
    keep in memory (bench/alarms.py saw 250-430 ms for a fresh worker's first alarms)."""
    try:
        from shouwang.devices.case_bridge import alarm_path_warm

        directory.warm()
        alarm_path_warm()
    except Exception:
        # Only slower: everything is loaded again on first use.
        logger.warning("mqtt bridge warm-up failed", exc_info=True)


_bridge: MqttBridge | None = None
_bridge_lock = threading.Lock()


def mqtt_bridge_ensure() -> MqttBridge | None:
    """This process's bridge, started on first call when SHOUWANG_MQTT_URL is set."""
    global _bridge
    url = mqtt_url()
    if not url:
        return None
    with _bridge_lock:
        if _bridge is None:
            _bridge = MqttBridge(url).start()
            logger.info("mqtt bridge started", extra={"host": _bridge.address.host})
        return _bridge


def mqtt_bridge_stop() -> None:
    global _bridge
    with _bridge_lock:
        if _bridge is not None:
            _bridge.stop()
            _bridge = None
