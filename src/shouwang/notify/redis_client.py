"""One Redis connection pool per process for notify's own use (wake-ups, robot rate limits)."""

from functools import lru_cache

import redis
from django.conf import settings


@lru_cache(maxsize=1)
def redis_client() -> "redis.Redis":
    return redis.Redis.from_url(settings.REDIS_URL)
