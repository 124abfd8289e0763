"""Commit-to-socket latency of the notification outbox: messages are committed at a steady rate
and a channel-layer receiver (standing in for a responder's socket) records when each arrives;
the realtime worker loop runs in this process as in `shouwang serve`. Prints one JSON line.

    .venv/bin/python bench/notify_latency.py [--rate 100] [--seconds 10]

Embedded SQLite in a temporary directory by default. With DATABASE_URL (and REDIS_URL) set it
runs against that database, which it migrates: point it at a throwaway database.
"""

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import sys
import tempfile
import threading
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouwang.settings")
if not os.environ.get("DATABASE_URL"):
    os.environ["SHOUWANG_DATA_DIR"] = tempfile.mkdtemp(prefix="shouwang-bench-")

GROUP = "bench.notify"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def enqueue(n: int, run: str) -> None:
    from django.db import transaction

    from shouwang.notify.models import Channel
    from shouwang.notify.services import outbox_enqueue

    with transaction.atomic():
        outbox_enqueue(
            channel=Channel.WEBSOCKET,
            recipient=GROUP,
            payload={"n": n, "sent": time.perf_counter()},
            idempotency_key=f"bench:{run}:{n}",
        )


async def measure(rate: float, seconds: float) -> dict[str, object]:
    from asgiref.sync import sync_to_async
    from channels.layers import get_channel_layer

    from shouwang.notify.serving_loop import serving_loop_remember

    serving_loop_remember()  # this loop plays the ASGI server's part
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(GROUP, channel)
    total, run, latencies = int(rate * seconds), str(time.time_ns()), []

    async def receive() -> None:
        while len(latencies) < total:
            event = await layer.receive(channel)
            latencies.append((time.perf_counter() - event["message"]["sent"]) * 1000)

    receiver = asyncio.create_task(receive())
    started = time.perf_counter()
    for n in range(total):
        await asyncio.sleep(max(0.0, started + n / rate - time.perf_counter()))
        await sync_to_async(enqueue)(n, run)
    with contextlib.suppress(TimeoutError):  # what has not arrived by then counts as lost
        await asyncio.wait_for(receiver, timeout=30)
    return {
        "messages": total,
        "p50_ms": round(statistics.median(latencies), 2) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "max_ms": round(max(latencies), 2) if latencies else None,
        "lost": total - len(latencies),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=10.0)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from shouwang.core.workers import WorkerLoop, run_loop
    from shouwang.notify.delivery.worker import outbox_realtime_tick

    call_command("migrate", verbosity=0)
    stop = threading.Event()
    loop = WorkerLoop("notify.outbox.realtime", outbox_realtime_tick, idle_seconds=0)
    threading.Thread(target=run_loop, args=(loop, stop), daemon=True).start()
    result = asyncio.run(measure(args.rate, args.seconds))
    stop.set()
    backend = connection.vendor + ("+redis" if settings.REDIS_URL else "")
    print(json.dumps({"backend": backend, "rate_per_s": args.rate, **result}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
