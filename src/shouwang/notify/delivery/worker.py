"""The notify worker loops, run inside `shouwang serve` (embedded) and `shouwang worker`.

WebSocket messages have their own loop so that a slow webhook or robot (seconds, up to the HTTP
timeout) never holds back a dispatch reaching a responder's socket (milliseconds). The realtime
loop waits on `outbox_ready`, set on commit in this process or by the Redis wake listener, and
passes each wake-up on to the external loop; both also poll once a second, which picks up
retries and robot slots coming due, and anything whose wake-up was lost."""

import threading

from shouwang.core.workers import WorkerLoop, register_stop_hook, register_worker
from shouwang.notify.deliverers.base import delivery_runtime
from shouwang.notify.delivery.batch import outbox_deliver_batch
from shouwang.notify.delivery.now import inline_settle
from shouwang.notify.delivery.wake_listener import wake_listener_ensure
from shouwang.notify.models import Channel
from shouwang.notify.services import notifications_overdue_ack
from shouwang.notify.wake import outbox_ready

POLL_SECONDS = 1.0
REALTIME_CHANNELS = (Channel.WEBSOCKET,)
EXTERNAL_CHANNELS = tuple(c for c in Channel if c not in REALTIME_CHANNELS)
REALTIME_BATCH = 100
# Fewer at once: each may wait for an HTTP timeout, and all must finish inside the lease.
EXTERNAL_BATCH = 50
external_ready = threading.Event()


def outbox_realtime_tick() -> int:
    wake_listener_ensure()
    delivery_runtime()  # opened before a first message has to wait for it
    if outbox_ready.is_set():
        # Cleared before claiming: a commit landing during the claim sets it again.
        outbox_ready.clear()
        external_ready.set()
    handled = 0
    try:
        handled = outbox_deliver_batch(limit=REALTIME_BATCH, channels=REALTIME_CHANNELS)
    finally:
        if not handled:
            outbox_ready.wait(POLL_SECONDS)
    return handled


def outbox_external_tick() -> int:
    delivery_runtime()  # opened before a first message has to wait for it
    external_ready.clear()
    handled = 0
    try:
        handled = outbox_deliver_batch(limit=EXTERNAL_BATCH, channels=EXTERNAL_CHANNELS)
    finally:
        if not handled:
            external_ready.wait(POLL_SECONDS)
    return handled


def ack_sweep_tick() -> int:
    return len(notifications_overdue_ack())


def notify_workers_register() -> None:
    # The ticks wait for work themselves (above), so the loop must not sleep on top of that.
    register_worker(WorkerLoop("notify.outbox.realtime", outbox_realtime_tick, idle_seconds=0))
    register_worker(WorkerLoop("notify.outbox.external", outbox_external_tick, idle_seconds=0))
    register_worker(WorkerLoop("notify.ack_sweep", ack_sweep_tick, idle_seconds=POLL_SECONDS))
    # A clean stop records what the serving loop sent, instead of leaving those rows to their
    # leases (the workers would send them again).
    register_stop_hook(inline_settle)
