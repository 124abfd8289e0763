"""Version numbers in the shared cache, for memories kept in each process (core/refcache.py, the
point-in-grid index in core/geo/locate.py, the device directory in devices/ingest/directory.py).
A process remembers the version it built its memory from and rebuilds when the shared one has
moved. The bump is atomic, so two processes changing things at once both move it."""

import time

from django.core.cache import cache


def version_bump(key: str) -> int:
    """Moves the version under `key` on (Redis INCR, or the local cache's locked increment). A
    missing key (never set, or evicted) starts at the clock in nanoseconds, a number no process
    can have seen before; of two processes starting it at once, the second increments."""
    try:
        return int(cache.incr(key))
    except ValueError:  # not there
        pass
    start = time.time_ns()
    if cache.add(key, start, timeout=None):
        return start
    return int(cache.incr(key))


def version_get(key: str) -> int:
    """The version under `key`; 0 while nothing has been bumped."""
    value = cache.get(key, 0)
    return int(value)
