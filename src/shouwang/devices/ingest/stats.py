"""Counters of what this process received, accepted and refused, for the ingest stats endpoint
and the benchmark. Refusals are also logged one by one (push/responses.py). Counters are per
process: with several processes, each reports its own."""

import threading
import time
from collections import Counter
from typing import Any

_lock = threading.Lock()
_counts: Counter[str] = Counter()
_started = time.time()


def count(name: str, n: int = 1) -> None:
    with _lock:
        _counts[name] += n


def snapshot() -> dict[str, Any]:
    from shouwang.devices.ingest.heartbeats import heartbeat_buffer

    with _lock:
        counts = dict(_counts)
    buffer = heartbeat_buffer.stats
    return {
        "since": _started,
        "counts": counts,
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
