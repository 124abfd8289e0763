"""A device silent for 3 × its heartbeat interval goes offline once; its premises gets one
maintenance case, however many devices or sweepers; the case ends when they all return."""

import threading
import time
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from shouwang.cases.models import Case
from shouwang.devices.ingest.heartbeats import Beat
from shouwang.devices.models import Device, DeviceState, Incident, MaintenanceItem
from shouwang.devices.services.heartbeats import heartbeats_commit
from shouwang.devices.services.maintenance import devices_offline_sweep
from shouwang.devices.tests.factories import Building, building
from shouwang.testing.city import City, build_city
from shouwang.testing.services import need_postgresql


def beat_all(devices: list[Device], at: float) -> None:
    heartbeats_commit(beats={d.pk: Beat(at=at, interval_s=d.heartbeat_interval_s) for d in devices})


@pytest.mark.django_db
def test_device_goes_offline_only_after_three_missed_heartbeats(house: Building) -> None:
    device = house.devices[0]  # heartbeat every 60 s
    beat_all([device], time.time())
    assert devices_offline_sweep(now=timezone.now() + timedelta(seconds=170)) == 0
    assert devices_offline_sweep(now=timezone.now() + timedelta(seconds=181)) == 1
    assert Device.objects.get(pk=device.pk).state == DeviceState.OFFLINE


@pytest.mark.django_db
def test_missing_many_beats_is_one_offline_item_and_one_case(house: Building) -> None:
    beat_all(house.devices, time.time())
    later = timezone.now() + timedelta(minutes=10)
    for minutes in range(5):
        devices_offline_sweep(now=later + timedelta(minutes=minutes))
    assert MaintenanceItem.objects.filter(kind="offline").count() == len(house.devices)
    assert Incident.objects.filter(kind="maintenance").count() == 1
    assert Case.objects.filter(kind="maintenance").count() == 1


@pytest.mark.django_db
def test_maintenance_case_ends_when_the_last_device_returns(house: Building) -> None:
    beat_all(house.devices, time.time())
    devices_offline_sweep(now=timezone.now() + timedelta(minutes=10))
    case = Case.objects.get(kind="maintenance")
    beat_all(house.devices[:-1], time.time() + 1)
    assert Case.objects.get(pk=case.pk).state == "received"
    beat_all(house.devices[-1:], time.time() + 2)
    assert Case.objects.get(pk=case.pk).state == "cancelled"
    assert Incident.objects.get().closed_at is not None
    assert Device.objects.filter(state=DeviceState.ONLINE).count() == len(house.devices)


@pytest.mark.django_db
def test_device_never_heard_from_is_not_swept_offline(house: Building) -> None:
    assert devices_offline_sweep(now=timezone.now() + timedelta(days=30)) == 0
    assert not MaintenanceItem.objects.exists()


def in_parallel(work: Callable[[], int], workers: int = 2) -> list[int]:
    """Runs `work` on several threads started together, each on its own connection."""
    barrier, results = threading.Barrier(workers), []

    def run() -> None:
        try:
            barrier.wait()
            results.append(work())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_sweepers_take_each_device_offline_exactly_once(categories: None) -> None:
    need_postgresql()
    city: City = build_city()
    houses = [building(city.a, code=f"P-{n}", detectors=15) for n in range(4)]
    devices = [d for h in houses for d in h.devices]
    beat_all(devices, time.time())
    later = timezone.now() + timedelta(minutes=10)

    def sweep_until_idle() -> int:
        total = 0
        while taken := devices_offline_sweep(now=later, limit=7):
            total += taken
        return total

    assert sum(in_parallel(sweep_until_idle)) == len(devices)
    assert MaintenanceItem.objects.filter(kind="offline").count() == len(devices)
    assert Incident.objects.filter(kind="maintenance").count() == len(houses)
    assert Case.objects.filter(kind="maintenance").count() == len(houses)

    back = time.time() + 5
    in_parallel(
        lambda: (
            heartbeats_commit(
                beats={d.pk: Beat(at=back, interval_s=60) for d in devices}
            ).back_from_offline
        )
    )
    assert not MaintenanceItem.objects.filter(resolved_at__isnull=True).exists()
    assert Incident.objects.filter(closed_at__isnull=True).count() == 0
    assert Case.objects.filter(kind="maintenance", state="cancelled").count() == len(houses)
