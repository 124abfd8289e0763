"""Load processes for bench/alarms.py (one JSON line on stdout when done):

    alarms_publisher.py fleet --count N --interval S --seconds T   paced heartbeats, N devices
    alarms_publisher.py flood --count N --seconds T [--prefix P]   heartbeats as fast as possible
    alarms_publisher.py raw-subscriber --seconds T --prefix P       a bare subscriber, counting

Only 127.0.0.1 (SHOUWANG_MQTT_URL or mqtt://127.0.0.1:1883); every loop is bounded in time.
"""

import argparse
import json
import os
import sys
import threading
import time
import uuid
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

PAYLOAD = json.dumps({"Alarm_Status": 0, "Battery_Level": 86, "RSRP": -93, "SNR": 10})
URL = urlparse(os.environ.get("SHOUWANG_MQTT_URL", "mqtt://127.0.0.1:1883"))


def client() -> mqtt.Client:
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-{uuid.uuid4().hex[:8]}")
    c.max_queued_messages_set(50_000)  # the publisher's own buffer stays bounded
    c.connect(URL.hostname or "127.0.0.1", URL.port or 1883, keepalive=30)
    c.loop_start()
    return c


def topics(prefix: str, count: int) -> list[str]:
    return [f"{prefix}/SIM-{i:06d}/heartbeat" for i in range(count)]


def fleet(count: int, interval: float, seconds: float) -> dict[str, float]:
    """Each device once per `interval`, spread evenly: count / interval messages a second."""
    c, names = client(), topics("shouwang/devices", count)
    rate, sent, started = count / interval, 0, time.monotonic()
    while (elapsed := time.monotonic() - started) < seconds:
        due = int(elapsed * rate)
        while sent < due:
            c.publish(names[sent % count], PAYLOAD)
            sent += 1
        time.sleep(0.01)
    c.disconnect()
    c.loop_stop()
    return {"sent": sent, "seconds": time.monotonic() - started}


def flood(count: int, seconds: float, prefix: str) -> dict[str, float]:
    c, names = client(), topics(prefix, count)
    sent, started, deadline = 0, time.monotonic(), time.monotonic() + seconds
    while time.monotonic() < deadline:
        for _ in range(500):
            if c.publish(names[sent % count], PAYLOAD).rc == mqtt.MQTT_ERR_SUCCESS:
                sent += 1
    elapsed = time.monotonic() - started
    c.disconnect()
    c.loop_stop()
    return {"sent": sent, "seconds": elapsed}


def raw_subscriber(seconds: float, prefix: str) -> dict[str, float]:
    received, first, last = 0, 0.0, 0.0
    lock, ready = threading.Lock(), threading.Event()

    def on_message(_c: mqtt.Client, _u: object, _m: mqtt.MQTTMessage) -> None:
        nonlocal received, first, last
        with lock:
            now = time.monotonic()
            first = first or now
            last, received = now, received + 1

    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"bench-raw-{uuid.uuid4().hex[:8]}")
    c.on_message = on_message
    c.on_subscribe = lambda *_a: ready.set()
    c.connect(URL.hostname or "127.0.0.1", URL.port or 1883, keepalive=30)
    c.subscribe(f"{prefix}/+/heartbeat", qos=0)
    c.loop_start()
    ready.wait(5)
    print(json.dumps({"ready": True}), flush=True)
    time.sleep(seconds)
    c.disconnect()
    c.loop_stop()
    span = max(last - first, 1e-9)
    return {"received": received, "per_s": received / span if received > 1 else 0.0}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["fleet", "flood", "raw-subscriber"])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--interval", type=float, default=60.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--prefix", default="shouwang/devices")
    args = parser.parse_args()
    if args.mode == "fleet":
        result = fleet(args.count, args.interval, args.seconds)
    elif args.mode == "flood":
        result = flood(args.count, args.seconds, args.prefix)
    else:
        result = raw_subscriber(args.seconds, args.prefix)
    print(json.dumps(result), flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
