"""Counters of what this process received, accepted and refused, for the ingest stats endpoint
and the benchmark. Refusals are also logged one by one (push/responses.py). Counters are per
process: with several processes, each reports its own.

The MQTT heartbeat reader counts every message, tens of thousands a second, so counting takes no
lock: each thread adds to its own tally, and a snapshot sums them (a tally is copied in one step
under the interpreter lock, so a snapshot never sees a half-made addition). The tallies of
threads that have ended are folded into one, so a server whose worker threads come and go keeps
its totals without keeping every thread's tally."""

import threading
import time
from collections import Counter
from typing import Any

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
