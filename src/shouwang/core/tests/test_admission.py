"""Admission control: past the limit of HTTP requests in flight a new one gets a quick 503 in
the project's error shape; WebSockets are never counted; a finished request frees its place."""

import asyncio
import json
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from django.conf import settings

from shouwang.core.admission import HttpAdmission


class SlowApp:
    """Answers 200 once released, so the test decides how long a request stays in flight."""

    def __init__(self) -> None:
        self.release = asyncio.Event()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.accept"})
            await self.release.wait()
            return
        await self.release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


def http(language: str = "zh-CN", path: str = "/api/v1/cases", cookie: str = "") -> dict[str, Any]:
    headers = [(b"accept-language", language.encode())]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    return {"type": "http", "method": "GET", "path": path, "headers": headers}


async def answer(app: HttpAdmission, scope: dict[str, Any]) -> tuple[int, dict[str, Any], bytes]:
    client = ApplicationCommunicator(app, scope)
    await client.send_input({"type": "http.request", "body": b""})
    start = await client.receive_output(timeout=2)
    body = await client.receive_output(timeout=2)
    return start["status"], dict(start["headers"]), body["body"]


async def in_flight(app: HttpAdmission, scope: dict[str, Any]) -> ApplicationCommunicator:
    client = ApplicationCommunicator(app, scope)
    await client.send_input({"type": "http.request", "body": b""})
    await asyncio.sleep(0.05)  # let it enter the app
    return client


async def test_past_the_limit_a_request_gets_a_quick_503_in_the_error_shape() -> None:
    slow = SlowApp()
    app = HttpAdmission(slow, limit=2)
    first, second = await in_flight(app, http()), await in_flight(app, http())
    status, headers, body = await answer(app, http())
    assert status == 503
    assert headers[b"retry-after"] == b"1"
    error = json.loads(body)["error"]
    assert error["code"] == "overloaded" and "繁忙" in error["message"]
    _, _, english = await answer(app, http("en-US,en;q=0.9"))
    assert json.loads(english)["error"]["message"] == "Server busy, please retry shortly."
    # Pages stay Chinese for an English browser unless the person chose English (core/locale.py).
    _, _, page = await answer(app, http("en-US", path="/console/"))
    assert "繁忙" in json.loads(page)["error"]["message"]
    switched = f"{settings.LANGUAGE_COOKIE_NAME}=en"
    _, _, chosen = await answer(app, http("zh-CN", path="/console/", cookie=switched))
    assert json.loads(chosen)["error"]["message"] == "Server busy, please retry shortly."
    assert app.refused == 4

    slow.release.set()
    for client in (first, second):
        assert (await client.receive_output(timeout=2))["status"] == 200
        await client.receive_output(timeout=2)
    assert app.in_flight == 0
    assert (await answer(app, http()))[0] == 200  # places are free again


async def test_open_websockets_do_not_count() -> None:
    slow = SlowApp()
    app = HttpAdmission(slow, limit=1)
    sockets = []
    for _ in range(5):
        socket = ApplicationCommunicator(app, {"type": "websocket", "path": "/ws/notify/"})
        await socket.send_input({"type": "websocket.connect"})
        assert (await socket.receive_output(timeout=2))["type"] == "websocket.accept"
        sockets.append(socket)
    held = await in_flight(app, http())
    assert app.in_flight == 1
    slow.release.set()
    assert (await held.receive_output(timeout=2))["status"] == 200


@pytest.mark.parametrize("limit", [0])
async def test_a_limit_of_zero_admits_everything(limit: int) -> None:
    slow = SlowApp()
    slow.release.set()
    app = HttpAdmission(slow, limit=limit)
    assert [(await answer(app, http()))[0] for _ in range(3)] == [200, 200, 200]
