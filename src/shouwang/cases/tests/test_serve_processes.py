"""`shouwang serve --processes 2` as it runs on a machine with PostgreSQL and Redis: both
processes take connections on the one port, and a call dispatched through one process reaches a
responder whose socket is held by the other (the channel layer is Redis, shared). Then a stop
ends them all."""

import http.client
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
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
from shouwang.testing.services import need_postgresql, need_redis

SERVE = [sys.executable, "-m", "shouwang.cli", "serve"]
CONNECTIONS = 16  # by their addresses the kernel spreads these over both processes


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def children_of(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(child) for child in text.split()]


def socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def serving_pid(server_port: int, client_port: int, pids: list[int]) -> int | None:
    """The process holding the server end of the TCP connection from `client_port`."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], fields[9]
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == (
            client_port
        ):
            return next((pid for pid in pids if inode in socket_inodes(pid)), None)
    return None


def server_env() -> dict[str, str]:
    db = connection.settings_dict
    url = f"postgres://{quote(db['USER'] or 'postgres')}@{db['HOST'] or '127.0.0.1'}:"
    url += f"{db['PORT'] or 5432}/{db['NAME']}"
    return {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": settings.REDIS_URL,
        "SHOUWANG_CHANNEL_PREFIX": f"test-processes-{os.getpid()}",
        # Inherited by the children too: each must still be one server, not a supervisor.
        "SHOUWANG_PROCESSES": "2",
    }


@pytest.fixture
def two_processes(flushable_db: None) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    need_postgresql()
    need_redis()
    port = free_port()
    parent = subprocess.Popen(
        [*SERVE, "--port", str(port), "--log-level", "warning"],
        env=server_env(),
    )
    try:
        deadline = time.monotonic() + 60
        while not healthy(port):
            assert parent.poll() is None, "the server exited"
            assert time.monotonic() < deadline, "the server did not answer in 60 s"
            time.sleep(0.2)
        yield port, parent
    finally:
        if parent.poll() is None:
            parent.send_signal(signal.SIGTERM)
            try:
                parent.wait(timeout=40)
            except subprocess.TimeoutExpired:
                parent.kill()
                parent.wait()


def healthy(port: int) -> bool:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", "/healthz")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def request(
    conn: http.client.HTTPConnection, method: str, path: str, token: str, body: object = None
) -> tuple[int, dict]:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    answer = conn.getresponse()
    return answer.status, json.loads(answer.read() or b"{}")


def dispatched_case(socket: ClientConnection) -> int:
    deadline = time.monotonic() + 15
    while (left := deadline - time.monotonic()) > 0:
        data = json.loads(socket.recv(timeout=left))
        message = data.get("message") or {}
        if message.get("type") == "case.dispatched":
            return int(message["case"]["id"])
    raise AssertionError("no case.dispatched message within 15 s")


def test_two_processes_share_the_port_and_the_sockets(two_processes) -> None:
    port, parent = two_processes
    taxonomy_ensure()
    loop: Loop = equip(build_city())
    dispatcher, responder = loop.person("dispatcher"), loop.person("responder")
    tokens = {
        person.username: token_issue(username=person.username, password=PASSWORD, request=None)
        for person in (dispatcher, responder)
    }
    children = children_of(parent.pid)
    assert len(children) == 2
    assert not any(children_of(child) for child in children)  # servers, not supervisors

    # Connections from many client ports land on both processes.
    served: dict[int, list[http.client.HTTPConnection]] = {pid: [] for pid in children}
    for _ in range(CONNECTIONS):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.connect()
        conn.request("GET", "/healthz")
        assert conn.getresponse().read() is not None
        pid = serving_pid(port, conn.sock.getsockname()[1], children)
        assert pid in served
        served[pid].append(conn)
    assert all(served.values()), {pid: len(c) for pid, c in served.items()}

    # The responder listens on one process; the dispatcher works through the other.
    token = tokens[responder.username].token
    with connect(
        f"ws://127.0.0.1:{port}/ws/notify/?token={token}", origin=f"http://127.0.0.1:{port}"
    ) as socket:
        socket_pid = serving_pid(port, socket.socket.getsockname()[1], children)
        other = next(pid for pid in children if pid != socket_pid)
        conn, desk = served[other][0], tokens[dispatcher.username].token
        lat, lng = POINT["a"]
        call = {"category": "fight", "lat": lat, "lng": lng, "description": "两人打架"}
        status, case = request(conn, "POST", "/api/v1/cases", desk, {**call, "channel": "110"})
        assert status == 201, case
        people = {"people": [responder.username]}
        status, answer = request(conn, "POST", f"/api/v1/cases/{case['id']}/dispatch", desk, people)
        assert status == 200, answer
        assert dispatched_case(socket) == case["id"]
    for conns in served.values():
        for conn in conns:
            conn.close()

    parent.send_signal(signal.SIGTERM)
    assert parent.wait(timeout=40) == 0
    assert not any(Path(f"/proc/{pid}").exists() for pid in children)
