"""Delivering WebSocket messages from the thread that committed them, right after the commit,
when it runs inside the ASGI server (`shouwang serve`): a dispatch reaches the responder's
socket before its HTTP answer leaves, instead of waiting for the realtime worker's turn at the
interpreter, which under load it may not get for seconds.

The rows are claimed as they are written (`preclaim`: state sending, under a lease owned by
this thread, in the step's own transaction), so after the commit there is no claim to make:
read their ids, send through the serving loop, whose channel-layer connections already exist,
and record. Only WebSocket rows (milliseconds; never an outside HTTP call in a request), only
where a serving loop runs. The workers remain the safety net: a row whose sender died or
failed is theirs once its lease runs out, or at once on failure, as before."""

import asyncio
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.utils import timezone

from shouwang.notify.deliverers.base import ServingLoopRuntime
from shouwang.notify.delivery.batch import outbox_deliver
from shouwang.notify.delivery.claim import LEASE
from shouwang.notify.delivery.outcomes import outcomes_record
from shouwang.notify.models import Channel, OutboxMessage, OutboxState
from shouwang.notify.serving_loop import serving_loop
from shouwang.notify.wake import outbox_wake

logger = logging.getLogger(__name__)
SEND_TIMEOUT_SECONDS = 5.0
_local = threading.local()


@contextmanager
def sends_left_to_workers() -> Iterator[None]:
    """For a thread with more work queued behind this commit (the MQTT alarm workers, with the
    rest of a burst waiting): the realtime worker sends in parallel while it goes on."""
    before = getattr(_local, "defer", False)
    _local.defer = True
    try:
        yield
    finally:
        _local.defer = before


def sender_here() -> asyncio.AbstractEventLoop | None:
    """The serving loop, when this thread may send through it right after its commit."""
    if not settings.SHOUWANG_OUTBOX_DELIVER_ON_COMMIT or getattr(_local, "defer", False):
        return None
    loop = serving_loop()
    if loop is None or _on_loop(loop):
        return None
    return loop


def preclaim(rows: Sequence[OutboxMessage], now: datetime) -> str:
    """Marks unsaved WebSocket rows as claimed by this thread (one attempt, under a lease);
    returns the owner name for outbox_deliver_preclaimed."""
    owner = f"inline:{os.getpid()}:{threading.get_ident()}"[:100]
    for row in rows:
        row.state, row.lease_owner = OutboxState.SENDING, owner
        row.lease_until, row.attempts = now + LEASE, 1
    return owner


def outbox_deliver_preclaimed(keys: Sequence[str], owner: str) -> int:
    """After the commit: sends the rows this thread pre-claimed (by idempotency key) and records
    what happened; returns how many it sent."""
    loop = sender_here()
    claimed = list(
        OutboxMessage.objects.filter(
            idempotency_key__in=list(keys),
            state=OutboxState.SENDING,
            lease_owner=owner,
            channel=Channel.WEBSOCKET,
        )
    )
    if not claimed:
        return 0
    if loop is None:  # the loop stopped since: give them back to the workers now
        OutboxMessage.objects.filter(pk__in=[m.pk for m in claimed]).update(
            state=OutboxState.PENDING, lease_until=None, lease_owner=""
        )
        outbox_wake()
        return 0
    runtime = ServingLoopRuntime(loop, SEND_TIMEOUT_SECONDS)
    outcomes = outbox_deliver(claimed, now=timezone.now(), runtime=runtime)
    outcomes_record(outcomes=outcomes, claimed=claimed, worker_id=owner, now=timezone.now())
    return len(claimed)


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    """Waiting on the loop from its own thread would wait forever."""
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
