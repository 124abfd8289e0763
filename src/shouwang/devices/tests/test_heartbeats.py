"""Heartbeats are coalesced per device in a bounded buffer and committed in batches: a thousand
beats are a handful of statements, whatever the number of devices."""

import time

import pytest

from shouwang.devices.ingest.heartbeats import (
    Beat,
    HeartbeatBuffer,
    heartbeat_buffer,
    heartbeats_flush_once,
)
from shouwang.devices.models import Device, DeviceState, MaintenanceItem
from shouwang.devices.services.heartbeats import heartbeats_commit
from shouwang.devices.tests.factories import Building, detector

pytestmark = pytest.mark.django_db


def test_beats_of_one_device_are_coalesced_into_one_entry_keeping_the_newest() -> None:
    buffer = HeartbeatBuffer(capacity=10)
    for second in range(1000):
        assert buffer.offer(7, Beat(at=1000.0 + second, interval_s=60, battery=second % 100))
    taken = buffer.drain()
    assert list(taken) == [7]
    assert (taken[7].at, taken[7].battery, taken[7].count) == (1999.0, 99, 1000)
    assert buffer.stats.coalesced == 999


def test_full_buffer_refuses_new_devices_but_still_coalesces_known_ones() -> None:
    buffer = HeartbeatBuffer(capacity=2)
    assert buffer.offer(1, Beat(at=1.0, interval_s=60))
    assert buffer.offer(2, Beat(at=1.0, interval_s=60))
    assert not buffer.offer(3, Beat(at=1.0, interval_s=60))
    assert buffer.offer(1, Beat(at=2.0, interval_s=60))
    assert len(buffer) == 2
    assert buffer.stats.refused == 1


def test_waiting_offer_gets_in_once_the_flusher_drains() -> None:
    import threading

    buffer = HeartbeatBuffer(capacity=1)
    buffer.offer(1, Beat(at=1.0, interval_s=60))
    threading.Timer(0.05, buffer.drain).start()
    assert buffer.offer_wait(2, Beat(at=2.0, interval_s=60), timeout=5.0)
    assert list(buffer.drain()) == [2]


def test_batch_of_many_devices_commits_in_a_constant_number_of_queries(
    house: Building, django_assert_max_num_queries
) -> None:
    devices = [detector(house.premises, f"BULK-{i:04d}") for i in range(300)]
    now = time.time()
    beats = {d.pk: Beat(at=now, interval_s=60, battery=80, rsrp=-90) for d in devices}
    with django_assert_max_num_queries(8):
        result = heartbeats_commit(beats=beats)
    assert (result.rows, result.came_online) == (300, 300)
    assert Device.objects.filter(state=DeviceState.ONLINE, battery_level=80).count() == 300


def test_last_seen_never_moves_backwards(house: Building) -> None:
    device = house.devices[0]
    heartbeats_commit(beats={device.pk: Beat(at=2_000_000_000.0, interval_s=60)})
    heartbeats_commit(beats={device.pk: Beat(at=1_900_000_000.0, interval_s=60)})
    device.refresh_from_db()
    assert device.last_seen_at.timestamp() == 2_000_000_000.0


def test_low_battery_opens_one_item_and_a_recharged_battery_resolves_it(house: Building) -> None:
    from shouwang.devices.models import MaintenanceKind

    device = house.devices[0]
    low = frozenset({MaintenanceKind.LOW_BATTERY})
    for _beat in range(3):
        heartbeat_buffer.offer(
            device.pk, Beat(at=time.time(), interval_s=60, battery=12, opens=low)
        )
        heartbeats_flush_once()
    assert MaintenanceItem.objects.filter(resolved_at__isnull=True).count() == 1
    heartbeat_buffer.offer(device.pk, Beat(at=time.time(), interval_s=60, battery=90, closes=low))
    heartbeats_flush_once()
    assert not MaintenanceItem.objects.filter(resolved_at__isnull=True).exists()
