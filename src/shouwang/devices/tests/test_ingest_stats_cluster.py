"""Ingest counters across processes: every `shouwang serve` and `shouwang worker` runs an MQTT
bridge and the broker shares the traffic out between them, so the command room (and the
benchmark) need the sum, which each process publishes to Redis."""

import json
import time
from collections.abc import Iterator

import pytest
import redis

from shouwang.devices.ingest import stats
from shouwang.devices.ingest.heartbeats import heartbeat_buffer
from shouwang.notify.redis_client import redis_client
from shouwang.testing.services import need_redis


@pytest.fixture
def shared_redis(settings) -> Iterator[redis.Redis]:
    settings.REDIS_URL = need_redis()
    redis_client.cache_clear()
    client = redis.Redis.from_url(settings.REDIS_URL)
    client.delete(stats.SHARED_KEY)
    yield client
    client.delete(stats.SHARED_KEY)
    redis_client.cache_clear()


def other_process(name: str, *, at: float, connects: int, flushed: int) -> tuple[str, str]:
    snapshot = {
        "since": at - 100,
        "counts": {"mqtt.connects": connects},
        "heartbeat_buffer": {"flushed_messages": flushed, "last_flush_at": at},
        "at": at,
    }
    return name, json.dumps(snapshot)


def test_the_cluster_sums_every_live_process_and_forgets_silent_ones(
    shared_redis: redis.Redis,
) -> None:
    now = time.time()
    shared_redis.hset(stats.SHARED_KEY, *other_process("other:1", at=now, connects=2, flushed=500))
    gone = other_process("gone:2", at=now - stats.STALE_SECONDS - 5, connects=9, flushed=900)
    shared_redis.hset(stats.SHARED_KEY, *gone)
    mine = stats.snapshot()

    cluster = stats.cluster_snapshot()

    assert cluster["processes"] == sorted([stats.process_name(), "other:1"])
    assert cluster["counts"].get("mqtt.connects", 0) == mine["counts"].get("mqtt.connects", 0) + 2
    flushed = mine["heartbeat_buffer"]["flushed_messages"] + 500
    assert cluster["heartbeat_buffer"]["flushed_messages"] == flushed
    assert not shared_redis.hexists(stats.SHARED_KEY, "gone:2")


def test_a_process_publishes_its_own_counters(shared_redis: redis.Redis) -> None:
    stats.count("mqtt.connects")
    stats.snapshot_publish(force=True)
    published = json.loads(shared_redis.hget(stats.SHARED_KEY, stats.process_name()) or b"{}")
    assert published["counts"]["mqtt.connects"] == stats.totals()["mqtt.connects"]
    flushed = heartbeat_buffer.stats.flushed_messages
    assert published["heartbeat_buffer"]["flushed_messages"] == flushed
    assert time.time() - published["at"] < 60


def test_without_redis_the_cluster_is_this_process(settings) -> None:
    settings.REDIS_URL = ""
    cluster = stats.cluster_snapshot()
    assert cluster["processes"] == [stats.process_name()]
    assert cluster["counts"] == stats.totals()


def test_redis_away_costs_the_other_processes_counts_not_an_error(settings) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    redis_client.cache_clear()
    try:
        stats.snapshot_publish(force=True)  # logged, not raised
        assert stats.cluster_snapshot()["processes"] == [stats.process_name()]
    finally:
        redis_client.cache_clear()
