"""The bounded, coalescing heartbeat buffer between the sockets and the database.

A heartbeat only moves a device's last-seen time (and its battery and signal readings), so for
each device only the newest one matters: the buffer keeps one entry per device, and a burst of a
thousand beats from one device costs one row update. Its bound is on distinct devices. Past it,
`offer` refuses (the HTTP push answers 503 with Retry-After, and the platforms send again) and
`offer_wait` blocks (the MQTT heartbeat subscriber stops reading, so the broker holds or drops
heartbeats — never our memory). Alarms never come here (pipeline.py).

A flusher thread drains the buffer at least once a second, or sooner when a batch fills up,
and commits each batch in one transaction (services/heartbeats.py)."""

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, close_old_connections

from shouwang.devices.models import MaintenanceKind

logger = logging.getLogger(__name__)
FLUSH_SECONDS = 0.5
FLUSH_BATCH = 20_000


@dataclass(slots=True)
class Beat:
    at: float  # epoch seconds, the newest message's time
    interval_s: int
    battery: int | None = None
    rsrp: int | None = None
    snr: int | None = None
    opens: frozenset[MaintenanceKind] = frozenset()
    closes: frozenset[MaintenanceKind] = frozenset()
    count: int = 1  # messages coalesced into this entry

    def merge(self, newer: "Beat") -> None:
        if newer.at >= self.at:
            self.at, self.interval_s = newer.at, newer.interval_s
            self.battery = newer.battery if newer.battery is not None else self.battery
            self.rsrp = newer.rsrp if newer.rsrp is not None else self.rsrp
            self.snr = newer.snr if newer.snr is not None else self.snr
            self.opens = (self.opens - newer.closes) | newer.opens
            self.closes = (self.closes - newer.opens) | newer.closes
        self.count += newer.count


@dataclass
class BufferStats:
    offered: int = 0
    coalesced: int = 0
    refused: int = 0
    waited: int = 0
    flushed_rows: int = 0
    flushed_messages: int = 0
    flushes: int = 0
    last_flush_at: float = 0.0
    errors: int = 0


class HeartbeatBuffer:
    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.stats = BufferStats()
        self._pending: dict[int, Beat] = {}
        self._lock = threading.Lock()
        self._space = threading.Condition(self._lock)
        self._full_batch = threading.Event()

    def __len__(self) -> int:
        return len(self._pending)

    def offer(self, device_id: int, beat: Beat) -> bool:
        """Adds or coalesces without waiting; False when the buffer is full."""
        with self._lock:
            self.stats.offered += 1
            if self._put(device_id, beat):
                return True
            self.stats.refused += 1
            return False

    def offer_wait(self, device_id: int, beat: Beat, timeout: float) -> bool:
        """Adds or coalesces, waiting up to `timeout` seconds for room (back-pressure)."""
        with self._lock:
            self.stats.offered += 1
            if self._put(device_id, beat):
                return True
            deadline = time.monotonic() + timeout
            while not self._put(device_id, beat):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    self.stats.refused += 1
                    return False
                self.stats.waited += 1
                self._space.wait(min(remaining, FLUSH_SECONDS))
            return True

    def _put(self, device_id: int, beat: Beat) -> bool:
        current = self._pending.get(device_id)
        if current is not None:
            current.merge(beat)
            self.stats.coalesced += 1
            return True
        if len(self._pending) >= self.capacity:
            return False
        self._pending[device_id] = beat
        if len(self._pending) >= FLUSH_BATCH and not self._full_batch.is_set():
            self._full_batch.set()  # once: setting it takes a lock, and the flusher may be busy
        return True

    def drain(self) -> dict[int, Beat]:
        with self._lock:
            taken, self._pending = self._pending, {}
            self._full_batch.clear()
            self._space.notify_all()
        return taken

    def wait_for_batch(self, timeout: float) -> None:
        self._full_batch.wait(timeout)


def buffer_capacity() -> int:
    return int(settings.SHOUWANG_DEVICES_HEARTBEAT_BUFFER)


heartbeat_buffer = HeartbeatBuffer(buffer_capacity())
_flusher: threading.Thread | None = None
_flusher_lock = threading.Lock()


def heartbeats_flush_once() -> int:
    """Drains the buffer and commits it in batches; returns the rows written. On a database
    error a batch is offered back (newer beats win), so a failed flush loses nothing but time."""
    drained = heartbeat_buffer.drain()
    items = list(drained.items())
    rows = 0
    for start in range(0, len(items), FLUSH_BATCH):
        rows += _commit_chunk(dict(items[start : start + FLUSH_BATCH]))
    return rows


def _commit_chunk(beats: dict[int, Beat]) -> int:
    from shouwang.devices.services.heartbeats import heartbeats_commit

    try:
        result = heartbeats_commit(beats=beats)
    except DatabaseError:
        logger.exception("heartbeat flush failed", extra={"rows": len(beats)})
        heartbeat_buffer.stats.errors += 1
        for device_id, beat in beats.items():
            heartbeat_buffer.offer(device_id, beat)
        return 0
    stats = heartbeat_buffer.stats
    stats.flushes += 1
    stats.flushed_rows += result.rows
    stats.flushed_messages += sum(beat.count for beat in beats.values())
    stats.last_flush_at = time.time()
    return result.rows


def _flush_forever() -> None:
    while True:
        heartbeat_buffer.wait_for_batch(FLUSH_SECONDS)
        close_old_connections()
        heartbeats_flush_once()


def flusher_ensure() -> None:
    """Starts this process's flusher thread once, unless settings turn it off (tests that
    flush by hand)."""
    global _flusher
    if _flusher is not None or not settings.SHOUWANG_DEVICES_FLUSH_THREAD:
        return
    with _flusher_lock:
        if _flusher is None:
            _flusher = threading.Thread(target=_flush_forever, name="devices.heartbeats.flush")
            _flusher.daemon = True
            _flusher.start()
