"""Admission control for HTTP requests: past SHOUWANG_HTTP_MAX_IN_FLIGHT requests being served
at once, a new one is answered 503 with Retry-After at once, in the project's error shape.

Under overload a quick refusal beats a 500 after thirty seconds of work on a request the client
has given up on, and it leaves the interpreter to the requests already admitted and to the
outbox workers that deliver what they committed. WebSockets are not counted: a city's phones and
screens keep hundreds of sockets open, and uvicorn's own --limit-concurrency, which counts
every connection, would refuse all HTTP once that many were connected."""

import json
from collections.abc import Awaitable, Callable
from http.cookies import SimpleCookie
from typing import Any

from django.conf import settings
from django.utils import translation

from shouwang.core.errors import Overloaded
from shouwang.core.locale import MACHINE_PREFIXES

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[Any]]
Send = Callable[[Any], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
RETRY_AFTER_SECONDS = 1


class HttpAdmission:
    def __init__(self, app: ASGIApp, limit: int | None = None) -> None:
        self.app = app
        self.limit = settings.SHOUWANG_HTTP_MAX_IN_FLIGHT if limit is None else limit
        self.in_flight = 0  # one event loop: no lock needed
        self.refused = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.limit <= 0:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            self.refused += 1
            await _refuse(scope, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


def _language(scope: Scope) -> str:
    """The language core/locale.py would answer in: the one chosen with the switch (cookie),
    else Accept-Language for the machine interfaces, else Chinese."""
    headers = {name.lower(): value.decode("latin-1") for name, value in scope.get("headers", [])}
    chosen = SimpleCookie(headers.get(b"cookie", "")).get(settings.LANGUAGE_COOKIE_NAME)
    if chosen is not None:
        wanted = [chosen.value]
    elif scope.get("path", "").startswith(MACHINE_PREFIXES):
        wanted = _accepted_languages(headers.get(b"accept-language", ""))
    else:
        wanted = []
    for code in wanted:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _accepted_languages(header: str) -> list[str]:
    """The languages an Accept-Language header names, most wanted first ("*" left out)."""
    weighted: list[tuple[float, str]] = []
    for part in header.split(","):
        code, _, parameters = part.strip().partition(";")
        weight = 1.0
        if parameters.strip().startswith("q="):
            try:
                weight = float(parameters.strip()[2:])
            except ValueError:
                continue
        if code and code != "*" and weight > 0:
            weighted.append((weight, code))
    return [code for _, code in sorted(weighted, key=lambda pair: -pair[0])]


async def _refuse(scope: Scope, send: Send) -> None:
    with translation.override(_language(scope)):
        body = json.dumps(Overloaded().as_body(), ensure_ascii=False).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/json"),
                (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
