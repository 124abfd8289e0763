"""Background loops run inside `shouwang serve` in embedded mode (and by `shouwang worker` in
production). Apps register a loop here; each loop claims work, calls a service, commits, and is
safe to run twice or on two machines."""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkerLoop:
    name: str
    tick: Callable[[], int]  # does one round of work, returns how many items it handled
    idle_seconds: float = 1.0


WORKER_LOOPS: list[WorkerLoop] = []
# Run once when a `shouwang serve` process stops cleanly, after its server: each finishes what
# the process started (e.g. recording sends), bounded by its own timeout.
STOP_HOOKS: list[Callable[[], object]] = []


def register_worker(loop: WorkerLoop) -> None:
    if all(existing.name != loop.name for existing in WORKER_LOOPS):
        WORKER_LOOPS.append(loop)


def register_stop_hook(hook: Callable[[], object]) -> None:
    if hook not in STOP_HOOKS:
        STOP_HOOKS.append(hook)


def run_stop_hooks() -> None:
    for hook in STOP_HOOKS:
        hook()


def run_loop(loop: WorkerLoop, stop: threading.Event) -> None:
    while not stop.is_set():
        handled = 0
        try:
            handled = loop.tick()
        except Exception:
            # One failing round must not end the loop: log it with its traceback and go on, and
            # drop the connection in case it is what broke. A healthy worker keeps its
            # connection: reconnecting every round cost 5-12 ms of commit-to-socket latency
            # (bench/notify_latency.py).
            logger.exception("worker loop %s failed a round", loop.name)
            connections.close_all()
        if not handled:
            stop.wait(loop.idle_seconds)
    # This thread's connections would otherwise stay open after a stop (and keep PostgreSQL
    # from dropping a test database).
    connections.close_all()


def start_embedded_workers() -> threading.Event:
    stop = threading.Event()
    for loop in WORKER_LOOPS:
        thread = threading.Thread(target=run_loop, args=(loop, stop), name=loop.name, daemon=True)
        thread.start()
        logger.info("started worker loop %s", loop.name)
    return stop


def run_workers_forever() -> None:
    stop = start_embedded_workers()
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        stop.set()
