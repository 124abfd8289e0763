"""Five-in-sync dispatch, end to end through a real server (issue 3). Prints ONE JSON line on
stdout; progress goes to stderr.

    .venv/bin/python bench/dispatch.py [--duration 30] [--rate 100] [--responders 20]
                                       [--clients 10] [--capacity-duration SECONDS]
                                       [--processes 1]

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shouwang_bench \\
    REDIS_URL=redis://127.0.0.1:6379/11 .venv/bin/python bench/dispatch.py

It starts `shouwang serve` itself on a free 127.0.0.1 port, as a child process with the embedded
workers (with `--processes N`, the production layout: N server processes on ports of their own
behind nginx with deploy/nginx/shouwang.conf; their CPU and RSS, nginx's included, are added
up), against a throwaway database it
migrates and fills with a minimal city
(bench/dispatch_city.py: one town, its police station, a dispatcher and K responders):

- embedded SQLite (in-memory channel layer and cache) in a temporary data directory, by
  default;
- PostgreSQL + Redis when both DATABASE_URL and REDIS_URL are set. The database named in
  DATABASE_URL is dropped and created by this script, so its name must contain "bench"; the
  Redis database must not be db 0, and the run's keys carry their own prefix and are deleted
  at the end. Both are removed at the end unless --keep.

The K responders sign in with API tokens and listen on `ws/notify/?token=...`, as the phone page
does. One "intake-plus-dispatch" is `POST /api/v1/cases` (a 110 call at a random point of the
town) by the dispatcher, then `POST /api/v1/cases/{id}/dispatch` naming one responder (round
robin); it arrives when that responder's socket receives the `case.dispatched` notification
carrying the case id.

(a) latency: intakes-plus-dispatches started at an offered `--rate` per second (open loop: each
    starts on schedule whether or not the earlier ones have finished) for `--duration` seconds.
    p50/p95/p99 from the intake request being sent to the assignee's socket receiving the
    message; `lost`: dispatches answered 2xx whose message had not arrived 10 s after the last
    answer; `intakes_per_s`: what was achieved (completions per second). Failed requests are
    counted apart, in `errors`.
(b) capacity: C concurrent clients (closed loop, keep-alive connections) do intakes-plus-
    dispatches back to back for `--capacity-duration` seconds: `max_intakes_per_s`; beside
    the baseline, the same C clients doing bare `GET /healthz` against the same server for as
    long: `baseline_rps`, `baseline_p50_ms`, `baseline_p99_ms`.

Extra keys: the run's shape (K, C, durations), HTTP-only latencies (`http_*`: the two answers,
without the socket), errors and the commonest kinds, duplicates, socket reconnects (a socket
reconnects with `after=` its last message id and is sent what it missed), the server's and
this client's CPU per phase (% of one core; the machine's cores are in `cores`), the server's CPU
per intake-plus-dispatch and per /healthz (less sensitive to other load on the machine than the
rates are), its RSS, and the 1-minute load average at the start. SHOUWANG_DB_CONN_MAX_AGE is
passed through (default 0, the project's default). Everything is on 127.0.0.1 and every phase
is bounded in time: a request (or intake-plus-dispatch) gives up after 30 s, messages are waited
for 10 s after the last answer, and between phases the server is given up to 60 s to go idle.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus, WebSocketException
from websockets.typing import Origin

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ARRIVAL_GRACE_S = 10.0  # after the last dispatch answer; what has not arrived then is lost
REQUEST_TIMEOUT_S = 30.0  # per intake-plus-dispatch, and per /healthz
SETUP_TIMEOUT_S = 300.0
SERVER_START_TIMEOUT_S = 90.0
LOGIN_CONCURRENCY = 2  # each sign-in is ~0.5 s of PBKDF2 on the server
OPEN_LOOP_CONNECTIONS = 256
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
IDLE_CPU_SHARE = 0.15  # of one core: the server counts as idle below this


def say(text: str) -> None:
    print(f"[bench/dispatch {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def percentile(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile, in the values' unit, rounded to 0.1."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, int(q * len(ordered) + 0.999999) - 1))
    return round(ordered[rank], 1)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# --- the backend: a throwaway SQLite directory, or a PostgreSQL database and Redis prefix ---


class Backend:
    def __init__(self, keep: bool) -> None:
        self.keep = keep
        self.run_id = secrets.token_hex(4)
        self.data_dir = Path(tempfile.mkdtemp(prefix="shouwang-bench-dispatch-"))
        database_url = os.environ.get("DATABASE_URL", "")
        redis_url = os.environ.get("REDIS_URL", "")
        if bool(database_url) != bool(redis_url):
            raise SystemExit("set both DATABASE_URL and REDIS_URL (PostgreSQL + Redis) or neither")
        self.database_url, self.redis_url = database_url, redis_url
        self.prefix = f"benchdispatch{self.run_id}"
        self.env = os.environ.copy()
        for name in ("DATABASE_URL", "REDIS_URL"):
            self.env.pop(name, None)
        self.env.update(
            SHOUWANG_DATA_DIR=str(self.data_dir),
            SHOUWANG_DEBUG="0",
            SHOUWANG_SSL_REDIRECT="0",
            SHOUWANG_ALLOWED_HOSTS="127.0.0.1,localhost",
            SHOUWANG_LOG_LEVEL="WARNING",
            DJANGO_SETTINGS_MODULE="shouwang.settings",
        )
        # The project's default (0: a connection per request) unless the caller sets it. 60, as
        # .env.example suggests for PostgreSQL, runs out of connections under ASGI: each request
        # runs in a thread of its own, so its connection is never reused (measured here).
        self.env.setdefault("SHOUWANG_DB_CONN_MAX_AGE", "0")
        self.name = "sqlite"
        if database_url:
            self.name = "postgresql+redis"
            address = urlparse(database_url)
            self.db_name = address.path.lstrip("/")
            if address.scheme not in {"postgres", "postgresql"}:
                raise SystemExit("DATABASE_URL must be a postgres:// URL")
            if "bench" not in self.db_name:
                raise SystemExit(
                    f"refusing to drop and create {self.db_name!r}: this script owns its database "
                    "and its name must contain 'bench' (e.g. shouwang_bench)"
                )
            self.admin_url = address._replace(path="/postgres").geturl()
            redis_db = urlparse(redis_url).path.strip("/")
            if not redis_db.isdigit() or int(redis_db) == 0:
                raise SystemExit("REDIS_URL must name a dedicated Redis database, not db 0")
            self.env.update(
                DATABASE_URL=database_url,
                REDIS_URL=redis_url,
                SHOUWANG_CACHE_PREFIX=self.prefix,
                SHOUWANG_CHANNEL_PREFIX=self.prefix,
            )

    def create(self) -> None:
        if self.name == "sqlite":
            return
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.db_name}"')

    def remove(self) -> None:
        if self.keep:
            kept = f" and the database {self.db_name}" if self.name != "sqlite" else ""
            say(f"kept the data directory {self.data_dir}{kept}")
            return
        if self.name != "sqlite":
            import psycopg
            import redis

            try:
                with psycopg.connect(self.admin_url, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
            except psycopg.Error as exc:
                say(f"could not drop {self.db_name}: {exc}")
            try:
                client = redis.Redis.from_url(self.redis_url)
                keys = list(client.scan_iter(match=f"{self.prefix}*", count=1000))
                for start in range(0, len(keys), 1000):
                    client.delete(*keys[start : start + 1000])
            except redis.RedisError as exc:
                say(f"could not delete the run's Redis keys: {exc}")
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def run(self, command: list[str], extra_env: dict[str, str] | None = None) -> str:
        env = {**self.env, **(extra_env or {})}
        done = subprocess.run(
            command,
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=SETUP_TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
            raise SystemExit(f"failed ({done.returncode}): {' '.join(command[:3])}")
        return done.stdout


# --- the server ---------------------------------------------------------------------------


class Server:
    """One `shouwang serve` on `port`; or, with processes N > 1, the production layout
    (docs/deploy.md): N `shouwang serve` on ports of their own (the embedded workers in the
    first only) behind Debian's nginx on `port`, with the shipped site config. `process` is the
    one the clients talk to (the server, or nginx)."""

    started: "list[Server]" = []  # stopped again in main(), however the run ends

    def __init__(self, backend: Backend, port: int, processes: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.ws_base = f"ws://127.0.0.1:{port}"
        self.log_path = backend.data_dir / "server.log"
        self.log = self.log_path.open("wb")
        ports = [port] if processes == 1 else [free_port() for _ in range(processes)]
        self.processes = [
            subprocess.Popen(
                [
                    str(BIN / "shouwang"),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(server_port),
                    "--log-level",
                    "warning",
                    *([] if index == 0 else ["--no-workers"]),
                ],
                cwd=ROOT,
                env=backend.env,
                stdout=self.log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a Ctrl-C of the bench reaches us: we stop it cleanly
            )
            for index, server_port in enumerate(ports)
        ]
        self.process = self.processes[0]
        if processes > 1:
            from shouwang.testing.nginx import nginx_config, nginx_path

            nginx = nginx_path()
            if nginx is None:
                raise SystemExit("--processes above 1 needs nginx (make services-tools)")
            prefix = backend.data_dir / "nginx"
            for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
                (prefix / name).mkdir(parents=True, exist_ok=True)
            conf = prefix / "nginx.conf"
            conf.write_text(nginx_config(prefix=prefix, port=port, upstream_ports=ports))
            self.process = subprocess.Popen(
                [nginx, "-p", str(prefix), "-c", str(conf)],
                stdout=self.log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            self.processes.append(self.process)
        Server.started.append(self)

    def log_tail(self, lines: int = 40) -> str:
        with contextlib.suppress(OSError):
            text = self.log_path.read_text(errors="replace")
            return "\n".join(text.splitlines()[-lines:])
        return ""

    def pids(self) -> list[int]:
        """The server processes (and nginx, with --processes above 1) and their children."""
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError, IndexError, ValueError):
                    ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                    children.setdefault(ppid, []).append(int(entry.name))
        found, todo = [], [p.pid for p in self.processes]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found

    def _status(self) -> dict[str, int]:
        values: dict[str, int] = {}
        for pid in self.pids():
            with contextlib.suppress(OSError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    key, _, rest = line.partition(":")
                    if key in {"VmRSS", "VmHWM"}:
                        values[key] = values.get(key, 0) + int(rest.split()[0])
        return values

    def rss_mb(self) -> tuple[float | None, float | None]:
        """RSS and peak RSS, summed over the server processes."""
        status = self._status()
        rss, peak = status.get("VmRSS"), status.get("VmHWM")
        return (
            round(rss / 1024, 1) if rss is not None else None,
            round(peak / 1024, 1) if peak is not None else None,
        )

    def cpu_seconds(self) -> float:
        """User + system CPU of the server processes (all their threads) so far."""
        total, seen = 0.0, False
        for pid in self.pids():
            try:
                stat = Path(f"/proc/{pid}/stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
            seen = True
        return total if seen else float("nan")

    def stop(self) -> None:
        for process in reversed(self.processes):  # nginx first
            if process.poll() is None:
                for sig, wait in ((signal.SIGINT, 15), (signal.SIGTERM, 5)):
                    process.send_signal(sig)
                    try:
                        process.wait(timeout=wait)
                        break
                    except subprocess.TimeoutExpired:
                        continue
                else:
                    process.kill()
                    process.wait(timeout=5)
        if not self.log.closed:
            self.log.close()

    def exited(self) -> subprocess.Popen[bytes] | None:
        return next((p for p in self.processes if p.poll() is not None), None)


async def wait_healthy(server: Server, client: httpx.AsyncClient) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    last = "no answer"
    while time.monotonic() < deadline:
        if (gone := server.exited()) is not None:
            sys.stderr.write(server.log_tail() + "\n")
            raise SystemExit(f"the server exited with {gone.returncode}")
        try:
            response = await client.get("/healthz", timeout=5)
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:200]}"
        except httpx.HTTPError as exc:
            last = type(exc).__name__
        await asyncio.sleep(0.25)
    sys.stderr.write(server.log_tail() + "\n")
    raise SystemExit(f"the server did not become healthy: {last}")


async def sign_in(client: httpx.AsyncClient, usernames: list[str], password: str) -> list[str]:
    gate = asyncio.Semaphore(LOGIN_CONCURRENCY)

    async def one(username: str) -> str:
        async with gate:
            response = await client.post(
                "/api/v1/auth/token", json={"username": username, "password": password}
            )
        if response.status_code != 200:
            raise SystemExit(f"sign-in of {username}: {response.status_code} {response.text}")
        return str(response.json()["token"])

    return list(await asyncio.gather(*(one(name) for name in usernames)))


# --- the responders' sockets --------------------------------------------------------------


@dataclass
class Arrivals:
    """case id -> (perf_counter at arrival, index of the responder whose socket got it)."""

    first: dict[int, tuple[float, int]] = field(default_factory=dict)
    duplicates: int = 0
    reconnects: int = 0
    connected: set[int] = field(default_factory=set)
    last_id: dict[int, int] = field(default_factory=dict)  # per responder, for ?after=

    def record(self, raw: str | bytes, responder: int) -> None:
        now = time.perf_counter()
        try:
            data = json.loads(raw)
        except ValueError:
            return
        if isinstance(data, dict) and isinstance(data.get("id"), int):
            self.last_id[responder] = max(self.last_id.get(responder, 0), data["id"])
        message = data.get("message") if isinstance(data, dict) else None
        if not isinstance(message, dict) or message.get("type") != "case.dispatched":
            return
        case_id = (message.get("case") or {}).get("id")
        if not isinstance(case_id, int):
            return
        if case_id in self.first:
            self.duplicates += 1
        else:
            self.first[case_id] = (now, responder)


async def listen(
    url: str, origin: str, responder: int, arrivals: Arrivals, stop: asyncio.Event
) -> None:
    """One responder's phone: a socket kept open, reconnecting after a drop as the page does,
    with `after=` the last message id it saw, so the server sends what it missed."""
    while not stop.is_set():
        seen = arrivals.last_id.get(responder)
        try:
            async with connect(
                url if seen is None else f"{url}&after={seen}",
                origin=Origin(origin),
                proxy=None,
                open_timeout=10,
                max_queue=None,
            ) as ws:
                arrivals.connected.add(responder)
                async for raw in ws:
                    arrivals.record(raw, responder)
        except InvalidStatus as exc:
            say(f"responder {responder}: socket refused ({exc}); retrying")
        except (OSError, WebSocketException, TimeoutError):
            pass
        arrivals.connected.discard(responder)
        if stop.is_set():
            return
        arrivals.reconnects += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=0.5)


# --- one intake-plus-dispatch -------------------------------------------------------------


@dataclass
class Sent:
    case_id: int
    responder: int
    started: float  # perf_counter when the intake request was sent
    answered: float  # perf_counter when the dispatch answered


@dataclass
class Driver:
    client: httpx.AsyncClient
    dispatcher_token: str
    responders: list[str]
    categories: list[str]
    box: list[float]
    run_id: str
    rng: random.Random
    errors: list[str] = field(default_factory=list)

    def body(self, n: int) -> dict[str, object]:
        west, south, east, north = self.box
        margin = (east - west) * 0.01
        return {
            "category": self.rng.choice(self.categories),
            "description": f"bench {self.run_id} #{n}: 群众报警，现场需要民警处置",
            "channel": "110",
            "lat": round(self.rng.uniform(south + margin, north - margin), 6),
            "lng": round(self.rng.uniform(west + margin, east - margin), 6),
            "address": f"稠城街道测试路{n}号",
            "caller_phone": f"139{self.rng.randrange(10**8):08d}",
        }

    async def one(self, n: int) -> Sent | None:
        responder = n % len(self.responders)
        headers = {"Authorization": f"Bearer {self.dispatcher_token}"}
        body = self.body(n)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(REQUEST_TIMEOUT_S):  # both requests, pool wait included
                created = await self.client.post("/api/v1/cases", json=body, headers=headers)
                if created.status_code != 201:
                    raise RuntimeError(f"intake {created.status_code} {why(created)}")
                case_id = int(created.json()["id"])
                dispatched = await self.client.post(
                    f"/api/v1/cases/{case_id}/dispatch",
                    json={"people": [self.responders[responder]]},
                    headers=headers,
                )
                if dispatched.status_code != 200:
                    raise RuntimeError(f"dispatch {dispatched.status_code} {why(dispatched)}")
        except (httpx.HTTPError, RuntimeError, ValueError, KeyError, TimeoutError) as exc:
            self.errors.append(f"{type(exc).__name__}: {exc}"[:300])
            return None
        return Sent(case_id, responder, started, time.perf_counter())


def why(response: httpx.Response) -> str:
    """The API's error code and message, else the start of the page (a 500 is Django's)."""
    try:
        error = response.json()["error"]
        return f"{error['code']}: {error['message']}"
    except (ValueError, KeyError, TypeError):
        return " ".join(response.text.split())[:120]


async def wait_arrivals(sent: list[Sent], arrivals: Arrivals) -> None:
    last_answer = max((s.answered for s in sent), default=time.perf_counter())
    while time.perf_counter() < last_answer + ARRIVAL_GRACE_S:
        if all(s.case_id in arrivals.first for s in sent):
            return
        await asyncio.sleep(0.05)


def outcome(sent: list[Sent], arrivals: Arrivals) -> dict[str, Any]:
    latencies, http, lost, misrouted = [], [], 0, 0
    for s in sent:
        http.append((s.answered - s.started) * 1000)
        got = arrivals.first.get(s.case_id)
        if got is None:
            lost += 1
            continue
        latencies.append((got[0] - s.started) * 1000)
        misrouted += got[1] != s.responder
    answered = sorted(s.answered for s in sent)
    span = answered[-1] - answered[0] if len(answered) > 1 else 0.0
    return {
        "dispatched": len(sent),
        "lost": lost,
        "misrouted": misrouted,
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": round(max(latencies), 1) if latencies else None,
        "http_p50_ms": percentile(http, 0.50),
        "http_p99_ms": percentile(http, 0.99),
        # completions per second, between the first and the last dispatch answer
        "per_s": round((len(answered) - 1) / span, 1) if span > 0 else None,
    }


class Meter:
    """CPU of the server and of this client over a phase, in % of one core."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.wall, self.server_cpu = time.perf_counter(), server.cpu_seconds()
        self.client_cpu = time.process_time()

    def read(self) -> tuple[int, int, float]:
        """(server %, client %, server CPU seconds) since the start."""
        wall = time.perf_counter() - self.wall
        used = self.server.cpu_seconds() - self.server_cpu
        client = (time.process_time() - self.client_cpu) / wall * 100
        return round(used / wall * 100), round(client), used


async def settle(server: Server, seconds: float = 60.0) -> None:
    """Waits (at most `seconds`) until the server is idle again: requests a client gave up on
    are still worked through by the server, and would weigh on the next phase."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        before = server.cpu_seconds()
        await asyncio.sleep(0.5)
        if (server.cpu_seconds() - before) / 0.5 < IDLE_CPU_SHARE:
            return
    say(f"the server was still busy after {seconds:g} s; going on")


# --- the phases ---------------------------------------------------------------------------


async def phase_latency(
    driver: Driver, arrivals: Arrivals, server: Server, rate: float, duration: float
) -> dict[str, Any]:
    total = max(1, int(rate * duration))
    meter, errors_before = Meter(server), len(driver.errors)
    tasks: list[asyncio.Task[Sent | None]] = []
    max_lag = 0.0
    start = time.perf_counter() + 0.01
    for n in range(total):
        due = start + n / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        max_lag = max(max_lag, time.perf_counter() - due)
        tasks.append(asyncio.create_task(driver.one(n)))
    done = [s for s in await asyncio.gather(*tasks) if s is not None]
    await wait_arrivals(done, arrivals)
    server_cpu, client_cpu, _used = meter.read()
    result = outcome(done, arrivals)
    return {
        "offered": total,
        "errors": len(driver.errors) - errors_before,
        "max_send_lag_ms": round(max_lag * 1000, 1),
        "server_cpu_pct": server_cpu,
        "client_cpu_pct": client_cpu,
        **result,
    }


async def closed_loop(
    clients: int, seconds: float, work: Callable[[int], Awaitable[bool]]
) -> tuple[int, int, float]:
    """C workers calling `work(n)` back to back until the time is up; (done, failed, seconds
    from the start to the last answer)."""
    counter, ok, failed = iter(range(10**9)), 0, 0
    start = time.perf_counter()
    deadline = start + seconds
    last = start

    async def worker() -> None:
        nonlocal ok, failed, last
        while time.perf_counter() < deadline:
            if await work(next(counter)):
                ok += 1
                last = max(last, time.perf_counter())
            else:
                failed += 1

    await asyncio.gather(*(worker() for _ in range(clients)))
    return ok, failed, last - start


async def phase_baseline(
    client: httpx.AsyncClient, server: Server, clients: int, seconds: float
) -> dict[str, Any]:
    latencies: list[float] = []
    meter = Meter(server)

    async def health(_n: int) -> bool:
        started = time.perf_counter()
        try:
            response = await client.get("/healthz")
        except httpx.HTTPError:
            return False
        if response.status_code != 200:
            return False
        latencies.append((time.perf_counter() - started) * 1000)
        return True

    ok, failed, elapsed = await closed_loop(clients, seconds, health)
    server_cpu, client_cpu, used = meter.read()
    return {
        "baseline_rps": round(ok / elapsed, 1) if elapsed > 0 else None,
        "baseline_p50_ms": percentile(latencies, 0.50),
        "baseline_p99_ms": percentile(latencies, 0.99),
        "baseline_errors": failed,
        "baseline_server_cpu_pct": server_cpu,
        "baseline_client_cpu_pct": client_cpu,
        "baseline_server_cpu_ms_per_request": round(used * 1000 / ok, 2) if ok else None,
    }


async def phase_capacity(
    driver: Driver, arrivals: Arrivals, server: Server, clients: int, seconds: float, first: int
) -> dict[str, Any]:
    sent: list[Sent] = []
    meter, errors_before = Meter(server), len(driver.errors)

    async def intake_and_dispatch(n: int) -> bool:
        done = await driver.one(first + n)
        if done is not None:
            sent.append(done)
        return done is not None

    ok, _failed, elapsed = await closed_loop(clients, seconds, intake_and_dispatch)
    server_cpu, client_cpu, used = meter.read()
    await wait_arrivals(sent, arrivals)
    result = outcome(sent, arrivals)
    return {
        "max_intakes_per_s": round(ok / elapsed, 1) if elapsed > 0 else None,
        "capacity_dispatched": ok,
        "capacity_errors": len(driver.errors) - errors_before,
        "capacity_lost": result["lost"],
        "capacity_p50_ms": result["p50_ms"],
        "capacity_p99_ms": result["p99_ms"],
        "capacity_http_p50_ms": result["http_p50_ms"],
        "capacity_server_cpu_pct": server_cpu,
        "capacity_client_cpu_pct": client_cpu,
        "capacity_server_cpu_ms_per_intake": round(used * 1000 / ok, 1) if ok else None,
    }


# --- the run ------------------------------------------------------------------------------


async def measure(args: argparse.Namespace, backend: Backend, city: dict[str, Any]) -> dict:
    server = Server(backend, args.port or free_port(), args.processes)
    say(f"server pid {server.process.pid} at {server.base} ({backend.name})")
    stop = asyncio.Event()
    listeners: list[asyncio.Task[None]] = []
    limits = httpx.Limits(
        max_connections=OPEN_LOOP_CONNECTIONS, max_keepalive_connections=OPEN_LOOP_CONNECTIONS
    )
    try:
        async with httpx.AsyncClient(
            base_url=server.base, timeout=REQUEST_TIMEOUT_S, limits=limits, trust_env=False
        ) as client:
            await wait_healthy(server, client)
            say(f"signing in the dispatcher and {len(city['responders'])} responders")
            tokens = await sign_in(
                client, [city["dispatcher"], *city["responders"]], backend.env["BENCH_PASSWORD"]
            )
            arrivals = Arrivals()
            for index, token in enumerate(tokens[1:]):
                url = f"{server.ws_base}/ws/notify/?token={token}"
                listeners.append(
                    asyncio.create_task(listen(url, server.base, index, arrivals, stop))
                )
            driver = Driver(
                client=client,
                dispatcher_token=tokens[0],
                responders=city["responders"],
                categories=city["categories"],
                box=city["box"],
                run_id=backend.run_id,
                rng=random.Random(args.seed),
            )
            deadline = time.monotonic() + 30
            while len(arrivals.connected) < len(tokens) - 1 and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            if len(arrivals.connected) < len(tokens) - 1:
                raise SystemExit(
                    f"only {len(arrivals.connected)} of {len(tokens) - 1} sockets connected"
                )
            # Warm-up, and proof that the path works: one dispatch to every responder, whose
            # socket must get it (the socket joins its groups just after the handshake).
            await asyncio.sleep(0.5)
            warm = [
                s
                for s in await asyncio.gather(*(driver.one(n) for n in range(len(tokens) - 1)))
                if s is not None
            ]
            await wait_arrivals(warm, arrivals)
            missing = [s for s in warm if s.case_id not in arrivals.first]
            if len(warm) < len(tokens) - 1 or missing:
                raise SystemExit(
                    f"warm-up failed: {len(tokens) - 1 - len(warm)} dispatches failed, "
                    f"{len(missing)} messages missing; errors: {driver.errors[:3]}"
                )
            driver.errors.clear()
            await settle(server)
            reconnects_before = arrivals.reconnects
            n_next = 10**6  # case descriptions stay distinct across phases

            say(f"(a) {args.rate:g} intakes-plus-dispatches/s offered for {args.duration:g} s")
            a = await phase_latency(driver, arrivals, server, args.rate, args.duration)
            say(
                f"(a) {a['dispatched']}/{a['offered']} dispatched at {a['per_s']}/s, "
                f"{a['errors']} errors, {a['lost']} lost; p50 {a['p50_ms']} p95 {a['p95_ms']} "
                f"p99 {a['p99_ms']} ms (HTTP p99 {a['http_p99_ms']} ms); "
                f"server CPU {a['server_cpu_pct']}%"
            )
            await settle(server)

            capacity_s = args.capacity_duration or args.duration
            pool = httpx.Limits(
                max_connections=args.clients, max_keepalive_connections=args.clients
            )
            async with httpx.AsyncClient(
                base_url=server.base, timeout=REQUEST_TIMEOUT_S, limits=pool, trust_env=False
            ) as c_client:
                say(f"(b) baseline: {args.clients} clients GET /healthz for {capacity_s:g} s")
                b = await phase_baseline(c_client, server, args.clients, capacity_s)
                say(
                    f"(b) baseline {b['baseline_rps']}/s, p50 {b['baseline_p50_ms']} "
                    f"p99 {b['baseline_p99_ms']} ms; server CPU {b['baseline_server_cpu_pct']}%"
                )
                await settle(server)
                driver.client = c_client
                say(f"(b) capacity: {args.clients} clients intake+dispatch for {capacity_s:g} s")
                c = await phase_capacity(
                    driver, arrivals, server, args.clients, capacity_s, first=n_next
                )
                say(
                    f"(b) capacity {c['max_intakes_per_s']}/s, {c['capacity_errors']} errors, "
                    f"{c['capacity_lost']} lost, p99 to socket {c['capacity_p99_ms']} ms; "
                    f"server CPU {c['capacity_server_cpu_pct']}%"
                )
            if driver.errors:
                say(f"first errors: {driver.errors[:3]}")
            rss, peak = server.rss_mb()
            if server.exited() is not None:
                sys.stderr.write(server.log_tail() + "\n")
                raise SystemExit("the server died during the run")
            return {
                "a": a,
                "b": b,
                "c": c,
                "reconnects": arrivals.reconnects - reconnects_before,
                "duplicates": arrivals.duplicates,
                "rss": rss,
                "peak": peak,
                "capacity_s": capacity_s,
                "error_kinds": dict(Counter(e[:60] for e in driver.errors).most_common(3)),
            }
    finally:
        stop.set()
        for task in listeners:
            task.cancel()
        await asyncio.gather(*listeners, return_exceptions=True)
        server.stop()
        errors = [line for line in server.log_tail(400).splitlines() if "ERROR" in line]
        if errors:
            say(f"server log has {len(errors)} ERROR lines; the last: {errors[-1][:300]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of phase (a)")
    parser.add_argument("--rate", type=float, default=100.0, help="offered per second in (a)")
    parser.add_argument("--responders", "-K", type=int, default=20, help="responder sockets K")
    parser.add_argument("--clients", "-C", type=int, default=10, help="concurrent clients C")
    parser.add_argument(
        "--capacity-duration", type=float, default=None, help="seconds of each (b) run"
    )
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument(
        "--processes",
        type=int,
        default=1,
        help="server processes; above 1, each on its own port behind nginx (the production "
        "layout, docs/deploy.md; needs PostgreSQL + Redis); CPU and RSS are summed over them "
        "and nginx",
    )
    parser.add_argument("--seed", type=int, default=3, help="random seed of places, categories")
    parser.add_argument("--keep", action="store_true", help="keep the database and data dir")
    args = parser.parse_args()
    if not (0 < args.duration <= 3600 and 0 < args.rate <= 10_000):
        parser.error("--duration must be in (0, 3600] s and --rate in (0, 10000]")
    if not (1 <= args.responders <= 1000 and 1 <= args.clients <= 1000):
        parser.error("--responders and --clients must be between 1 and 1000")
    if not 1 <= args.processes <= 64:
        parser.error("--processes must be between 1 and 64")
    if args.processes > 1 and not os.environ.get("REDIS_URL"):
        parser.error("--processes above 1 needs PostgreSQL + Redis (DATABASE_URL and REDIS_URL)")
    if args.capacity_duration is not None and not 0 < args.capacity_duration <= 3600:
        parser.error("--capacity-duration must be in (0, 3600] s")

    signal.signal(signal.SIGTERM, _terminate)
    load = round(os.getloadavg()[0], 2)
    backend = Backend(keep=args.keep)
    backend.env["BENCH_PASSWORD"] = f"Bench-{secrets.token_hex(6)}-Aa9!"
    try:
        say(f"{backend.name}: creating and migrating a fresh database")
        started = time.monotonic()
        backend.create()
        backend.run([str(BIN / "shouwang"), "migrate", "--no-input", "-v0"])
        out = backend.run(
            [
                sys.executable,
                str(ROOT / "bench" / "dispatch_city.py"),
                "--responders",
                str(args.responders),
            ]
        )
        city = json.loads(out.strip().splitlines()[-1])
        say(f"city built in {time.monotonic() - started:.1f} s")
        runner = _runner()
        with runner:
            r = runner.run(measure(args, backend, city))
    finally:
        for server in Server.started:
            server.stop()
        backend.remove()
    a, b, c = r["a"], r["b"], r["c"]
    line = {
        "backend": backend.name,
        "intakes_per_s": a["per_s"],
        "p50_ms": a["p50_ms"],
        "p95_ms": a["p95_ms"],
        "p99_ms": a["p99_ms"],
        "lost": a["lost"],
        "max_intakes_per_s": c["max_intakes_per_s"],
        "baseline_rps": b["baseline_rps"],
        "baseline_p50_ms": b["baseline_p50_ms"],
        "baseline_p99_ms": b["baseline_p99_ms"],
        "rate": args.rate,
        "duration_s": args.duration,
        "capacity_duration_s": r["capacity_s"],
        "responders": args.responders,
        "clients": args.clients,
        "offered": a["offered"],
        "dispatched": a["dispatched"],
        "errors": a["errors"],
        "misrouted": a["misrouted"],
        "max_ms": a["max_ms"],
        "http_p50_ms": a["http_p50_ms"],
        "http_p99_ms": a["http_p99_ms"],
        "max_send_lag_ms": a["max_send_lag_ms"],
        "server_cpu_pct": a["server_cpu_pct"],
        "client_cpu_pct": a["client_cpu_pct"],
        **{k: v for k, v in c.items() if k != "max_intakes_per_s"},
        "baseline_errors": b["baseline_errors"],
        "baseline_server_cpu_pct": b["baseline_server_cpu_pct"],
        "baseline_client_cpu_pct": b["baseline_client_cpu_pct"],
        "baseline_server_cpu_ms_per_request": b["baseline_server_cpu_ms_per_request"],
        "duplicates": r["duplicates"],
        "ws_reconnects": r["reconnects"],
        "error_kinds": r["error_kinds"],
        "server_rss_mb": r["rss"],
        "server_rss_peak_mb": r["peak"],
        "conn_max_age": int(backend.env["SHOUWANG_DB_CONN_MAX_AGE"]),
        "cores": os.cpu_count(),
        "processes": args.processes,
        "loadavg_1m": load,
    }
    print(json.dumps(line), flush=True)


def _terminate(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # unwinds like Ctrl-C: the server is stopped, the database dropped


def _runner() -> asyncio.Runner:
    """uvloop when available (it is, with uvicorn[standard]): less client CPU per request."""
    try:
        import uvloop
    except ImportError:
        return asyncio.Runner()
    return asyncio.Runner(loop_factory=uvloop.new_event_loop)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        say("interrupted; the server was stopped and the bench database removed")
        sys.exit(130)
