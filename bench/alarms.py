"""Alarm fan-out and heartbeat ingestion on the local Mosquitto and PostgreSQL, in one run
(issue 5). Prints ONE JSON line on stdout; progress goes to stderr.

    .venv/bin/python bench/alarms.py [--devices 100000] [--minute 60] [--workers 1]

(a) latency: `--devices` simulated detectors heartbeat every 60 s over MQTT (100,000 → ≈1,700
    messages a second) while bursts of alarms are published at distinct premises; for each alarm,
    the time from publishing it to the last of its five contacts' notifications arriving (four
    WebSocket clients signed in with API tokens, and a local webhook sink for the street fire
    command's own system); alarms missing any of the five after 30 s are lost. The first
    burst, 5 s in, is the processes' first alarms since their start: it is reported apart
    (`first_burst_max_ms`, its losses counted) and left out of the percentiles. `alarms_per_s`:
    a storm of alarms published back to back, committed per second.
(b) capacity: heartbeats published as fast as one publisher can for 10 s; the most the server
    ingested per second (last-seen committed, from its counters), beside the raw broker
    baseline: what a bare subscriber receives per second from the same publisher.
(c) overload minute: heartbeats offered at 10× the measured capacity (as close as three
    publishers get) with an alarm a second on top: the alarms' p99 and losses, and the server's
    memory at the end minus at the start.

It runs the server as production does (ARCHITECTURE.md, "Processes"), as child processes:
`shouwang serve` (HTTP, WebSocket, workers, MQTT bridge) and `--workers` (default 1) `shouwang
worker` processes (workers, MQTT bridge); the broker shares the MQTT traffic out between the
bridges (shared subscription), Redis joins the processes (channel layer, wake-ups, the ingest
counters summed in the stats endpoint's `cluster`). Memory growth is that of all of them. They
run against a throwaway database the script creates and drops: BENCH_DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/shouwang_bench_alarms, its name must contain "bench"),
BENCH_REDIS_URL (default redis://127.0.0.1:6379/12, flushed; "" with `--workers 0` for one
process on an in-memory channel layer) and SHOUWANG_MQTT_URL (default mqtt://127.0.0.1:1883).
Everything is on 127.0.0.1 and every phase is bounded in time.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BENCH_DB = os.environ.get(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shouwang_bench_alarms"
)
# Redis carries the channel layer, the wake-ups and the ingest counters between the processes.
# BENCH_REDIS_URL="" with --workers 0: one process with its in-memory channel layer.
BENCH_REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
MQTT_URL = os.environ.get("SHOUWANG_MQTT_URL", "mqtt://127.0.0.1:1883")
os.environ.update(
    DATABASE_URL=BENCH_DB,
    REDIS_URL=BENCH_REDIS,
    SHOUWANG_MQTT_URL=MQTT_URL,
    DJANGO_SETTINGS_MODULE="shouwang.settings",
)
sys.path.insert(0, str(ROOT / "bench"))

from alarms_listeners import Arrivals, WebhookSink, ws_listen  # noqa: E402
from alarms_world import (  # noqa: E402
    Server,
    build_world,
    drop_database,
    flushed,
    http_json,
    ingest_stats,
    reset_database,
    say,
    token,
    wait_until,
)

CHANNELS = ["landlord", "fire_officer", "grid_leader", "micro_fire_station", "webhook"]
WAIT_FOR_ARRIVALS_S = 30.0
STORM_ALARMS = 200


def percentile(values: list[float], q: float) -> float | None:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1) if ordered else None


# --- load processes ------------------------------------------------------------------------


def publisher(*args: str) -> subprocess.Popen[str]:
    command = [sys.executable, str(ROOT / "bench" / "alarms_publisher.py"), *args]
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)


def result_of(process: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    out, _err = process.communicate(timeout=timeout)
    return json.loads(out.strip().splitlines()[-1])


class AlarmSender:
    """Publishes alarms (QoS 1, event topic) at distinct premises and remembers when."""

    def __init__(self, serials: list[str]) -> None:
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        address = urlparse(MQTT_URL)
        self.client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"bench-alarms-{uuid.uuid4().hex[:6]}"
        )
        self.client.connect(address.hostname or "127.0.0.1", address.port or 1883)
        self.client.loop_start()
        self.unused, self.sent = list(serials), {}

    def fire(self, count: int) -> list[str]:
        from shouwang.devices.fleet_driver import alarm_body
        from shouwang.devices.mqtt.topics import event_topic

        fired = []
        for _ in range(count):
            serial = self.unused.pop(0)
            self.sent[serial] = time.time()
            self.client.publish(event_topic(serial), json.dumps(alarm_body()), qos=1)
            fired.append(serial)
        return fired

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def breakdown(serials: list[str], sender: "AlarmSender", arrivals: Arrivals) -> str:
    """Medians per step, to stderr: publish → alarm committed, → each channel."""
    from shouwang.devices.models import Alarm

    committed = dict(
        Alarm.objects.filter(device__serial__in=serials).values_list(
            "device__serial", "received_at"
        )
    )
    steps = {"committed": [(committed[s].timestamp() - sender.sent[s]) * 1000 for s in committed]}
    for channel in arrivals.channels:
        steps[channel] = [
            (arrivals.times[s][channel] - sender.sent[s]) * 1000
            for s in serials
            if channel in arrivals.times.get(s, {})
        ]
    return ", ".join(
        f"{k} p50 {percentile(v, 0.5)} p99 {percentile(v, 0.99)}" for k, v in steps.items()
    )


def latencies(
    serials: list[str], sender: AlarmSender, arrivals: Arrivals
) -> tuple[list[float], int]:
    deadline = time.monotonic() + WAIT_FOR_ARRIVALS_S
    while time.monotonic() < deadline and any(arrivals.all_arrived(s) is None for s in serials):
        time.sleep(0.2)
    found = [(arrivals.all_arrived(s), sender.sent[s]) for s in serials]
    done = [(arrived - sent) * 1000 for arrived, sent in found if arrived is not None]
    missing = Counter(
        channel
        for s in serials
        if arrivals.all_arrived(s) is None
        for channel in arrivals.channels
        if channel not in arrivals.times.get(s, {})
    )
    if missing:
        say(f"missing after {WAIT_FOR_ARRIVALS_S:.0f} s, by contact: {dict(missing)}")
    return done, len(serials) - len(done)


# --- the phases ----------------------------------------------------------------------------


def phase_latency(
    devices: int, sender: AlarmSender, arrivals: Arrivals, seconds: float
) -> dict[str, Any]:
    from shouwang.devices.models import Alarm

    fleet = publisher(
        "fleet", "--count", str(devices), "--interval", "60", "--seconds", str(seconds + 60)
    )
    say(f"(a) {devices} devices heartbeating every 60 s; warming up 10 s")
    time.sleep(5)
    # A server that has been up a while has handled alarms before: the first burst after a
    # start pays for connections and caches (each process's first alarm costs about twice the
    # CPU of the next), so it is reported apart and not measured with the rest.
    first = sender.fire(10)
    time.sleep(5)
    cold, cold_lost = latencies(first, sender, arrivals)
    say(
        f"(a) first burst after the start (not measured): p50 {percentile(cold, 0.5)} ms, "
        f"max {max(cold, default=None)} ms, {cold_lost} lost"
    )
    fired: list[str] = []
    for _burst in range(int(seconds // 5)):
        fired += sender.fire(10)
        time.sleep(5)
    done, lost = latencies(fired, sender, arrivals)
    say(
        f"(a) {len(fired)} alarms in bursts of 10: {len(done)} reached all five, {lost} lost; "
        f"p50 {percentile(done, 0.5)} ms, p99 {percentile(done, 0.99)} ms"
    )
    say(f"(a) breakdown: {breakdown(fired, sender, arrivals)}")
    storm = sender.fire(min(STORM_ALARMS, len(sender.unused) - int(seconds) - 5))
    started = time.monotonic()
    wait_until(
        lambda: Alarm.objects.filter(device__serial__in=storm).count() == len(storm),
        120,
        "the storm",
    )
    alarms_per_s = len(storm) / (time.monotonic() - started)
    _storm_done, storm_lost = latencies(storm, sender, arrivals)
    fleet.terminate()
    fleet.wait(10)
    return {
        "first_burst_max_ms": round(max(cold), 1) if cold else None,
        "alarms_per_s": round(alarms_per_s, 1),
        "alarm_p50_ms": percentile(done, 0.5),
        "alarm_p95_ms": percentile(done, 0.95),
        "alarm_p99_ms": percentile(done, 0.99),
        "lost_alarms": cold_lost + lost + storm_lost,
    }


def phase_capacity(server: Server, admin_token: str, devices: int) -> dict[str, float]:
    subscriber = publisher("raw-subscriber", "--seconds", "14", "--prefix", "bench/raw")
    assert subscriber.stdout is not None
    subscriber.stdout.readline()  # {"ready": true}
    flood = publisher("flood", "--count", str(devices), "--seconds", "10", "--prefix", "bench/raw")
    sent_raw = result_of(flood, 30)
    raw = result_of(subscriber, 30)
    say(
        f"(b) raw broker: published {sent_raw['sent']}, "
        f"a bare subscriber received {raw['per_s']:.0f}/s"
    )
    before, started = flushed(server, admin_token), time.monotonic()
    flood = publisher("flood", "--count", str(devices), "--seconds", "10")
    sent = result_of(flood, 30)
    last_value, last_change = before, time.monotonic()
    while time.monotonic() - last_change < 2.0 and time.monotonic() - started < 60:
        value = flushed(server, admin_token)
        if value != last_value:
            last_value, last_change = value, time.monotonic()
        time.sleep(0.25)
    rate = (last_value - before) / (last_change - started)
    say(f"(b) server: published {sent['sent']}, committed {last_value - before} ({rate:.0f}/s)")
    return {"heartbeats_per_s": round(rate, 1), "raw_broker_per_s": round(raw["per_s"], 1)}


def phase_overload(
    server: Server,
    sender: AlarmSender,
    arrivals: Arrivals,
    capacity: float,
    devices: int,
    seconds: float,
) -> dict[str, Any]:
    start_rss = server.rss_mb()
    floods = [
        publisher("flood", "--count", str(devices), "--seconds", str(seconds)) for _ in range(3)
    ]
    fired: list[str] = []
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        fired += sender.fire(1)
        time.sleep(1.0)
    offered = sum(result_of(f, 60)["sent"] for f in floods) / seconds
    end_rss = server.rss_mb()
    done, lost = latencies(fired, sender, arrivals)
    say(
        f"(c) offered {offered:.0f} heartbeats/s ({offered / max(capacity, 1):.1f}× capacity); "
        f"{len(fired)} alarms, {lost} lost; RSS {start_rss:.0f} → {end_rss:.0f} MB"
    )
    return {
        "overload_alarm_p99_ms": percentile(done, 0.99),
        "overload_lost_alarms": lost,
        "overload_rss_growth_mb": round(end_rss - start_rss, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--minute", type=float, default=60.0, help="length of phases (a) and (c)")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="`shouwang worker` processes beside `shouwang serve` (they need BENCH_REDIS_URL)",
    )
    args = parser.parse_args()
    if args.workers and not BENCH_REDIS:
        raise SystemExit("--workers needs Redis (BENCH_REDIS_URL) between the processes")
    run_id, stop = uuid.uuid4().hex[:6], threading.Event()
    arrivals = Arrivals(CHANNELS)
    say("resetting the bench database")
    reset_database()
    premises_of: dict[str, str] = {}
    sink = WebhookSink(
        arrivals, lambda code: next((s for s, c in premises_of.items() if c == code), None)
    )
    world = build_world(args.devices, sink.url, alarm_sites=int(args.minute * 2.5) + 410)
    premises_of.update(world["premises_of"])
    server = Server(args.port, run_id, workers=args.workers)
    sender: AlarmSender | None = None
    try:
        wait_until(
            lambda: http_json("GET", f"{server.base}/healthz")["status"] == "ok", 60, "the server"
        )
        admin_token = token(server, world["logins"]["admin"], world["password"])
        for channel in CHANNELS[:4]:
            user_token = token(server, world["logins"][channel], world["password"])
            ws_listen(
                url=f"ws://127.0.0.1:{args.port}/ws/notify/?token={user_token}",
                origin=server.base,
                channel=channel,
                arrivals=arrivals,
                stop=stop,
            )
        wait_until(
            lambda: (
                ingest_stats(server, admin_token)["counts"].get("mqtt.connects", 0)
                >= 2 * server.count
            ),
            60,
            "the MQTT bridges",
        )
        sender = AlarmSender(world["serials"])
        result: dict[str, Any] = {"devices": args.devices}
        result |= phase_latency(args.devices, sender, arrivals, args.minute)
        result |= phase_capacity(server, admin_token, args.devices)
        result |= phase_overload(
            server, sender, arrivals, result["heartbeats_per_s"], args.devices, args.minute
        )
    finally:
        stop.set()
        if sender is not None:
            sender.close()
        server.stop()
        sink.stop()
        from django.db import connections

        connections.close_all()
        if not os.environ.get("BENCH_KEEP_DB"):
            drop_database()
    keys = [
        "heartbeats_per_s",
        "raw_broker_per_s",
        "alarms_per_s",
        "alarm_p50_ms",
        "alarm_p95_ms",
        "alarm_p99_ms",
        "lost_alarms",
        "devices",
        "overload_alarm_p99_ms",
        "overload_lost_alarms",
        "overload_rss_growth_mb",
        "first_burst_max_ms",
    ]
    print(json.dumps({key: result[key] for key in keys}), flush=True)


if __name__ == "__main__":
    main()
