"""Cross-process wake-ups: `outbox_wake` publishes on Redis after a commit in any process; this
thread, one per worker process, turns each publish into `outbox_ready.set()`. Losing it (Redis
down, reconnecting) only delays messages to the next one-second poll."""

import logging
import threading

import redis
from django.conf import settings

from shouwang.notify.wake import WAKE_CHANNEL, outbox_ready

logger = logging.getLogger(__name__)
RECONNECT_SECONDS = 2.0


class WakeListener(threading.Thread):
    def __init__(self, url: str) -> None:
        super().__init__(name="notify.wake-listener", daemon=True)
        self.url = url
        self.stopping = threading.Event()
        self.subscribed = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            try:
                self._listen()
            except redis.RedisError as exc:
                logger.warning("outbox wake listener lost redis error=%s", exc)
            self.subscribed.clear()
            self.stopping.wait(RECONNECT_SECONDS)

    def _listen(self) -> None:
        client = redis.Redis.from_url(self.url)
        pubsub = client.pubsub()  # type: ignore[no-untyped-call]  # unannotated in redis-py
        try:
            pubsub.subscribe(WAKE_CHANNEL)
            while not self.stopping.is_set():
                message = pubsub.get_message(timeout=1.0)
                if message is None:
                    continue
                if message["type"] == "subscribe":
                    self.subscribed.set()
                # After (re)subscribing too: a publish may have been missed while disconnected.
                outbox_ready.set()
        finally:
            pubsub.close()
            client.close()

    def stop(self) -> None:
        self.stopping.set()


_listener: WakeListener | None = None
_lock = threading.Lock()


def wake_listener_ensure() -> WakeListener | None:
    """Starts this process's listener once, when Redis is configured."""
    global _listener
    if not settings.REDIS_URL:
        return None
    with _lock:
        if _listener is None or not _listener.is_alive():
            _listener = WakeListener(settings.REDIS_URL)
            _listener.start()
        return _listener
