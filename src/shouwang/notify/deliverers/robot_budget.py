"""How often one robot may post. DingTalk and WeCom both allow about 20 messages a minute per
robot (DingTalk then mutes the robot for 10 minutes). Time is cut into slots of
60 / (limit - 1) seconds and a robot posts at most once per slot, which keeps every 60-second
span at `limit` posts or fewer, wherever it starts. The slot is taken with an atomic add in Redis
(or the Django cache without Redis), so every process shares one budget per robot."""

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache


@dataclass(frozen=True)
class Slot:
    granted: bool
    next_start: datetime  # when the following slot opens


def slot_seconds() -> float:
    limit = int(settings.NOTIFY_ROBOT_POSTS_PER_MINUTE)
    return 60.0 / max(limit - 1, 1)


def _add_once(key: str, ttl: int) -> bool:
    if settings.REDIS_URL:
        from shouwang.notify.redis_client import redis_client

        return bool(redis_client().set(key, b"1", nx=True, ex=ttl))
    return bool(cache.add(key, 1, timeout=ttl))


def robot_slot_take(*, code: str, now: datetime) -> Slot:
    """Takes the current slot of robot `code` if no one has posted in it yet."""
    seconds = slot_seconds()
    index = int(now.timestamp() // seconds)
    key = f"shouwang:notify:robot:{code}:{index}"
    granted = _add_once(key, ttl=math.ceil(seconds) + 1)
    return Slot(granted=granted, next_start=datetime.fromtimestamp((index + 1) * seconds, tz=UTC))
