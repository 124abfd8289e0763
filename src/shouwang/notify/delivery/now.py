"""Delivering WebSocket messages right after the commit that wrote them, when the committing
thread runs inside the ASGI server (`shouwang serve`): a dispatch reaches the responder's socket
within milliseconds, instead of waiting for the realtime worker's turn at the interpreter, which
under load it may not get for seconds.

The rows are claimed as they are written (`preclaim`: state sending, under a lease owned by this
process, in the step's own transaction), and the INSERT reports their ids. After the commit the
committing thread has the serving loop send them through its channel-layer connections and
waits for that (`outbox_hand_off`), but it neither reads the rows back nor records the outcome:
`OutcomeRecorder`, one thread per process, records what happened to many rows in one
transaction. Only WebSocket rows (milliseconds; never an outside HTTP call in a request), only
where a serving loop runs.

The workers remain the safety net: a row that failed is theirs at once, as before; a row whose
process died before its outcome was recorded is theirs when its lease runs out, and is then sent
again. A socket may so see a message twice, with the same id and idempotency key, never miss one
(durability rule 2)."""

import asyncio
import logging
import os
import queue
import socket
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import contextmanager
from datetime import datetime

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections, router
from django.utils import timezone

from shouwang.notify.deliverers.base import Outcome, error_text
from shouwang.notify.deliverers.websocket import websocket_send
from shouwang.notify.delivery.claim import LEASE
from shouwang.notify.delivery.outcomes import outcomes_record
from shouwang.notify.models import OutboxMessage, OutboxState
from shouwang.notify.serving_loop import serving_loop
from shouwang.notify.wake import outbox_wake

logger = logging.getLogger(__name__)
SEND_TIMEOUT_SECONDS = 5.0
RECORDER_CAPACITY = 10_000  # outcomes waiting to be recorded; past it the lease decides
RECORDER_LINGER_SECONDS = 0.05  # gather a batch for this long after its first outcome
RECORDER_BATCH = 500
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


def inline_owner() -> str:
    """The lease owner of this process's inline sends (the recorder records for all of them)."""
    return f"inline:{socket.gethostname()}:{os.getpid()}"[:100]


def sender_here() -> asyncio.AbstractEventLoop | None:
    """The serving loop, when this thread may hand rows to it right after its commit."""
    if not settings.SHOUWANG_OUTBOX_DELIVER_ON_COMMIT or getattr(_local, "defer", False):
        return None
    loop = serving_loop()
    if loop is None or _on_loop(loop):
        return None
    features = connections[router.db_for_write(OutboxMessage)].features
    if not features.can_return_rows_from_bulk_insert:  # the ids must come back from the INSERT
        return None
    return loop


def preclaim(rows: Sequence[OutboxMessage], now: datetime) -> str:
    """Marks unsaved WebSocket rows as claimed by this process (one attempt, under a lease);
    returns the owner."""
    owner = inline_owner()
    for row in rows:
        row.state, row.lease_owner = OutboxState.SENDING, owner
        row.lease_until, row.attempts = now + LEASE, 1
    return owner


def outbox_hand_off(rows: Sequence[OutboxMessage]) -> None:
    """After the commit: sends the rows this thread pre-claimed and inserted through the
    serving loop, and waits for the send (not for its recording): the socket hears of a step
    before its HTTP answer leaves, and under load the answers cannot outrun the notifications.
    Rows without an id were not inserted (their idempotency key was already in the outbox) and
    are not this thread's to send."""
    inserted = [row for row in rows if row.pk is not None]
    if not inserted:
        return
    loop = sender_here()
    if loop is None:  # the loop stopped since
        _release(inserted)
        return
    in_flight.add(len(inserted))
    try:
        future = asyncio.run_coroutine_threadsafe(_send(inserted), loop)
    except RuntimeError:  # the loop closed since
        in_flight.add(-len(inserted))
        _release(inserted)
        return
    try:
        future.result(timeout=SEND_TIMEOUT_SECONDS)
    except FutureTimeout:
        # The send goes on without us; its outcome is recorded when it ends, or by the lease.
        logger.warning("inline websocket send still running after %ss", SEND_TIMEOUT_SECONDS)


def inline_settle(timeout: float = 5.0) -> bool:
    """Waits until every row handed off so far is sent and its outcome recorded, or left to
    its lease (for tests, and for a clean stop)."""
    return in_flight.wait_zero(timeout)


class InFlight:
    """Rows handed off and not yet recorded, counted across the threads that touch them."""

    def __init__(self) -> None:
        self._count = 0
        self._changed = threading.Condition()

    def add(self, rows: int) -> None:
        with self._changed:
            self._count += rows
            self._changed.notify_all()

    def wait_zero(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._count <= 0, timeout=timeout)


def _release(rows: Sequence[OutboxMessage]) -> None:
    """Gives rows back to the workers now rather than when their lease runs out."""
    OutboxMessage.objects.filter(
        pk__in=[row.pk for row in rows], state=OutboxState.SENDING, lease_owner=inline_owner()
    ).update(state=OutboxState.PENDING, lease_until=None, lease_owner="")
    outbox_wake()


async def _send(rows: list[OutboxMessage]) -> None:
    """On the serving loop: sends the rows and passes their outcomes to the recorder."""
    try:
        outcomes = await websocket_send(rows)
    # Whatever the layer raises fails these rows (for the workers), not the request.
    except Exception as exc:
        logger.exception("inline websocket send failed rows=%d", len(rows))
        outcomes = [Outcome.failed(row.pk, error_text(exc)) for row in rows]
    recorder.put(outcomes, rows)


class OutcomeRecorder:
    """One thread recording the inline sends' outcomes, many rows to a transaction, so that a
    request pays for neither a round trip to the database nor a wait for the send. Bounded: when
    the database falls behind by RECORDER_CAPACITY outcomes, the rest are left to their leases
    (the workers send those again)."""

    def __init__(self) -> None:
        self.queue: queue.Queue[tuple[Outcome, OutboxMessage]] = queue.Queue(RECORDER_CAPACITY)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def put(self, outcomes: Sequence[Outcome], rows: Sequence[OutboxMessage]) -> None:
        self._ensure_thread()
        by_id = {row.pk: row for row in rows}
        for outcome in outcomes:
            try:
                self.queue.put_nowait((outcome, by_id[outcome.message_id]))
            except queue.Full:
                logger.warning("outcome recorder full; row %s waits for its lease", outcome)
                in_flight.add(-1)

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="outbox-inline-recorder", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = self._gather()
            try:
                outcomes_record(
                    outcomes=[outcome for outcome, _ in batch],
                    claimed=[row for _, row in batch],
                    worker_id=inline_owner(),
                    now=timezone.now(),
                )
            except DatabaseError:
                # Unrecorded rows keep their lease; the workers send them again after it.
                logger.exception("recording %d inline outcomes failed", len(batch))
            finally:
                close_old_connections()
                in_flight.add(-len(batch))

    def _gather(self) -> list[tuple[Outcome, OutboxMessage]]:
        batch = [self.queue.get()]
        deadline = time.monotonic() + RECORDER_LINGER_SECONDS
        while len(batch) < RECORDER_BATCH:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                batch.append(self.queue.get(timeout=left))
            except queue.Empty:
                break
        return batch


in_flight = InFlight()
recorder = OutcomeRecorder()


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    """Waiting on the loop from its own thread would wait forever."""
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
