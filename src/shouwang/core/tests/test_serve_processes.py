"""`shouwang serve --processes N` (core/serve_processes.py): the supervisor keeps N real child
processes running, starts again one that dies, gives up when one dies at its start, and stops
them all on a signal; each child's socket shares the port with SO_REUSEPORT."""

import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable

import pytest
from django.core.management import CommandError, call_command

from shouwang.core import serve_processes
from shouwang.core.serve_processes import Supervisor, child_command, reuse_port_socket

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
DIES_AT_ONCE = [sys.executable, "-c", "raise SystemExit(4)"]
IGNORES_SIGTERM = [
    sys.executable,
    "-c",
    "import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "print('ready', flush=True); time.sleep(120)",
]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child the supervisor has not reaped yet is a zombie: as good as gone.
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().rsplit(")", 1)[1].split()[0] != "Z"


def wait_until(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serve_processes, "EARLY_EXIT_SECONDS", 0.5)
    monkeypatch.setattr(serve_processes, "STOP_WAIT_SECONDS", 2.0)
    monkeypatch.setattr(serve_processes, "POLL_SECONDS", 0.05)


@pytest.fixture
def supervisor_runs() -> Callable[[Supervisor, Callable[[Supervisor], None]], int]:
    """Runs a supervisor in this (the main) thread while `meanwhile` acts on it from another;
    a supervisor still running after 30 s is stopped, so a broken one cannot hang the suite."""

    def run(supervisor: Supervisor, meanwhile: Callable[[Supervisor], None]) -> int:
        failed: list[BaseException] = []

        def act() -> None:
            try:
                meanwhile(supervisor)
            except BaseException as exc:  # noqa: BLE001  (raised again in the test's thread)
                failed.append(exc)
            finally:
                supervisor.stopping = True

        helper = threading.Thread(target=act, daemon=True)
        guard = threading.Timer(30, lambda: setattr(supervisor, "stopping", True))
        helper.start()
        guard.start()
        try:
            status = supervisor.run()
        finally:
            guard.cancel()
            helper.join(timeout=10)
        if failed:
            raise failed[0]
        return status

    return run


def test_a_child_that_dies_later_is_started_again_and_all_stop_on_the_signal(
    quick: None, supervisor_runs
) -> None:
    seen: dict[str, list[int]] = {}

    def meanwhile(supervisor: Supervisor) -> None:
        pids = supervisor.pids
        assert wait_until(lambda: len(pids()) == 2 and all(map(alive, pids())))
        time.sleep(0.6)  # past EARLY_EXIT_SECONDS: a crash in service, not at the start
        seen["before"] = supervisor.pids()
        os.kill(seen["before"][1], signal.SIGKILL)
        assert wait_until(lambda: supervisor.pids()[1] != seen["before"][1])
        seen["after"] = supervisor.pids()
        assert alive(seen["after"][1])

    supervisor = Supervisor(2, lambda index: SLEEPER)
    assert supervisor_runs(supervisor, meanwhile) == 0
    assert seen["after"][0] == seen["before"][0]  # the other one was left alone
    assert not any(alive(pid) for pid in seen["after"])  # and stopped with the supervisor


def test_a_child_that_dies_at_its_start_stops_everything(quick: None, supervisor_runs) -> None:
    supervisor = Supervisor(2, lambda index: SLEEPER if index == 0 else DIES_AT_ONCE)
    status = supervisor_runs(supervisor, lambda s: wait_until(lambda: False, 5))
    assert status == 1  # said by the exit code, not retried for ever
    assert not any(alive(pid) for pid in supervisor.pids())


def test_a_child_that_ignores_the_stop_is_killed_after_the_wait(
    quick: None, supervisor_runs
) -> None:
    def meanwhile(supervisor: Supervisor) -> None:
        assert wait_until(lambda: len(supervisor.pids()) == 1)
        time.sleep(0.5)  # let it install its handler

    supervisor = Supervisor(1, lambda index: IGNORES_SIGTERM)
    started = time.monotonic()
    assert supervisor_runs(supervisor, meanwhile) == 0
    assert not alive(supervisor.pids()[0])
    assert time.monotonic() - started < 30


def test_sigterm_to_the_supervisor_stops_it(quick: None) -> None:
    supervisor = Supervisor(1, lambda index: SLEEPER)
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM)).start()
    previous = signal.getsignal(signal.SIGTERM)
    assert supervisor.run() == 0
    assert signal.getsignal(signal.SIGTERM) is previous  # handed back
    assert not alive(supervisor.pids()[0])


def test_the_workers_run_in_the_first_child_only() -> None:
    options = {
        "host": "127.0.0.1",
        "port": 8123,
        "log_level": "warning",
        "limit_concurrency": 0,
        "no_workers": False,
    }
    first, second = child_command(options, 0), child_command(options, 1)
    assert "--reuse-port" in first and "--reuse-port" in second
    for command in (first, second):  # whatever SHOUWANG_PROCESSES the children inherit
        assert command[command.index("--processes") + 1] == "1"
    assert "--no-workers" not in first and "--no-workers" in second
    assert first[first.index("--port") + 1] == "8123"
    assert "--no-workers" in child_command({**options, "no_workers": True}, 0)


def test_reuse_port_sockets_share_a_port_and_a_plain_one_cannot() -> None:
    first = reuse_port_socket("127.0.0.1", 0)
    port = first.getsockname()[1]
    second = reuse_port_socket("127.0.0.1", port)
    plain = socket.socket()
    try:
        first.listen()
        second.listen()
        with pytest.raises(OSError, match="in use"):
            plain.bind(("127.0.0.1", port))
    finally:
        for sock in (first, second, plain):
            sock.close()


def test_more_processes_need_redis(settings) -> None:
    settings.REDIS_URL = ""
    with pytest.raises(CommandError) as refused:
        call_command("serve", "--processes", "2", "--port", "0")
    assert "REDIS_URL" in str(refused.value) and "多个服务进程" in str(refused.value)
    with pytest.raises(CommandError, match="at least 1"):
        call_command("serve", "--processes", "0", "--port", "0")


def test_the_environment_sets_the_default_and_the_demo_serves_one_process(
    settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.REDIS_URL = ""
    monkeypatch.setenv("SHOUWANG_PROCESSES", "2")
    with pytest.raises(CommandError, match="REDIS_URL"):
        call_command("serve", "--port", "0", "--no-workers")
    served: list[object] = []

    def run(server: object, sockets: object = None) -> None:
        served.append(server)
        server.started = True  # type: ignore[attr-defined]

    monkeypatch.setattr("uvicorn.Server.run", run)
    monkeypatch.setattr("shouwang.core.management.commands.demo.call_command", _demo_steps)
    call_command("demo", "--port", "0")
    assert len(served) == 1  # embedded mode: one process, whatever SHOUWANG_PROCESSES says


def _demo_steps(name: str, *args: object, **options: object) -> None:
    """The demo's own steps, without building the demo city (its tests do that)."""
    if name == "serve":
        call_command(name, *args, **{**options, "no_workers": True})
