"""`shouwang serve --processes N`: N server processes on one port, for a machine with more cores
than one interpreter can use.

One Python process holds the interpreter lock for most of a core at full load (bench/dispatch.py
showed the machine a third idle while the server was saturated). uvicorn's own `--workers`
shares one listening socket, and the kernel then hands most keep-alive connections to whichever
process accepts first: measured, one worker at 88% of a core and the other at 0%. Here every
process binds its own socket to the port with SO_REUSEPORT, and the kernel spreads new
connections over them by their addresses.

The parent only supervises: it starts the children (`serve --reuse-port`, the embedded workers
in the first alone), starts again one that dies, passes a stop on to all of them, and gives up
when one dies straight after its start (a port taken by another program, a broken setting), as
restarting it would only repeat the failure. Connections waiting in a dying child's accept queue
are reset by the kernel; the clients retry, as they do after any restart."""

import ctypes
import logging
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import FrameType

logger = logging.getLogger(__name__)

EARLY_EXIT_SECONDS = 5.0  # a child that dies sooner than this after its start is a failure
STOP_WAIT_SECONDS = 30.0  # for the children to finish their requests and stop hooks
POLL_SECONDS = 0.25
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def reuse_port_socket(host: str, port: int) -> socket.socket:
    """A socket bound to host:port that other processes of this user may bind too; the kernel
    balances new connections over all of them."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


@dataclass
class Child:
    index: int
    process: subprocess.Popen[bytes]
    started: float = field(default_factory=time.monotonic)


class Supervisor:
    """Keeps `count` children running until told to stop. `command(index)` is the argv of child
    `index`."""

    def __init__(self, count: int, command: Callable[[int], Sequence[str]]) -> None:
        self.count, self.command = count, command
        self.children: dict[int, Child] = {}
        self.stopping = False

    def run(self) -> int:
        """Runs until SIGINT or SIGTERM (0) or a child's early death (1)."""
        previous = {
            sig: signal.signal(sig, self._stop_requested) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        try:
            for index in range(self.count):
                self._start(index)
            status = self._watch()
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return status

    def pids(self) -> list[int]:
        return [child.process.pid for child in self.children.values()]

    def _start(self, index: int) -> None:
        # A process group of their own: a Ctrl-C in the terminal reaches the parent alone, which
        # passes on one orderly stop (a second signal makes uvicorn drop its open requests).
        process = subprocess.Popen(  # noqa: S603  (our own argv: this interpreter, serve)
            list(self.command(index)), process_group=0, preexec_fn=_die_with_parent
        )
        self.children[index] = Child(index, process)
        logger.info("server process %s started: pid %s", index, process.pid)

    def _watch(self) -> int:
        while not self.stopping:
            time.sleep(POLL_SECONDS)
            for index, child in list(self.children.items()):
                code = child.process.poll()
                if code is None or self.stopping:
                    continue
                lived = time.monotonic() - child.started
                if lived < EARLY_EXIT_SECONDS:
                    logger.error(
                        "server process %s (pid %s) exited with %s %.1f s after its start; "
                        "stopping all",
                        index,
                        child.process.pid,
                        code,
                        lived,
                    )
                    return 1
                logger.warning(
                    "server process %s (pid %s) exited with %s; starting it again",
                    index,
                    child.process.pid,
                    code,
                )
                self._start(index)
        return 0

    def _stop_requested(self, signum: int, _frame: FrameType | None) -> None:
        self.stopping = True

    def _stop_all(self) -> None:
        running = [c.process for c in self.children.values() if c.process.poll() is None]
        if running:
            logger.info("stopping %s server processes", len(running))
        for process in running:
            process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_WAIT_SECONDS
        for process in running:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                logger.warning("server process pid %s did not stop; killing it", process.pid)
                process.kill()
                process.wait()


def _die_with_parent() -> None:
    """In the child before it runs: stop when the parent dies, however it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def child_command(options: dict[str, object], index: int) -> list[str]:
    """The argv of child `index`: the same serve options on a shared port; the embedded workers
    run in child 0 only (they coordinate through the database, so more would be safe, but each
    copy polls it). `--processes 1` outranks a SHOUWANG_PROCESSES the child inherits, which
    would otherwise make every child a supervisor of its own."""
    command = [
        sys.executable,
        "-m",
        "shouwang.cli",
        "serve",
        "--processes",
        "1",
        "--reuse-port",
        "--host",
        str(options["host"]),
        "--port",
        str(options["port"]),
        "--log-level",
        str(options["log_level"]),
        "--limit-concurrency",
        str(options["limit_concurrency"]),
    ]
    if options["no_workers"] or index > 0:
        command.append("--no-workers")
    return command
