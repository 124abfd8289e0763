"""The world of bench/alarms.py: the throwaway database, the city with its simulated fleet and
the five contacts of every alarm premises, and the server under test (`shouwang serve` as a
child process)."""

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def say(text: str) -> None:
    print(f"[bench/alarms {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


# --- the throwaway database --------------------------------------------------------------


def _database() -> tuple[str, str]:
    """(name, URL of the server's maintenance database) of the throwaway bench database."""
    url = os.environ["DATABASE_URL"]
    name = urlparse(url).path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to drop {name!r}: the bench database name must hold 'bench'")
    return name, url.rsplit("/", 1)[0] + "/postgres"


def reset_database() -> None:
    import psycopg

    name, admin_url = _database()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    redis_url = os.environ.get("REDIS_URL", "")
    if redis_url:
        if not redis_url.rstrip("/").endswith(("/12", "/11", "/10")):
            raise SystemExit("BENCH_REDIS_URL must name a spare Redis database (10, 11 or 12)")
        import redis

        redis.Redis.from_url(redis_url).flushdb()
    run([str(BIN / "shouwang"), "migrate", "--no-input", "-v0"])


def drop_database() -> None:
    import psycopg

    name, admin_url = _database()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(command: list[str]) -> None:
    subprocess.run(command, check=True, cwd=ROOT, env=os.environ.copy())


# --- data: a city, the fleet, five contacts per alarm premises ---------------------------


def build_world(devices: int, sink_url: str, alarm_sites: int) -> dict[str, Any]:
    import django

    django.setup()
    from shouwang.cases.models import SlaPolicy
    from shouwang.core.models import Role, UnitKind
    from shouwang.core.services.jurisdiction import unit_create
    from shouwang.core.services.people import person_create
    from shouwang.devices.services.fleet_register import simulated_fleet_register
    from shouwang.notify.models import WebhookEndpoint
    from shouwang.places.models import AlarmContact, ContactRole, ExtraChannel, Premises
    from shouwang.testing.city import PASSWORD, build_city

    city = build_city()
    # Nobody accepts in a benchmark: keep the loop's own acceptance timers out of the run.
    SlaPolicy.objects.create(name="bench", accept_within_s=900, arrive_within_min=15)
    station = unit_create(
        code="MFS-BENCH",
        name="稠城一社区微型消防站",
        kind=UnitKind.MICRO_FIRE_STATION,
        node=city.a.village,
    )
    command = unit_create(
        code="FC-BENCH", name="稠城街道消防指挥中心", kind=UnitKind.FIRE_COMMAND, node=city.a.node
    )
    member = person_create(
        username="bench_mfs",
        role=Role.FIRST_RESPONDER,
        node=city.a.village,
        password=PASSWORD,
        unit=station,
        full_name="微型消防站值班员",
    )
    WebhookEndpoint.objects.create(
        code="bench-sink",
        name="街道消防指挥系统",
        url=sink_url,
        secret=uuid.uuid4().hex,  # the sink does not check signatures
    )
    started = time.monotonic()
    fleet = simulated_fleet_register(count=devices, heartbeat_s=60)
    say(f"registered {len(fleet)} devices in {time.monotonic() - started:.1f} s")
    first_device: dict[str, str] = {}
    for device in fleet:
        first_device.setdefault(device.premises_code, device.serial)
    sites = list(
        Premises.objects.filter(node__in=city.a.grids, code__in=first_device)
        .order_by("code")
        .values_list("pk", "code")[:alarm_sites]
    )
    ids = [pk for pk, _code in sites]
    AlarmContact.objects.filter(premises_id__in=ids).delete()
    people = {
        ContactRole.LANDLORD: city.a.people["landlord"],
        ContactRole.FIRE_OFFICER: city.a.people["inspector"],
        ContactRole.GRID_LEADER: city.a.people["responder"],
    }
    rows = [
        AlarmContact(premises_id=pk, role=role, person=person)
        for pk in ids
        for role, person in people.items()
    ]
    rows += [
        AlarmContact(premises_id=pk, role=ContactRole.MICRO_FIRE_STATION, unit=station)
        for pk in ids
    ]
    rows += [
        AlarmContact(
            premises_id=pk,
            role=ContactRole.FIRE_COMMAND,
            unit=command,
            extra_channel=ExtraChannel.WEBHOOK,
            extra_recipient="bench-sink",
        )
        for pk in ids
    ]
    AlarmContact.objects.bulk_create(rows)
    logins = {
        "landlord": people[ContactRole.LANDLORD].username,
        "fire_officer": people[ContactRole.FIRE_OFFICER].username,
        "grid_leader": people[ContactRole.GRID_LEADER].username,
        "micro_fire_station": member.username,
        "admin": city.admin.username,
    }
    serials = [first_device[code] for _pk, code in sites]
    return {
        "logins": logins,
        "password": PASSWORD,
        "serials": serials,
        "premises_of": {first_device[code]: code for _pk, code in sites},
    }


# --- the server --------------------------------------------------------------------------


class Server:
    """`shouwang serve` (HTTP, WebSocket, workers, MQTT bridge) and `workers` more processes of
    `shouwang worker` (workers and MQTT bridge): the production shape of ARCHITECTURE.md, the
    broker sharing the MQTT traffic out between the bridges of all of them."""

    def __init__(self, port: int, run_id: str, workers: int = 0) -> None:
        env = os.environ.copy()
        env.update(
            SHOUWANG_DEBUG="0",
            SHOUWANG_ALLOWED_HOSTS="127.0.0.1,localhost",
            SHOUWANG_SSL_REDIRECT="0",
            SHOUWANG_MQTT_SHARE_GROUP=f"bench{run_id}",
            SHOUWANG_DB_CONN_MAX_AGE="60",
            SHOUWANG_LOG_LEVEL="WARNING",
            # Nobody acknowledges in a benchmark: no reminder storm in the middle of the run.
            SHOUWANG_ALARM_ACK_SECONDS="900",
        )
        self.base = f"http://127.0.0.1:{port}"
        commands = [[str(BIN / "shouwang"), "serve", "--port", str(port), "--log-level", "warning"]]
        commands += [[str(BIN / "shouwang"), "worker"]] * workers
        self.processes = [
            subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=sys.stderr
            )
            for command in commands
        ]

    @property
    def count(self) -> int:
        return len(self.processes)

    def rss_mb(self) -> float:
        """The resident memory of all its processes."""
        total = 0.0
        for process in self.processes:
            for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        return total

    def stop(self) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGINT)
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def http_json(
    method: str, url: str, body: dict[str, Any] | None = None, token: str | None = None
) -> Any:
    import httpx

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    for attempt in range(5):  # a saturated server may answer late; that is what is measured
        try:
            response = httpx.request(method, url, json=body, headers=headers, timeout=30)
            response.raise_for_status()
            return response.json()
        except httpx.HTTPError:
            if attempt == 4:
                raise
            time.sleep(1)
    return None


def wait_until(check: Any, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):  # the server may still be starting
            if check():
                return
        time.sleep(0.25)
    raise SystemExit(f"timed out waiting for {what}")


def token(server: Server, username: str, password: str) -> str:
    body = {"username": username, "password": password}
    return str(http_json("POST", f"{server.base}/api/v1/auth/token", body)["token"])


def ingest_stats(server: Server, admin_token: str) -> dict[str, Any]:
    """The counters of all the server's processes summed (each publishes its own to Redis)."""
    stats = http_json("GET", f"{server.base}/api/v1/devices/ingest/stats", token=admin_token)
    return dict(stats["cluster"])


def flushed(server: Server, admin_token: str) -> int:
    return int(ingest_stats(server, admin_token)["heartbeat_buffer"]["flushed_messages"])
