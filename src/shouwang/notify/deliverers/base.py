"""What every delivery channel promises: given claimed outbox rows, try to hand each to the
outside world once and say what happened to it. Deliverers run outside any transaction; they may
read configuration from the database, and write nothing (the worker records the outcomes)."""

import asyncio
import logging
import threading
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Protocol, TypeVar

import httpx
from channels.layers import get_channel_layer

from shouwang.notify.models import OutboxMessage

T = TypeVar("T")
logger = logging.getLogger(__name__)
WARM_UP_GROUP = "shouwang.warm-up"


class OutcomeKind(Enum):
    DELIVERED = "delivered"
    FAILED = "failed"  # try again after a back-off, or dead once attempts run out
    DEFERRED = "deferred"  # not tried (a rate budget was spent); not counted as an attempt


@dataclass(frozen=True)
class Outcome:
    message_id: int
    kind: OutcomeKind
    error: str = ""
    permanent: bool = False  # no retry can help (unknown endpoint, no phone number)
    retry_at: datetime | None = None
    provider_ref: str = ""

    @classmethod
    def delivered(cls, message_id: int, *, provider_ref: str = "") -> "Outcome":
        return cls(message_id, OutcomeKind.DELIVERED, provider_ref=provider_ref)

    @classmethod
    def failed(cls, message_id: int, error: str, *, permanent: bool = False) -> "Outcome":
        return cls(message_id, OutcomeKind.FAILED, error=error, permanent=permanent)

    @classmethod
    def deferred(cls, message_id: int, *, until: datetime) -> "Outcome":
        return cls(message_id, OutcomeKind.DEFERRED, retry_at=until)


class DeliveryRuntime:
    """One event loop and one HTTP client per worker thread, kept between batches so that
    connections (HTTP keep-alive, the Redis channel layer's pool) are reused instead of being
    opened again for every message."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._http: httpx.AsyncClient | None = None

    @property
    def http(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = httpx.AsyncClient(follow_redirects=False)
        return self._http

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coroutine)

    def warm(self) -> None:
        try:
            _ = self.http  # builds the TLS context
            layer = get_channel_layer()
            if layer is not None:
                self.run(layer.group_discard(WARM_UP_GROUP, WARM_UP_GROUP))  # connects
        except Exception:
            # Only slower: both are opened again on first use.
            logger.warning("delivery runtime warm-up failed", exc_info=True)


_local = threading.local()


def delivery_runtime() -> DeliveryRuntime:
    """This thread's runtime. A new one opens its HTTP client and channel-layer connection at
    once, so that a worker calling this before its first claim does not make the first
    message after a start wait for them (bench/alarms.py: a first webhook cost 70-200 ms of
    CPU, a first channel-layer send 120-350 ms)."""
    runtime: DeliveryRuntime | None = getattr(_local, "runtime", None)
    if runtime is None:
        runtime = _local.runtime = DeliveryRuntime()
        runtime.warm()
    return runtime


class Deliverer(Protocol):
    """One per Channel (see deliverers/__init__.py). Returns one Outcome per message given."""

    def deliver(
        self, messages: Sequence[OutboxMessage], *, now: datetime, runtime: DeliveryRuntime
    ) -> list[Outcome]: ...


def error_text(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
