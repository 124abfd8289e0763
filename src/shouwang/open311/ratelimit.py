"""How many requests one API key may post a minute. Counted in the shared cache (Redis in
production, so every web process counts together) in fixed one-minute windows: cheap, and a
burst at a window's edge lets at most twice the limit through, which is what a per-minute
limit here is for (a partner's runaway loop, not precise metering)."""

import time

from django.conf import settings
from django.core.cache import cache

from shouwang.open311.errors import RateLimited
from shouwang.open311.models import Open311ApiKey

DEFAULT_POSTS_PER_MINUTE = 30
WINDOW_SECONDS = 60


def posts_per_minute() -> int:
    return int(getattr(settings, "OPEN311_POSTS_PER_MINUTE", DEFAULT_POSTS_PER_MINUTE))


def post_rate_check(*, api_key: Open311ApiKey) -> None:
    """Counts one post for `api_key`; RateLimited (429) once the minute's allowance is spent."""
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    counter = f"open311:posts:{api_key.pk}:{window}"
    cache.add(counter, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(counter)
    except ValueError:  # evicted between add and incr
        cache.set(counter, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    limit = posts_per_minute()
    if count > limit:
        retry_after = WINDOW_SECONDS - int(now % WINDOW_SECONDS)
        raise RateLimited(
            f"Too many requests for this api_key: at most {limit} a minute. "
            f"Retry in {retry_after} seconds.",
            retry_after=retry_after,
        )
