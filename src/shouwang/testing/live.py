"""A real server for browser and WebSocket tests: uvicorn serving the ASGI app (HTTP and
WebSocket) in a thread, against the test database, with the embedded worker loops running."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn
from django.db import connections

from shouwang.core.workers import start_embedded_workers


@contextmanager
def running_server(*, workers: bool = True) -> Iterator[str]:
    config = uvicorn.Config(
        "shouwang.asgi:application", host="127.0.0.1", port=0, lifespan="off", log_level="warning"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="live-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the live server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    stop_workers = start_embedded_workers() if workers else None
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        if stop_workers is not None:
            stop_workers.set()
        server.should_exit = True
        thread.join(timeout=10)
        # The server's request threads used pooled connections (PostgreSQL): close the pool so
        # the test database can be dropped; the next use opens a new one.
        for connection in connections.all(initialized_only=True):
            close_pool = getattr(connection, "close_pool", None)  # PostgreSQL wrappers only
            if close_pool is not None and getattr(connection, "pool", None) is not None:
                close_pool()
