"""How many requests one API key may post a minute (core/ratelimit.py: fixed one-minute
windows in the shared cache)."""

import time

from django.conf import settings

from shouwang.core.ratelimit import rate_count, rate_retry_after
from shouwang.open311.errors import RateLimited
from shouwang.open311.models import Open311ApiKey

WINDOW_SECONDS = 60


def posts_per_minute() -> int:
    return int(settings.OPEN311_POSTS_PER_MINUTE)


def post_rate_check(*, api_key: Open311ApiKey) -> None:
    """Counts one post for `api_key`; RateLimited (429) once the minute's allowance is spent."""
    now = time.time()
    count = rate_count(f"open311:posts:{api_key.pk}", window=WINDOW_SECONDS, now=now)
    limit = posts_per_minute()
    if count > limit:
        retry_after = rate_retry_after(window=WINDOW_SECONDS, now=now)
        raise RateLimited(
            f"Too many requests for this api_key: at most {limit} a minute. "
            f"Retry in {retry_after} seconds.",
            retry_after=retry_after,
        )
