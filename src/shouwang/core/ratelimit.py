"""Counting requests against a limit, in the shared cache (Redis in production, so every web
process counts together), in fixed windows: cheap, and a burst at a window's edge lets at most
twice the limit through, which is what these limits are for (a partner's runaway loop, one
address filing report after report), not precise metering. Used by Open311 posts (per API key)
and citizen reports (per address); the sign-in lockout is django-axes'."""

import time

from django.core.cache import cache


def _counter(key: str, window: int, now: float) -> str:
    return f"rate:{key}:{window}:{int(now // window)}"


def rate_count(key: str, *, window: int, now: float | None = None) -> int:
    """Counts one request under `key` in the current `window`-second window; answers how many
    that window has counted, this one included."""
    now = time.time() if now is None else now
    counter = _counter(key, window, now)
    cache.add(counter, 0, timeout=window * 2)
    try:
        return int(cache.incr(counter))
    except ValueError:  # evicted between add and incr
        cache.set(counter, 1, timeout=window * 2)
        return 1


def rate_used(key: str, *, window: int, now: float | None = None) -> int:
    """How many requests the current window has counted under `key`, without counting one."""
    now = time.time() if now is None else now
    return int(cache.get(_counter(key, window, now), 0))


def rate_retry_after(*, window: int, now: float | None = None) -> int:
    """Seconds until the current window ends."""
    now = time.time() if now is None else now
    return window - int(now % window)
