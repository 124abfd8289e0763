"""The production layout (docs/deploy.md) on PostgreSQL and Redis: Debian's nginx in front of two
`shouwang serve` processes, each on its own port. Requests and WebSockets through nginx reach
both processes, and a case dispatched through one process reaches the responder's sockets held
by either (the channel layer is Redis, shared)."""

import http.client
import json
import os
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from websockets.sync.client import ClientConnection, connect

from shouwang.cases.tests.conftest import taxonomy_ensure
from shouwang.cases.tests.factories import POINT, Loop, equip
from shouwang.core.services.tokens import token_issue
from shouwang.testing.city import PASSWORD, build_city
from shouwang.testing.nginx import Layout, behind_nginx, nginx_path
from shouwang.testing.services import need_postgresql, need_redis, services_required

pytestmark = pytest.mark.services

REQUESTS = 8  # nginx hands them round by round to the two processes
SOCKETS = 4


def server_env() -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{quote(db['USER'] or 'postgres')}@{db['HOST'] or '127.0.0.1'}:"
    url += f"{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
        "SHOUWANG_CHANNEL_PREFIX": f"test-nginx-{os.getpid()}",
        "SHOUWANG_CACHE_PREFIX": f"test-nginx-{os.getpid()}",
    }


def need_nginx() -> None:
    if nginx_path() is not None:
        return
    reason = "nginx is not installed (make services-tools installs Debian's nginx-light)"
    if services_required():
        pytest.fail(f"{reason} and SHOUWANG_REQUIRE_SERVICES=1")
    pytest.skip(reason)


@pytest.fixture
def layout(flushable_db: None, tmp_path: Path) -> Iterator[Layout]:
    need_postgresql()
    if not settings.REDIS_URL:
        pytest.skip("this test needs Redis (set REDIS_URL)")
    need_redis()
    need_nginx()
    with behind_nginx(count=2, env=server_env(), prefix=tmp_path, log_level="info") as layout:
        yield layout


def request(port: int, method: str, path: str, token: str = "", body: object = None) -> tuple:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        data = json.dumps(body) if body is not None else None
        conn.request(method, path, body=data, headers=headers)
        answer = conn.getresponse()
        return answer.status, json.loads(answer.read() or b"{}")
    finally:
        conn.close()


def served(prefix: Path, index: int, what: str) -> int:
    """How many lines of server `index`'s access log mention `what`."""
    return (prefix / f"serve-{index}.log").read_text(errors="replace").count(what)


def dispatched_case(socket: ClientConnection) -> int:
    deadline = time.monotonic() + 15
    while (left := deadline - time.monotonic()) > 0:
        data = json.loads(socket.recv(timeout=left))
        message = data.get("message") or {}
        if message.get("type") == "case.dispatched":
            return int(message["case"]["id"])
    raise AssertionError("no case.dispatched message within 15 s")


def test_nginx_spreads_requests_and_sockets_and_a_dispatch_reaches_either_process(
    layout: Layout, tmp_path: Path
) -> None:
    taxonomy_ensure()
    loop: Loop = equip(build_city())
    dispatcher, responder = loop.person("dispatcher"), loop.person("responder")
    desk = token_issue(username=dispatcher.username, password=PASSWORD, request=None).token
    phone = token_issue(username=responder.username, password=PASSWORD, request=None).token

    for _ in range(REQUESTS):
        assert request(layout.port, "GET", "/healthz")[0] == 200
    assert all(served(tmp_path, i, '"GET /healthz') for i in range(2))

    with ExitStack() as stack:
        sockets = [
            stack.enter_context(
                connect(
                    f"ws://127.0.0.1:{layout.port}/ws/notify/?token={phone}",
                    origin=f"http://127.0.0.1:{layout.port}",
                )
            )
            for _ in range(SOCKETS)
        ]
        assert all(served(tmp_path, i, '"WebSocket /ws/notify/') for i in range(2))

        # Straight to the first process: the sockets held by the second hear it too.
        direct = layout.server_ports[0]
        lat, lng = POINT["a"]
        call = {
            "category": "fight",
            "lat": lat,
            "lng": lng,
            "description": "两人打架",
            "channel": "110",
        }
        status, case = request(direct, "POST", "/api/v1/cases", desk, call)
        assert status == 201, case
        people = {"people": [responder.username]}
        status, answer = request(
            direct, "POST", f"/api/v1/cases/{case['id']}/dispatch", desk, people
        )
        assert status == 200, answer
        assert [dispatched_case(socket) for socket in sockets] == [case["id"]] * SOCKETS

    # Through nginx, a request from someone not signed in is refused as it is without it.
    assert request(layout.port, "GET", "/api/v1/cases")[0] == 401
