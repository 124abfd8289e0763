"""Wakes delivery workers as soon as an outbox row commits, so a notification leaves in
milliseconds instead of at the next poll. In-process workers wait on an Event; workers in other
processes are reached by a Redis publish when Redis is configured. Polling stays as the fallback,
so a lost wake-up only delays, never loses, a message."""

import logging
import threading

from django.conf import settings

logger = logging.getLogger(__name__)
WAKE_CHANNEL = "shouwang:outbox:wake"
outbox_ready = threading.Event()


def outbox_wake() -> None:
    outbox_ready.set()
    if settings.REDIS_URL:
        try:
            from shouwang.notify.redis_client import redis_client

            redis_client().publish(WAKE_CHANNEL, b"1")
        except Exception:
            logger.warning("outbox wake publish failed", exc_info=True)
