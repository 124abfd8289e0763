"""CPU cost of one MQTT heartbeat in this process, from the bridge's callback to the commit
(issue 5: one `shouwang serve` must ingest at least half the raw broker rate).

    DATABASE_URL=postgres://…/shouwang_bench_hb SHOUWANG_DEBUG=0 \
        .venv/bin/python bench/heartbeats_ingest.py \
        [--devices 100000] [--messages 200000] [--mode direct|broker] [--setup]

`--setup` registers the simulated fleet (a city and `--devices` detectors) in the database named
by DATABASE_URL, whose name must hold "bench". `direct` calls the bridge's heartbeat callback
with messages built like paho builds them (no broker: the callback, the buffer and the flusher);
`broker` subscribes a real bridge to the local Mosquitto and floods it from a child publisher
(bench/alarms_publisher.py), so paho's own reading and parsing is counted too. Both report CPU
microseconds per heartbeat committed: the process's CPU time (every thread: network, flusher),
and for `direct` the calling thread's alone. CPU time, not wall time, so a busy machine does
not move the figure much (it does move it: compare runs made back to back). To compare with
an older tree: `git archive <commit> src | tar -x -C /tmp/old` and PYTHONPATH=/tmp/old/src.
SHOUWANG_DEBUG=0 as in production: with DEBUG Django keeps every query's text. One JSON line
on stdout.
"""

import argparse
import gc
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PAYLOAD = json.dumps({"Alarm_Status": 0, "Battery_Level": 86, "RSRP": -93, "SNR": 10}).encode()


def _require_bench_database() -> None:
    name = urlparse(os.environ.get("DATABASE_URL", "")).path.lstrip("/")
    if "bench" not in name:
        raise SystemExit("DATABASE_URL must name a PostgreSQL database whose name holds 'bench'")


def setup(devices: int) -> None:
    from shouwang.devices.models import Device
    from shouwang.devices.services.fleet_register import simulated_fleet_register
    from shouwang.testing.city import build_city

    if not Device.objects.filter(serial="SIM-000000").exists():
        build_city()
    simulated_fleet_register(count=devices, heartbeat_s=60)


class CollectorTime:
    """CPU seconds the garbage collector spent, per generation, while this is active."""

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self.runs = [0, 0, 0]
        self._started = 0.0

    def __enter__(self) -> "CollectorTime":
        gc.callbacks.append(self._note)
        return self

    def __exit__(self, *_exc: object) -> None:
        gc.callbacks.remove(self._note)

    def _note(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.thread_time()
        else:
            self.seconds[info["generation"]] += time.thread_time() - self._started
            self.runs[info["generation"]] += 1

    def us_per(self, messages: int) -> float:
        return round(sum(self.seconds) / max(messages, 1) * 1e6, 1)


def _committed() -> int:
    from shouwang.devices.ingest.heartbeats import heartbeat_buffer

    return heartbeat_buffer.stats.flushed_messages


def _counts() -> dict[str, int]:
    from shouwang.devices.ingest import stats

    return dict(stats.snapshot()["counts"])  # (as the endpoint reports them; any tree)


def _drain_until_committed(target: int, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while _committed() < target and time.monotonic() < deadline:
        time.sleep(0.05)


def direct(devices: int, messages: int) -> dict[str, Any]:
    from paho.mqtt.client import MQTTMessage

    from shouwang.devices.mqtt.bridge import MqttBridge
    from shouwang.devices.mqtt.topics import heartbeat_topic

    bridge = MqttBridge("mqtt://127.0.0.1:1883")  # never started: only its callback is used
    topics = [heartbeat_topic(f"SIM-{i:06d}").encode() for i in range(devices)]

    def message(i: int) -> MQTTMessage:
        built = MQTTMessage(topic=topics[i % devices])
        built.payload = PAYLOAD
        return built

    warm = [message(i) for i in range(min(devices, 2000))]
    for m in warm:  # loads the directory, starts the flusher
        bridge._on_beat(None, None, m)  # type: ignore[arg-type]
    _drain_until_committed(len(warm))
    batch = [message(i) for i in range(messages)]
    before = _committed()
    with CollectorTime() as collector:
        cpu, thread_cpu, wall = time.process_time(), time.thread_time(), time.perf_counter()
        for m in batch:
            bridge._on_beat(None, None, m)  # type: ignore[arg-type]
        thread_cpu = time.thread_time() - thread_cpu
        _drain_until_committed(before + messages)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    done = _committed() - before
    return {
        "mode": "direct",
        "messages": messages,
        "committed": done,
        "process_cpu_us_per_beat": round(cpu / max(done, 1) * 1e6, 1),
        "callback_thread_cpu_us_per_beat": round(thread_cpu / messages * 1e6, 1),
        "collector_us_per_beat": collector.us_per(messages),
        "collector_runs": collector.runs,
        "wall_s": round(wall, 2),
    }


def broker(devices: int, seconds: float) -> dict[str, Any]:
    from django.conf import settings

    from shouwang.devices.ingest.directory import directory
    from shouwang.devices.ingest.heartbeats import flusher_ensure
    from shouwang.devices.ingest.readings import DeviceKey
    from shouwang.devices.mqtt.bridge import mqtt_bridge_ensure, mqtt_bridge_stop

    directory.find(DeviceKey("SIM-000000"))  # loads the registry outside the measurement
    flusher_ensure()
    settings.SHOUWANG_MQTT_URL = os.environ.get("SHOUWANG_MQTT_URL", "mqtt://127.0.0.1:1883")
    settings.SHOUWANG_MQTT_SHARE_GROUP = f"benchhb{uuid.uuid4().hex[:6]}"
    bridge = mqtt_bridge_ensure()
    assert bridge is not None
    deadline = time.monotonic() + 10
    while _counts().get("mqtt.connects", 0) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    before, started = _committed(), time.perf_counter()
    received_before = _counts().get("mqtt.heartbeats", 0)
    cpu = time.process_time()
    publisher = str(ROOT / "bench" / "alarms_publisher.py")
    flood = subprocess.run(
        [sys.executable, publisher, "flood", "--count", str(devices), "--seconds", str(seconds)],
        check=True,
        capture_output=True,
        text=True,
    )
    sent = json.loads(flood.stdout.strip().splitlines()[-1])["sent"]
    received_per_s = (_counts().get("mqtt.heartbeats", 0) - received_before) / (
        time.perf_counter() - started
    )
    last, last_change = _committed(), time.perf_counter()
    while time.perf_counter() - last_change < 2.0:
        time.sleep(0.1)
        if (now := _committed()) != last:
            last, last_change = now, time.perf_counter()
    cpu = time.process_time() - cpu
    received = _counts().get("mqtt.heartbeats", 0) - received_before
    mqtt_bridge_stop()
    done = last - before
    return {
        "mode": "broker",
        "sent": sent,
        "received": received,
        "received_per_s": round(received_per_s, 1),
        "committed": done,
        "committed_per_s": round(done / (last_change - started), 1),
        "process_cpu_us_per_beat": round(cpu / max(done, 1) * 1e6, 1),
        "process_cpu_us_per_received": round(cpu / max(received, 1) * 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--mode", choices=["direct", "broker"], default="direct")
    parser.add_argument("--setup", action="store_true")
    args = parser.parse_args()
    _require_bench_database()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouwang.settings")
    import django

    django.setup()
    if args.setup:
        setup(args.devices)
    if args.mode == "direct":
        result = direct(args.devices, args.messages)
    else:
        result = broker(args.devices, args.seconds)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
