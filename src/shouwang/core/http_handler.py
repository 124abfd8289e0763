"""Django's HTTP handling under ASGI with one hand-over to a request thread instead of five.

Django's own ASGIHandler runs the project's synchronous middleware around an asynchronous core,
so one request crosses between the event loop and a thread about five times: the
request_started signal, the middleware, the view inside them (and back out), and the answer's
close. Its ThreadSensitiveContext also starts a new OS thread for every request. Each crossing
is a futex wake-up, a GIL hand-over and a context copy; on a /healthz request they were most of
its server CPU (docs/performance.md). Every middleware and view here is synchronous, so this
handler does what a WSGI server does: the event loop reads the body and writes the answer, and
one call on a reused thread runs the signals, the middleware, the view and the close.

Requests run concurrently on `SHOUWANG_HTTP_THREADS` threads, each with its own database
connection from the pool, so one request's wait on PostgreSQL does not hold up the others.
Streaming answers (files, exports) go out as Django's handler sends them. Sync views cannot be
cancelled, so a client that disconnects early is noticed only when its answer is sent, as under
WSGI."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.handlers.base import BaseHandler
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix

Scope = dict[str, Any]


class OneHopHttpHandler(ASGIHandler):
    def __init__(self, threads: int | None = None) -> None:
        # Not ASGIHandler.__init__: it builds the middleware chain for an asynchronous core.
        BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        count = threads or settings.SHOUWANG_HTTP_THREADS
        self.executor = ThreadPoolExecutor(max_workers=count, thread_name_prefix="http")
        self._respond_in_thread = sync_to_async(
            self._respond, thread_sensitive=False, executor=self.executor
        )

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Any, send: Any) -> None:
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            response = await self._respond_in_thread(scope, body_file)
            try:
                await self.send_response(response, send)
            finally:  # also when the client went away mid-stream: the file is closed
                if response.streaming:
                    await sync_to_async(response.close, thread_sensitive=False)()
        finally:
            body_file.close()

    def _respond(self, scope: Scope, body_file: Any) -> HttpResponseBase:
        """The whole synchronous part of a request, on one request thread. A complete answer is
        closed here (request_finished: the database connection goes back to the pool) before
        the event loop sends it; a streaming one is closed after its last chunk."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
        assert response is not None
        response._handler_class = self.__class__  # type: ignore[attr-defined]
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        if not response.streaming:
            response.close()
        return response
