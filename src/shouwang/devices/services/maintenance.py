"""Maintenance items and the offline sweep. A device silent for 3 × its heartbeat interval goes
offline exactly once, however many sweepers run: the sweep claims due rows with SELECT … FOR
UPDATE SKIP LOCKED and flips them with a conditional UPDATE in the same transaction (SQLite's
single write lock serialises sweepers the same way). Each item joins its premises' one open
maintenance incident (services/incidents.py); the incident closes when its last item is fixed."""

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from shouwang.devices.models import Device, DeviceState, MaintenanceItem, MaintenanceKind
from shouwang.devices.services.incidents import (
    maintenance_incident_join,
    maintenance_incident_leave,
)

SWEEP_BATCH = 500


@transaction.atomic
def maintenance_open(
    *, device_id: int, kind: MaintenanceKind, detail: dict[str, Any] | None = None
) -> MaintenanceItem | None:
    """Opens an item unless one of that kind is already open for the device (then None). A
    fault also counts against the device (issue 5: faults are counted for maintenance)."""
    device = Device.objects.select_related("premises").get(pk=device_id)
    try:
        with transaction.atomic():
            item = MaintenanceItem.objects.create(device=device, kind=kind, detail=detail or {})
    except IntegrityError:
        return None  # already open: a device missing a hundred beats is one item
    if kind == MaintenanceKind.FAULT:
        Device.objects.filter(pk=device_id).update(fault_count=F("fault_count") + 1)
    maintenance_incident_join(item=item, device=device)
    return item


@transaction.atomic
def maintenance_resolve(*, device_id: int, kind: MaintenanceKind) -> MaintenanceItem | None:
    """Resolves the open item of that kind, if any, and lets its incident close when it was
    the last one open."""
    item = (
        MaintenanceItem.objects.select_for_update()
        .filter(device_id=device_id, kind=kind, resolved_at__isnull=True)
        .select_related("device", "device__premises")
        .first()
    )
    if item is None:
        return None
    item.resolved_at = timezone.now()
    item.save(update_fields=["resolved_at"])
    maintenance_incident_leave(item=item)
    return item


@transaction.atomic
def device_back_online(*, device_id: int) -> int:
    """An offline device was heard from: back online, its offline item resolved. Returns 1 if
    this call made the change, 0 if another writer already had."""
    won = Device.objects.filter(pk=device_id, state=DeviceState.OFFLINE).update(
        state=DeviceState.ONLINE, state_changed_at=timezone.now()
    )
    if won:
        maintenance_resolve(device_id=device_id, kind=MaintenanceKind.OFFLINE)
    return won


def devices_offline_sweep(*, now: datetime | None = None, limit: int = SWEEP_BATCH) -> int:
    """One round of the offline sweep; returns how many devices it took offline."""
    now = now or timezone.now()
    if not _due(now).exists():  # a plain read: an idle sweep takes no write lock
        return 0
    taken = 0
    while taken < limit and _take_one_offline(now):
        taken += 1
    return taken


def _due(now: datetime) -> QuerySet[Device]:
    return Device.objects.filter(state=DeviceState.ONLINE, offline_after__lt=now)


@transaction.atomic
def _take_one_offline(now: datetime) -> bool:
    """One device per transaction: each then locks a single premises, so sweepers never wait
    on each other in a cycle (a batch spanning premises did deadlock on PostgreSQL)."""
    row = (
        _due(now)
        .select_for_update(skip_locked=True)
        .order_by("offline_after")
        .values_list("pk", "last_seen_at")
        .first()
    )
    if row is None:
        return False
    pk, seen = row
    Device.objects.filter(pk=pk).update(state=DeviceState.OFFLINE, state_changed_at=now)
    detail = {"last_seen_at": seen.isoformat() if seen else None}
    maintenance_open(device_id=pk, kind=MaintenanceKind.OFFLINE, detail=detail)
    return True
