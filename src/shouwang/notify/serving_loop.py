"""Which event loop serves the sockets, for the in-memory channel layer (embedded mode).

That layer's queues belong to the ASGI server's event loop: a `group_send` made from a worker
thread's own loop enqueues the message but never wakes the waiting socket (measured: the socket
slept until its timeout). The websocket deliverer therefore runs its sends on the serving loop,
which is recorded here by every notify socket as it connects, and by `ServingLoopMiddleware`
for the whole ASGI app once it is wired in asgi.py. With Redis as the layer none of this is used."""

import asyncio
from typing import Any

_serving_loop: asyncio.AbstractEventLoop | None = None


def serving_loop_remember() -> None:
    """Call from inside the ASGI server's loop."""
    global _serving_loop
    _serving_loop = asyncio.get_running_loop()


def serving_loop() -> asyncio.AbstractEventLoop | None:
    loop = _serving_loop
    return loop if loop is not None and loop.is_running() and not loop.is_closed() else None


class ServingLoopMiddleware:
    """ASGI middleware recording the serving loop on every connection (HTTP or WebSocket)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> Any:
        serving_loop_remember()
        return await self.app(scope, receive, send)
