"""Counters of what this process received, accepted and refused, for the ingest stats endpoint
and the benchmark. Refusals are also logged one by one (push/responses.py). Counters are per
process: with several processes, each reports its own.

The MQTT heartbeat reader counts every message, tens of thousands a second, so counting takes no
lock: each thread adds to its own tally, and a snapshot sums them (a tally is copied in one step
under the interpreter lock, so a snapshot never sees a half-made addition). The tallies of
threads that have ended are folded into one, so a server whose worker threads come and go keeps
its totals without keeping every thread's tally.

With Redis, each process also publishes its snapshot there (`snapshot_publish`, from the
heartbeat flusher, at most twice a second) and `cluster_snapshot` sums every live process's:
the MQTT bridge runs in every `shouwang serve` and `shouwang worker`, and the broker shares the
traffic out between them. A process silent for STALE_SECONDS is left out (and its entry
removed); a restarted one counts from zero again."""

import json
import logging
import os
import socket
import threading
import time
from collections import Counter
from typing import Any, cast

import redis
from django.conf import settings

logger = logging.getLogger(__name__)
SHARED_KEY = "shouwang:devices:ingest:stats"  # a Redis hash: process -> its last snapshot
PUBLISH_SECONDS = 0.5
STALE_SECONDS = 30.0
_published_at = 0.0

_local = threading.local()
_tallies: list[tuple[threading.Thread, Counter[str]]] = []
_ended: Counter[str] = Counter()  # tallies of threads that are gone
_lock = threading.Lock()  # guards _tallies and _ended, never a single count
_started = time.time()


def count(name: str, n: int = 1) -> None:
    try:
        tally: Counter[str] = _local.tally
    except AttributeError:
        tally = _local.tally = Counter()
        with _lock:
            _tallies.append((threading.current_thread(), tally))
    tally[name] += n


def totals() -> dict[str, int]:
    """Every count of this process so far."""
    with _lock:
        alive = [(thread, tally) for thread, tally in _tallies if thread.is_alive()]
        for thread, tally in _tallies:
            if not thread.is_alive():
                _ended.update(dict(tally))  # the thread is gone: nothing adds to it any more
        _tallies[:] = alive
        summed = Counter(_ended)
        for _thread, tally in alive:
            summed.update(dict(tally))
    return dict(summed)


def snapshot() -> dict[str, Any]:
    from shouwang.devices.ingest.heartbeats import heartbeat_buffer

    buffer = heartbeat_buffer.stats
    return {
        "since": _started,
        "counts": totals(),
        "heartbeat_buffer": {
            "pending": len(heartbeat_buffer),
            "capacity": heartbeat_buffer.capacity,
            "offered": buffer.offered,
            "coalesced": buffer.coalesced,
            "refused": buffer.refused,
            "waited": buffer.waited,
            "flushes": buffer.flushes,
            "flushed_rows": buffer.flushed_rows,
            "flushed_messages": buffer.flushed_messages,
            "last_flush_at": buffer.last_flush_at,
            "errors": buffer.errors,
        },
    }


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def snapshot_publish(*, force: bool = False) -> None:
    """Puts this process's snapshot where the others can read it (no-op without Redis). A
    failure is logged and otherwise ignored: counters must never stop ingestion."""
    global _published_at
    now = time.time()
    if not settings.REDIS_URL or (not force and now - _published_at < PUBLISH_SECONDS):
        return
    _published_at = now
    from shouwang.notify.redis_client import redis_client

    try:
        redis_client().hset(SHARED_KEY, process_name(), json.dumps({**snapshot(), "at": now}))
    except redis.RedisError as exc:
        logger.warning("ingest stats not published error=%s", exc)


def cluster_snapshot() -> dict[str, Any]:
    """Every live process's counters summed: this process's as of now, the others' as last
    published (up to PUBLISH_SECONDS old). Without Redis: this process's alone."""
    snapshots = {process_name(): snapshot()}
    now = time.time()
    if settings.REDIS_URL:
        from shouwang.notify.redis_client import redis_client

        try:
            client = redis_client()
            # redis-py types every command as sync-or-async; this client is the sync one.
            published = cast(dict[bytes, bytes], client.hgetall(SHARED_KEY))
            stale: list[str] = []
            for raw_name, raw in published.items():
                name, data = raw_name.decode(), json.loads(raw)
                if now - float(data.get("at", 0)) > STALE_SECONDS:
                    stale.append(name)
                elif name not in snapshots:
                    snapshots[name] = data
            if stale:
                client.hdel(SHARED_KEY, *stale)
        except redis.RedisError as exc:
            logger.warning("ingest stats of other processes unreadable error=%s", exc)
    counts: Counter[str] = Counter()
    buffer: Counter[str] = Counter()
    for data in snapshots.values():
        counts.update(data["counts"])
        buffer.update(
            {
                key: value
                for key, value in data["heartbeat_buffer"].items()
                if isinstance(value, int)
            }
        )
    return {
        "processes": sorted(snapshots),
        "counts": dict(counts),
        "heartbeat_buffer": dict(buffer),
    }
